/**
 * `grub default [--grub-cfg FILE] [--grubenv FILE]`: which entry GRUB boots without a key press,
 * by evaluating the script against the grubenv (model/grub-eval.ts). Without `--grub-cfg`, the
 * system's grub.cfg (files.ts `grubCfgOption`).
 * - The grubenv is the file GRUB's `load_env` reads by default, `$prefix/grubenv`; without
 *   `--grubenv` that is the `grubenv` next to the grub.cfg, when it exists.
 * - `$prefix` is `(boot)` + the grub.cfg's directory inside the root, `$root` is `boot`;
 *   `grub_platform` is `efi` unless `--platform` says otherwise.
 * - Files the script reads on `(boot)` (`source`, `configfile`, `load_env -f`, `save_env -f`) are
 *   read under the root (actions/grub-files.ts); warnings name them as paths under the root.
 * JSON: `{ title, id, titlePath, indexPath, env, stoppedBy, warnings }`, `env` holding what the
 * boot changes in the grubenv through save_env (`null` = removed); `id` is null for an entry
 * without `--id`.
 */
import * as path from "node:path";
import { readGrubenvFile } from "../../../adapters/grubenv-file.ts";
import { normaliseRoot } from "../../../adapters/root-path.ts";
import { UsageError } from "../../../errors.ts";
import { loadEnvView } from "../../../formats/grubenv.ts";
import { evaluateGrubScript, type EvalOptions } from "../../../model/grub-eval.ts";
import { BOOT_DEVICE, collectGrubFiles, describeGrubPath } from "../../../actions/grub-files.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { readGrubCfgAsGrubRuns, grubCfgOption, resolveArgumentPath } from "./files.ts";

export async function runDefault(inv: CommandInvocation): Promise<number> {
  if (inv.args.length > 0) throw new UsageError("grub default takes no arguments");
  const file = await grubCfgOption(inv.options, inv.globals.root);
  const root = inv.globals.root;
  const { path: cfgPath, script, warnings: syntaxWarnings } = await readGrubCfgAsGrubRuns(root, file);
  const explicit = typeof inv.options.grubenv === "string" ? inv.options.grubenv : undefined;
  const envPath = explicit !== undefined ? await resolveArgumentPath(root, explicit) : path.join(path.dirname(cfgPath), "grubenv");
  const loaded = await readGrubenvFile(envPath);
  if (explicit !== undefined && !loaded) inv.output.warn(`${explicit} does not exist: evaluating as GRUB does without a grubenv`);
  const platform = typeof inv.options.platform === "string" ? inv.options.platform : "efi";
  const imageDir = "/" + path.relative(normaliseRoot(root), path.dirname(cfgPath)).split(path.sep).join("/");
  const options: EvalOptions = {
    grubenv: loaded ? loadEnvView(loaded.block) : undefined,
    variables: { prefix: `(${BOOT_DEVICE})${imageDir === "/" ? "" : imageDir}`, root: BOOT_DEVICE, grub_platform: platform },
    describePath: describeGrubPath,
  };
  const result = evaluateGrubScript(script, { ...options, ...(await collectGrubFiles(root, script, options)) });
  const warnings = [...syntaxWarnings, ...result.warnings];
  for (const w of warnings) inv.output.warn(w);
  const chosen = result.chosen;
  const env = result.changes;
  if (inv.globals.json !== "off") {
    inv.output.printJson({
      title: chosen?.title ?? null,
      id: chosen ? (chosen.hasId ? chosen.id : null) : null,
      titlePath: chosen?.titlePath ?? [],
      indexPath: chosen?.indexPath ?? [],
      env,
      stoppedBy: result.stoppedBy ?? null,
      warnings,
    });
    return 0;
  }
  if (result.stoppedBy) inv.output.line(`the script runs '${result.stoppedBy}' before showing a menu`);
  else if (!chosen) inv.output.line("no menu entry (GRUB shows its command line)");
  else {
    inv.output.line(`title: ${chosen.title}`);
    if (chosen.hasId) inv.output.line(`id: ${chosen.id}`);
    inv.output.line(`path: ${chosen.indexPath.join(">")} (${chosen.titlePath.join(" > ")})`);
  }
  const saves = Object.entries(env).map(([k, v]) => (v === null ? `-${k}` : `${k}=${v}`));
  if (saves.length > 0) inv.output.line(`saves: ${saves.join(" ")}`);
  return 0;
}
