/** `bootctl-ts efi ACTION …`: dispatches to the action's body (loaded lazily). */
import { UsageError } from "../../../errors.ts";
import { refuseJson, type CommandBody, type CommandInvocation } from "../../invocation.ts";

export const ACTIONS: Record<string, () => Promise<{ default: CommandBody }>> = {
  list: () => import("./list.ts"),
  "set-next": () => import("./boot-variables.ts"),
  "clear-next": () => import("./boot-variables.ts"),
  "set-order": () => import("./boot-variables.ts"),
  delete: () => import("./boot-variables.ts"),
  "set-active": () => import("./boot-variables.ts"),
  "set-inactive": () => import("./boot-variables.ts"),
  create: () => import("./create.ts"),
};

export default async function efiCommand(inv: CommandInvocation): Promise<number | void> {
  const [action, ...rest] = inv.args;
  const load = action === undefined ? undefined : ACTIONS[action];
  if (!load) throw new UsageError(`efi: unknown action '${action ?? ""}'; expected one of ${Object.keys(ACTIONS).join(", ")}`);
  // efibootmgr's changes print text only; `efi list` is the one with a JSON form.
  if (action !== "list") refuseJson(inv, `efi ${action}`);
  const body = (await load()).default;
  return body({ ...inv, args: [action!, ...rest] });
}
