/** `remove KERNEL-VERSION`: kernel-install remove. */
import { removeEntry } from "../../../actions/add-entry.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { printPlan } from "./plan-output.ts";

export default async function removeCommand(invocation: CommandInvocation): Promise<number> {
  const { args, options, globals } = invocation;
  const entryToken = typeof options.entryToken === "string" ? options.entryToken : undefined;
  const plan = await removeEntry({
    root: globals.root, espPath: globals.espPath, bootPath: globals.bootPath, dryRun: globals.dryRun,
    kernelVersion: args[0]!, ...(entryToken ? { entryToken } : {}),
  });
  printPlan(invocation, plan);
  return 0;
}
