/** Printing a plan: `--dry-run` lists what would change, `--json` prints it as data. */
import { describeEffect, effectToJson, type Plan } from "../../../ops/plan.ts";
import type { CommandInvocation } from "../../invocation.ts";

export function printPlan({ globals, output }: CommandInvocation, plan: Plan, extra: Record<string, unknown> = {}): void {
  if (globals.json !== "off") {
    output.printJson({ ...extra, dryRun: globals.dryRun, effects: plan.effects.map(effectToJson), notes: plan.notes });
    return;
  }
  for (const note of plan.notes) output.info(`bootctl-ts: ${note}`);
  const prefix = globals.dryRun ? "would " : "";
  for (const effect of plan.effects) output.line(prefix + describeEffect(effect));
}
