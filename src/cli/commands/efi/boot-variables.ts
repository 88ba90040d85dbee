/** `efi set-next N`, `clear-next`, `set-order N,N,…`, `delete N` (also finishes an interrupted one), `set-active N`, `set-inactive N`. */
import { UsageError } from "../../../errors.ts";
import { listEfiVariables, requireEfivarsDir } from "../../../adapters/efivarfs.ts";
import {
  parseBootNumberArg, planBootOptionDeletion, planClearBootNext, planSetBootNext, planSetBootOptionActive, planSetBootOrder,
} from "../../../ops/efi-boot-manager.ts";
import type { EfiEffect } from "../../../ops/efi-plan.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { runEfiPlan } from "./run-plan.ts";

function one(args: string[], action: string): string {
  if (args.length !== 1) throw new UsageError(`efi ${action} takes exactly one argument`);
  return args[0]!;
}

export default async function efiBootVariables(inv: CommandInvocation): Promise<number> {
  const [action, ...args] = inv.args as [string, ...string[]];
  const dir = await requireEfivarsDir(inv.globals.efivarsPath, inv.globals.efivarsPathExplicit);
  const vars = await listEfiVariables(dir);
  let effects: EfiEffect[];
  switch (action) {
    case "set-next":
      effects = planSetBootNext(vars, parseBootNumberArg(one(args, action)));
      break;
    case "clear-next":
      if (args.length) throw new UsageError("efi clear-next takes no arguments");
      effects = planClearBootNext();
      break;
    case "set-order": {
      const list = one(args, action);
      effects = planSetBootOrder(list === "" ? [] : list.split(",").map(parseBootNumberArg));
      break;
    }
    case "delete": {
      // Also finishes a delete that was interrupted between its writes (see planBootOptionDeletion).
      const plan = planBootOptionDeletion(vars, parseBootNumberArg(one(args, action)));
      if (plan.note !== undefined) inv.output.info(plan.note);
      effects = plan.effects;
      break;
    }
    case "set-active":
    case "set-inactive":
      effects = planSetBootOptionActive(vars, parseBootNumberArg(one(args, action)), action === "set-active");
      break;
    default:
      throw new UsageError(`efi: unknown action '${action}'`);
  }
  await runEfiPlan(dir, effects, inv);
  return 0;
}
