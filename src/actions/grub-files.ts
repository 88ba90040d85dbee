/**
 * The files a grub.cfg reads at boot (`source`, `configfile`, `load_env -f`, `save_env -f`), read
 * from the image so the evaluator (model/grub-eval.ts) can follow them. GRUB names them by device:
 * the image's boot device is `(boot)`, set as `$root` and in `$prefix` (see grub default), so a
 * GRUB path `(boot)/x` is the file `/x` under the root; files on other devices are not known and
 * the evaluator treats them as missing (with a warning). Paths are found by running the script:
 * each run names the files it missed, they are read, and it runs again until nothing new is asked
 * for (file names may be built from variables, e.g. Mender's `${mender_grubenv}/env`).
 */
import { BootctlError } from "../errors.ts";
import { loadEnvView, parseGrubenv } from "../formats/grubenv.ts";
import type { Script } from "../formats/grubcfg/ast.ts";
import { evaluateGrubScript, type EvalOptions } from "../model/grub-eval.ts";
import { readTextFile } from "../adapters/grub-cfg-file.ts";

/** The GRUB device of the image's boot file system. */
export const BOOT_DEVICE = "boot";

/** `(boot)/x` → `/x` (as the file is named under --root); other devices unchanged. */
export function describeGrubPath(grubPath: string): string {
  const prefix = `(${BOOT_DEVICE})`;
  return grubPath.startsWith(prefix) ? grubPath.slice(prefix.length) || "/" : grubPath;
}

export interface GrubFiles {
  /** Environment files by GRUB path (besides the grubenv). */
  files: Record<string, ReadonlyMap<string, string>>;
  /** Script texts by GRUB path. */
  scripts: Record<string, string>;
}

const SIGNATURE = "# GRUB Environment Block\n";

/** Read the files of the image `script` asks for when run with `options`; up to `rounds` passes. */
export async function collectGrubFiles(root: string, script: Script, options: EvalOptions, rounds = 8): Promise<GrubFiles> {
  const out: GrubFiles = { files: { ...(options.files ?? {}) }, scripts: { ...(options.scripts ?? {}) } };
  const tried = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    let missing: string[];
    try {
      missing = evaluateGrubScript(script, { ...options, files: out.files, scripts: out.scripts }).missing;
    } catch (err) {
      if (err instanceof BootctlError) break;
      throw err;
    }
    // The grubenv itself is the caller's (given, or known to be absent).
    const grubenv = `${options.variables?.prefix ?? ""}/grubenv`.replace(/\/+/g, "/");
    const fresh = missing.filter((p) => !tried.has(p) && p !== grubenv);
    if (fresh.length === 0) break;
    for (const p of fresh) {
      tried.add(p);
      const prefix = `(${BOOT_DEVICE})`;
      if (!p.startsWith(prefix)) continue;
      let text: string;
      try {
        text = (await readTextFile(root, p.slice(prefix.length) || "/")).text;
      } catch (err) {
        if (err instanceof BootctlError) continue; // missing, unreadable or outside the root or unreadable: GRUB fails the command too
        throw err;
      }
      out.scripts[p] = text;
      if (text.startsWith(SIGNATURE)) {
        try {
          out.files[p] = loadEnvView(parseGrubenv(Buffer.from(text, "utf8")));
        } catch (err) {
          if (!(err instanceof BootctlError)) throw err;
        }
      }
    }
  }
  return out;
}
