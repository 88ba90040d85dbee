/**
 * `grub render`: the Boot Loader Specification entries (same discovery and order as `list`)
 * as GRUB script (ops/grub-render.ts), to standard output or, with `--output FILE`, written
 * crash-safely (tmp + fsync + rename) after the script passed our grub-script-check port.
 * `--esp-uuid`/`--boot-uuid` make each entry search its partition by file system UUID;
 * `--esp-prefix`/`--boot-prefix` put a directory before its paths, for a partition GRUB sees as a
 * directory of the file system its `$root` is on (a `/boot` on the root file system: `/boot`).
 * Without them, on the running system (no --root), each partition's prefix is its directory's
 * path on its own file system (adapters/system-relative-path.ts, as GRUB's 10_linux); `/` (a
 * partition of its own) is none. `--boot-prefix /` turns the automatic prefix off.
 */
import { atomicReplace } from "../../../adapters/durable-fs.ts";
import { FileError, UsageError } from "../../../errors.ts";
import { normaliseRoot, rootPathHint, underRoot } from "../../../adapters/root-path.ts";
import { grubPrefixOf } from "../../../adapters/system-relative-path.ts";
import { renderGrubScript, type RenderOptions } from "../../../ops/grub-render.ts";
import { loadMenu } from "../../../actions/boot-menu.ts";
import { refuseJson, type CommandInvocation } from "../../invocation.ts";
import { resolveArgumentPath } from "./files.ts";

function stringOption(options: Record<string, unknown>, name: string): string | undefined {
  const v = options[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** A path prefix as GRUB reads paths: absolute, no NUL or line break; `/` alone means none. */
function prefixOption(options: Record<string, unknown>, name: string, flag: string): string | undefined {
  const v = options[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !v.startsWith("/") || /[\0\n\r]/.test(v)) throw new UsageError(`${flag}: expected an absolute directory as GRUB sees it, such as /boot, got '${String(v)}'`);
  const trimmed = v.replace(/\/+$/, "");
  return trimmed === "" ? undefined : trimmed;
}

export async function runRender(inv: CommandInvocation): Promise<number> {
  if (inv.args.length > 0) throw new UsageError("grub render takes no arguments");
  refuseJson(inv, "grub render");
  const menu = await loadMenu(inv.globals);
  for (const w of menu.warnings) inv.output.warn(w);
  const roots: NonNullable<RenderOptions["roots"]> = {};
  const espUuid = stringOption(inv.options, "espUuid");
  const bootUuid = stringOption(inv.options, "bootUuid");
  const espPrefix = prefixOption(inv.options, "espPrefix", "--esp-prefix");
  const bootPrefix = prefixOption(inv.options, "bootPrefix", "--boot-prefix");
  // Not given: on the running system, the partition's directory as GRUB names it (its path on its
  // own file system, as 10_linux computes it); under --root an image's mounts are unknown: none.
  const live = normaliseRoot(inv.globals.root) === "/";
  const automatic = (dir: string | undefined) => (live && dir !== undefined ? grubPrefixOf(dir) : undefined);
  const espAt = espPrefix ?? (inv.options.espPrefix === undefined ? automatic(menu.partitions.esp?.path) : undefined);
  const bootAt = bootPrefix ?? (inv.options.bootPrefix === undefined ? automatic(menu.partitions.xbootldr?.path) : undefined);
  if (espUuid || espAt) roots.esp = { ...(espUuid ? { uuid: espUuid } : {}), ...(espAt ? { prefix: espAt } : {}) };
  if (bootUuid || bootAt) roots.xbootldr = { ...(bootUuid ? { uuid: bootUuid } : {}), ...(bootAt ? { prefix: bootAt } : {}) };
  const text = renderGrubScript(menu.entries.filter((e) => e.type === "type1" || e.type === "type2"), { roots });
  const output = stringOption(inv.options, "output");
  if (output === undefined) {
    inv.output.write(text);
    return 0;
  }
  const target = await resolveArgumentPath(inv.globals.root, output);
  if (inv.globals.dryRun) {
    inv.output.info(`would write ${output} (${Buffer.byteLength(text)} bytes)`);
    inv.output.write(text);
    return 0;
  }
  try {
    await atomicReplace(inv.globals.root, target, text);
  } catch (err) {
    // Name the file as the user typed it (README, "Paths under --root"), not as found on this machine.
    if (err instanceof FileError && err.path === target && err.message.includes(target)) {
      throw new FileError(err.code, err.message.replace(target, output + underRoot(inv.globals.root)) + rootPathHint(inv.globals.root, output), output, err);
    }
    throw err;
  }
  return 0;
}
