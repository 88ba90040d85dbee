/**
 * `unlinkEntry` and `cleanupBootFiles` (bootctl unlink / cleanup; ops/unlink-entry.ts): load the
 * menu of the ESP and XBOOTLDR, plan, and apply unless `dryRun`.
 */
import { readdir } from "node:fs/promises";
import * as path from "node:path";
import { errnoOf } from "../errors.ts";
import { applyPlan, type ApplyOptions } from "../adapters/apply-plan.ts";
import { withBootLocks } from "../adapters/boot-lock.ts";
import { loadBootEntries } from "../adapters/boot-entries.ts";
import { discoverBootPartitions } from "../adapters/esp-discovery.ts";
import { resolveSafe } from "../adapters/root-path.ts";
import { planCleanup, planUnlink } from "../ops/unlink-entry.ts";
import type { Plan } from "../ops/plan.ts";
import { bootRootOf, resolveEntryToken, type EntryTarget } from "./add-entry.ts";

export interface UnlinkOptions extends EntryTarget, ApplyOptions {
  dryRun?: boolean;
}

function partitionsOf(options: EntryTarget) {
  return discoverBootPartitions({ root: options.root ?? "/", espPath: options.espPath, bootPath: options.bootPath });
}

async function loadMenu(options: EntryTarget) {
  const found = partitionsOf(options);
  return loadBootEntries({ esp: found.esp?.path, xbootldr: found.xbootldr?.path });
}

/** Run `body` under the locks of the ESP and XBOOTLDR (not for dry runs, which change nothing). */
function locked<T>(options: UnlinkOptions, body: () => Promise<T>): Promise<T> {
  if (options.dryRun) return body();
  const found = partitionsOf(options);
  return withBootLocks([found.esp?.path, found.xbootldr?.path].filter((p): p is string => p !== undefined), body);
}

export async function unlinkEntry(id: string, options: UnlinkOptions): Promise<Plan & { unlinked: string[] }> {
  return locked(options, async () => {
    const menu = await loadMenu(options);
    const plan = planUnlink(menu.entries, id);
    if (!options.dryRun) await applyPlan(plan, options.seam ? { seam: options.seam } : {});
    return plan;
  });
}

export async function cleanupBootFiles(options: UnlinkOptions & { entryToken?: string }): Promise<Plan> {
  const root = options.root ?? "/";
  const bootRoot = bootRootOf(options);
  const token = options.entryToken ?? (await resolveEntryToken(root, bootRoot));
  const dir = await resolveSafe(bootRoot, token);
  let files: string[] = [];
  let directories: string[] = [];
  try {
    const found = await readdir(dir, { recursive: true, withFileTypes: true });
    // The directory of a Dirent: `parentPath` (Node >= 18.20 / 20.12); `path`, its old name, is
    // gone in Node 24, and Node 18.19 has only `path`.
    const parentOf = (d: (typeof found)[number]) => (d as { parentPath?: string }).parentPath ?? d.path;
    const relative = (d: (typeof found)[number]) => path.relative(bootRoot, path.join(parentOf(d), d.name)).split(path.sep).join("/");
    files = found.filter((d) => d.isFile()).map(relative);
    directories = found.filter((d) => d.isDirectory()).map(relative);
  } catch (err) {
    if (errnoOf(err) !== "ENOENT") throw err;
  }
  return locked(options, async () => {
    const menu = await loadMenu(options);
    const plan = planCleanup({ entries: menu.entries, root: bootRoot, entryToken: token, files, directories });
    if (!options.dryRun) await applyPlan(plan, options.seam ? { seam: options.seam } : {});
    return plan;
  });
}
