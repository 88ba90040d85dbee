/** `unlink ID` and `cleanup` (actions/unlink-entry.ts). */
import { cleanupBootFiles, unlinkEntry } from "../../../actions/unlink-entry.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { printPlan } from "./plan-output.ts";

export async function runUnlink(invocation: CommandInvocation): Promise<number> {
  const { args, globals } = invocation;
  const plan = await unlinkEntry(args[0]!, { root: globals.root, espPath: globals.espPath, bootPath: globals.bootPath, dryRun: globals.dryRun });
  printPlan(invocation, plan, { unlinked: plan.unlinked });
  return 0;
}

export async function runCleanup(invocation: CommandInvocation): Promise<number> {
  const { options, globals } = invocation;
  const entryToken = typeof options.entryToken === "string" ? options.entryToken : undefined;
  const plan = await cleanupBootFiles({ root: globals.root, espPath: globals.espPath, bootPath: globals.bootPath, dryRun: globals.dryRun, ...(entryToken ? { entryToken } : {}) });
  if (plan.effects.length === 0 && plan.notes.length === 0) plan.notes.push("nothing to clean up: every file under $BOOT/<entry-token>/ is used by an entry");
  printPlan(invocation, plan);
  return 0;
}
