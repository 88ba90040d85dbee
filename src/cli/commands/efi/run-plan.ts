/** Shared by the efi verbs that change variables: print the plan on --dry-run, else apply it. */
import { applyEfiPlan } from "../../../adapters/efivarfs.ts";
import { describeEfiEffect, type EfiEffect } from "../../../ops/efi-plan.ts";
import type { CommandInvocation } from "../../invocation.ts";

export async function runEfiPlan(dir: string, effects: readonly EfiEffect[], { globals, output }: CommandInvocation): Promise<void> {
  if (globals.dryRun) {
    for (const e of effects) output.line(`would ${describeEfiEffect(e)}`);
    return;
  }
  const applied = await applyEfiPlan(dir, effects);
  for (const a of applied) {
    if (a.result === "unchanged") output.info(`${a.effect.name}: unchanged`);
    else if (a.result === "absent") output.info(`${a.effect.name}: already absent`);
  }
}
