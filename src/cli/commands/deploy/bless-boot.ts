/**
 * `bless-boot [status|good|bad|indeterminate]`: systemd-bless-boot semantics (actions/bless-boot.ts).
 * `status` prints one word (clean, indeterminate, dirty, good, bad) or, with --json, an object.
 */
import { UsageError } from "../../../errors.ts";
import { blessBoot, blessStatusOf, type BlessOptions } from "../../../actions/bless-boot.ts";
import { effectToJson } from "../../../ops/plan.ts";
import { markedMessage } from "../../../ops/bless-boot.ts";
import { printNotes, printPlan } from "./plan-output.ts";
import type { CommandInvocation } from "../../invocation.ts";

export default async function blessBootCommand(invocation: CommandInvocation): Promise<number> {
  const { args, globals, output } = invocation;
  const verb = args[0] ?? "status";
  const options: BlessOptions = {
    root: globals.root,
    partitions: [globals.espPath, globals.bootPath],
    efivarsPath: globals.efivarsPath,
    efivarsPathExplicit: globals.efivarsPathExplicit,
    dryRun: globals.dryRun,
  };
  if (verb === "status") {
    const status = await blessStatusOf(options);
    if (globals.json !== "off") output.printJson(status);
    else output.line(status.state);
    return 0;
  }
  if (verb !== "good" && verb !== "bad" && verb !== "indeterminate") {
    throw new UsageError(`unknown bless-boot verb '${verb}': expected status, good, bad or indeterminate`);
  }
  const plan = await blessBoot(verb, options);
  if (globals.json !== "off") {
    output.printJson({ verb, outcome: plan.outcome, dryRun: globals.dryRun, effects: plan.effects.map(effectToJson), notes: plan.notes });
    return 0;
  }
  if (globals.dryRun) printPlan(invocation, plan);
  else {
    printNotes(output, plan.notes);
    if (plan.outcome !== "already") output.info(markedMessage(plan));
  }
  return 0;
}
