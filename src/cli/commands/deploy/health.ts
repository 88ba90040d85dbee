/** `health`: run the health checks; exit 1 when a required check failed. */
import { UsageError } from "../../../errors.ts";
import { describeCheck, runHealthChecks } from "../../../actions/health.ts";
import type { CommandInvocation } from "../../invocation.ts";

export default async function healthCommand({ options, globals, output }: CommandInvocation): Promise<number> {
  let timeoutMs: number | undefined;
  if (options.timeout !== undefined) {
    const seconds = Number(options.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout: expected a positive number of seconds, got '${String(options.timeout)}'`);
    timeoutMs = seconds * 1000;
  }
  const report = await runHealthChecks(timeoutMs === undefined ? { root: globals.root } : { root: globals.root, timeoutMs });
  if (globals.json !== "off") output.printJson(report);
  else {
    for (const r of [...report.checks, ...report.hooks]) {
      const line = describeCheck(r);
      output.line(r.ok ? line : output.style.red(line));
    }
    output.line(`verdict: ${report.verdict === "green" ? output.style.green("green") : output.style.red("red")}`);
  }
  return report.verdict === "green" ? 0 : 1;
}
