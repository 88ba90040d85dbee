/** Option helpers shared by the grub verbs (file access lives in adapters/grub-cfg-file.ts). */
import { UsageError } from "../../../errors.ts";

export { readGrubCfg, readTextFile, resolveArgumentPath } from "../../../adapters/grub-cfg-file.ts";

export function requireOption(options: Record<string, unknown>, name: string, flag: string): string {
  const value = options[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`${flag} FILE is required`);
  return value;
}
