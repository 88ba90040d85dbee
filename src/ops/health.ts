/**
 * Health checks: which checks run, and the verdict (pure).
 *
 * Layout (greenboot's, with our names): `/usr/lib/bootctl-ts/checks/<kind>.d/` (vendor) and
 * `/etc/bootctl-ts/checks/<kind>.d/` (admin) for kind `required`, `wanted`, `green`, `red`. As with
 * systemd drop-ins, a file in /etc replaces the vendor file of the same name; checks run in
 * name order. Every check runs (greenboot stops at the first required failure, which its users
 * asked to change: greenboot#52): the report lists every failure.
 * Verdict: any required check failed → `red`; otherwise `green` (failed wanted checks are
 * reported as warnings). A file that is not executable is not run and does not count for the
 * verdict; it is reported as skipped.
 */

export type CheckKind = "required" | "wanted";
export type HookKind = "green" | "red";

export const CHECK_DIRECTORIES = ["/usr/lib/bootctl-ts/checks", "/etc/bootctl-ts/checks"] as const;

export interface CheckFile {
  kind: CheckKind | HookKind;
  name: string;
  /** Image path of the executable (inside the root). */
  path: string;
  /** A regular file without an execute bit: listed (it overrides by name), never run. */
  notExecutable?: boolean;
}

/** A file of a check or hook directory that is not run, and why. */
export interface SkippedCheck {
  kind: CheckKind | HookKind;
  name: string;
  path: string;
  reason: "not executable";
}

/** Merge listings, later layers overriding earlier ones by name; result in name order. */
export function mergeLayers(layers: readonly (readonly CheckFile[])[]): CheckFile[] {
  const byName = new Map<string, CheckFile>();
  for (const layer of layers) for (const file of layer) byName.set(file.name, file);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface CheckResult {
  kind: CheckKind | HookKind;
  name: string;
  path: string;
  /** Exit status, or null when killed. */
  status: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The last lines the check printed (stdout and stderr), for the report. */
  output: string;
  ok: boolean;
}

export type Verdict = "green" | "red";

export function verdictOf(results: readonly CheckResult[]): Verdict {
  return results.some((r) => r.kind === "required" && !r.ok) ? "red" : "green";
}
