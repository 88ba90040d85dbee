/**
 * Plans of EFI variable changes: what an operation would write or delete, computed purely from
 * the current variables. adapters/efivarfs.ts `applyEfiPlan` carries a plan out; `--dry-run`
 * prints it with `describeEfiEffect`.
 */
import type { EfiVariable } from "../formats/efi/efivarfs-file.ts";

export type EfiEffect =
  | ({ op: "write" } & EfiVariable)
  | ({ op: "delete" } & Pick<EfiVariable, "name" | "guid">);

export function describeEfiEffect(effect: EfiEffect): string {
  if (effect.op === "delete") return `delete ${effect.name}-${effect.guid}`;
  return `write ${effect.name}-${effect.guid} (attributes 0x${effect.attributes.toString(16)}, ${effect.data.length} bytes: ${effect.data.toString("hex")})`;
}
