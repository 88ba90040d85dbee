/**
 * `remove KERNEL-VERSION`: kernel-install remove. A version with no entry and no files is not an
 * error, as for kernel-install (its 90-loaderentry.install removes with `rm -f`): a package
 * scriptlet removing a kernel that was never installed here succeeds; a note says so.
 */
import { BootctlError } from "../../../errors.ts";
import { removeEntry } from "../../../actions/add-entry.ts";
import type { Plan } from "../../../ops/plan.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { printPlan } from "./plan-output.ts";

export default async function removeCommand(invocation: CommandInvocation): Promise<number> {
  const { args, options, globals } = invocation;
  const entryToken = typeof options.entryToken === "string" ? options.entryToken : undefined;
  let plan: Plan;
  try {
    plan = await removeEntry({
      root: globals.root, espPath: globals.espPath, bootPath: globals.bootPath, dryRun: globals.dryRun,
      kernelVersion: args[0]!, ...(entryToken ? { entryToken } : {}),
    });
  } catch (err) {
    // planRemoveEntry's "nothing of that version" (ops/add-entry.ts), not a missing partition.
    if (!(err instanceof BootctlError && err.code === "E_NOT_FOUND" && err.message.startsWith("no entry or files for "))) throw err;
    plan = { effects: [], notes: [`nothing to remove: ${err.message}`] };
  }
  printPlan(invocation, plan);
  return 0;
}
