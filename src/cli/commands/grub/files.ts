/** Option helpers shared by the grub verbs (file access lives in adapters/grub-cfg-file.ts). */
import { BootctlError, UsageError } from "../../../errors.ts";
import { DEFAULT_GRUB_CFG_PATHS, findGrubCfg } from "../../../adapters/grub-cfg-file.ts";
import { normaliseRoot } from "../../../adapters/root-path.ts";

export { readGrubCfg, readGrubCfgAsGrubRuns, readTextFile, resolveArgumentPath } from "../../../adapters/grub-cfg-file.ts";

/**
 * `--grub-cfg FILE` when given (inside the root), else the system's grub.cfg, found as `status`
 * and `predict` find it: the first of /boot/grub/grub.cfg, /boot/grub2/grub.cfg under the root.
 */
export async function grubCfgOption(options: Record<string, unknown>, root: string): Promise<string> {
  const value = options.grubCfg;
  if (value !== undefined) {
    if (typeof value !== "string" || value === "") throw new UsageError("--grub-cfg needs a FILE");
    return value;
  }
  const found = await findGrubCfg(root);
  if (found === undefined) {
    const base = normaliseRoot(root);
    throw new BootctlError("E_NOT_FOUND", `no grub.cfg${base === "/" ? "" : ` under ${base}`} (looked for ${DEFAULT_GRUB_CFG_PATHS.join(", ")}); give --grub-cfg FILE`);
  }
  return found;
}
