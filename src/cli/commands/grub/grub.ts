/** `bootctl-ts grub ACTION`: dispatch to the action's module. */
import { UsageError } from "../../../errors.ts";
import type { CommandInvocation } from "../../invocation.ts";

export const ACTIONS = ["menu", "default", "check", "render"] as const;

export default async function grubCommand(inv: CommandInvocation): Promise<number> {
  const [action, ...rest] = inv.args;
  const sub = { ...inv, args: rest };
  switch (action) {
    case "menu": return (await import("./menu.ts")).runMenu(sub);
    case "default": return (await import("./default.ts")).runDefault(sub);
    case "check": return (await import("./check.ts")).runCheck(sub);
    case "render": return (await import("./render.ts")).runRender(sub);
    default: throw new UsageError(`grub: unknown action '${action ?? ""}' (expected ${ACTIONS.join(", ")})`);
  }
}
