/**
 * `health`: run the health checks; exit 1 when a required check failed. With `--dry-run` nothing
 * is executed (no check, no green.d/red.d hook): it lists what would run and what would be skipped.
 */
import { UsageError } from "../../../errors.ts";
import { describeCheck, describePlan, describeSkipped, planHealthChecks, runHealthChecks } from "../../../actions/health.ts";
import type { CommandInvocation } from "../../invocation.ts";

export default async function healthCommand({ options, globals, output }: CommandInvocation): Promise<number> {
  let timeoutMs: number | undefined;
  if (options.timeout !== undefined) {
    const seconds = Number(options.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout: expected a positive number of seconds, got '${String(options.timeout)}'`);
    timeoutMs = seconds * 1000;
  }
  if (globals.dryRun) {
    const plan = await planHealthChecks({ root: globals.root });
    if (globals.json !== "off") output.printJson(plan);
    else for (const line of describePlan(plan)) output.line(line);
    return 0;
  }
  const report = await runHealthChecks(timeoutMs === undefined ? { root: globals.root } : { root: globals.root, timeoutMs });
  if (globals.json !== "off") output.printJson(report);
  else {
    for (const r of [...report.checks, ...report.hooks]) {
      const line = describeCheck(r);
      output.line(r.ok ? line : output.style.red(line));
    }
    for (const s of report.skipped) output.line(output.style.yellow(describeSkipped(s)));
    output.line(`verdict: ${report.verdict === "green" ? output.style.green("green") : output.style.red("red")}`);
  }
  return report.verdict === "green" ? 0 : 1;
}
