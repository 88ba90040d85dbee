/**
 * Plans of EFI variable changes: what an operation would write or delete, computed purely from
 * the current variables. adapters/efivarfs.ts `applyEfiPlan` carries a plan out; `--dry-run`
 * prints it with `describeEfiEffect`.
 */
export type EfiEffect =
  | { op: "write"; name: string; guid: string; attributes: number; data: Buffer }
  | { op: "delete"; name: string; guid: string };

export function describeEfiEffect(effect: EfiEffect): string {
  if (effect.op === "delete") return `delete ${effect.name}-${effect.guid}`;
  return `write ${effect.name}-${effect.guid} (attributes 0x${effect.attributes.toString(16)}, ${effect.data.length} bytes: ${effect.data.toString("hex")})`;
}
