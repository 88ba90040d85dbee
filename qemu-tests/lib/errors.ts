/**
 * Typed errors of the QEMU integration suite. A scenario fails with a `ScenarioFailure` (an
 * expectation about the boots did not hold) or a `SuiteError` (the harness could not do its job:
 * a tool failed, an asset is missing). Both carry a stable code so the runner can report them
 * without stack traces.
 */
export class SuiteError extends Error {
  override readonly name = "SuiteError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An expectation about the observed boots did not hold. */
export class ScenarioFailure extends Error {
  override readonly name = "ScenarioFailure";
  readonly code = "E_QEMU_EXPECTATION";
}

export function describeError(error: unknown): string {
  if (error instanceof SuiteError) return `${error.code}: ${error.message}`;
  if (error instanceof ScenarioFailure) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
