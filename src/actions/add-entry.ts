/**
 * `addEntry` / `removeEntry`: `kernel-install add|remove` for Boot Loader Specification entries,
 * reading the same configuration under the root (systemd 252's kernel-install and
 * 90-loaderentry.install): `/etc/kernel/tries`, `/etc/kernel/cmdline` (then
 * `/usr/lib/kernel/cmdline`, then — only on the running system — `/proc/cmdline` without
 * `BOOT_IMAGE=`/`initrd=`), `/etc/kernel/entry-token`, `/etc/machine-id`, os-release.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { BootctlError, describeErrno, errnoOf } from "../errors.ts";
import { applyPlan, type ApplyOptions } from "../adapters/apply-plan.ts";
import { withBootLock } from "../adapters/boot-lock.ts";
import { discoverBootPartitions } from "../adapters/esp-discovery.ts";
import { inRoot, resolveSafe } from "../adapters/root-path.ts";
import { parseOsRelease } from "../formats/bls/os-release.ts";
import { assertSafeComponent, planAddEntry, planRemoveEntry } from "../ops/add-entry.ts";
import type { Plan } from "../ops/plan.ts";

export interface EntryTarget {
  root?: string;
  espPath?: string | undefined;
  bootPath?: string | undefined;
}

export interface AddEntryOptions extends EntryTarget, ApplyOptions {
  kernelVersion: string;
  kernelImage: string;
  initrds?: readonly string[];
  tries?: number;
  title?: string;
  options?: string;
  entryToken?: string;
  dryRun?: boolean;
}

export interface RemoveEntryOptions extends EntryTarget, ApplyOptions {
  kernelVersion: string;
  entryToken?: string;
  dryRun?: boolean;
}

async function readOptional(root: string, imagePath: string): Promise<string | undefined> {
  try {
    return await readFile(inRoot(root, imagePath), "utf8");
  } catch (err) {
    if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") return undefined;
    throw err;
  }
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (errnoOf(err) === "ENOENT") return [];
    throw err;
  }
}

/** $BOOT: XBOOTLDR when there is one, else the ESP (Boot Loader Specification §"The Partitions"). */
export function bootRootOf(target: EntryTarget): string {
  const found = discoverBootPartitions({ root: target.root ?? "/", espPath: target.espPath, bootPath: target.bootPath });
  const boot = found.xbootldr ?? found.esp;
  if (!boot) throw new BootctlError("E_NO_BOOT_PARTITION", "no ESP or XBOOTLDR partition found; give --esp-path or --boot-path");
  return boot.path;
}

/** kernel-install's `read -r` of the first line, trimmed. */
function firstLine(text: string | undefined): string | undefined {
  const line = text?.split("\n")[0]?.trim();
  return line === "" ? undefined : line;
}

/** /etc/machine-id's id; "uninitialized" (systemd's first-boot marker) counts as none. */
async function machineIdOf(root: string): Promise<string | undefined> {
  const id = firstLine(await readOptional(root, "/etc/machine-id"));
  return id === "uninitialized" ? undefined : id;
}

async function kernelCmdline(root: string): Promise<string> {
  const configured = (await readOptional(root, "/etc/kernel/cmdline")) ?? (await readOptional(root, "/usr/lib/kernel/cmdline"));
  let words: string[];
  if (configured !== undefined) words = configured.split(/[ \t\n]+/);
  else if (root === "/") words = (await readOptional("/", "/proc/cmdline") ?? "").split(/\s+/).filter((w) => !w.startsWith("BOOT_IMAGE=") && !w.startsWith("initrd="));
  else words = [];
  return words.filter((w) => w !== "").join(" ");
}

/** The entry token kernel-install would use for this root and $BOOT. */
export async function resolveEntryToken(root: string, bootRoot: string): Promise<string> {
  const os = parseOsRelease((await readOptional(root, "/etc/os-release")) ?? (await readOptional(root, "/usr/lib/os-release")) ?? "");
  return entryToken(root, bootRoot, await machineIdOf(root), os);
}

async function entryToken(root: string, bootRoot: string, machineId: string | undefined, os: Record<string, string>): Promise<string> {
  const configured = firstLine(await readOptional(root, "/etc/kernel/entry-token"));
  if (configured) return configured;
  const existing = new Set(await listNames(bootRoot));
  for (const candidate of [machineId, os.IMAGE_ID, os.ID, "Default"]) {
    if (candidate && existing.has(candidate)) return candidate;
  }
  if (machineId) return machineId;
  throw new BootctlError("E_NO_ENTRY_TOKEN", "cannot choose an entry token: no /etc/kernel/entry-token and no /etc/machine-id (give --entry-token)");
}

async function triesFromConfig(root: string): Promise<number | undefined> {
  const line = firstLine(await readOptional(root, "/etc/kernel/tries"));
  if (line === undefined) return undefined;
  if (!/^[0-9]+$/.test(line)) throw new BootctlError("E_BAD_TRIES", "/etc/kernel/tries does not contain an integer");
  return Number(line);
}

export async function planAdd(options: AddEntryOptions): Promise<Plan & { entry: string; bootRoot: string }> {
  const root = options.root ?? "/";
  const bootRoot = bootRootOf(options);
  const os = parseOsRelease((await readOptional(root, "/etc/os-release")) ?? (await readOptional(root, "/usr/lib/os-release")) ?? "");
  const machineId = await machineIdOf(root);
  const token = options.entryToken ?? (await entryToken(root, bootRoot, machineId, os));
  const tries = options.tries ?? (await triesFromConfig(root));
  const sources = [options.kernelImage, ...(options.initrds ?? [])];
  for (const source of sources) {
    let isFile = false;
    try {
      isFile = (await stat(source)).isFile();
    } catch (err) {
      throw new BootctlError("E_NOT_FOUND", `cannot read ${source}: ${describeErrno(errnoOf(err))}`);
    }
    if (!isFile) throw new BootctlError("E_NOT_FOUND", `${source} is not a regular file`);
  }
  const existingEntries = await listNames(await resolveSafe(bootRoot, "loader/entries"));
  const sortKey = os.IMAGE_ID ?? os.ID;
  const plan = planAddEntry({
    bootRoot,
    entryToken: token,
    kernelVersion: options.kernelVersion,
    title: options.title ?? os.PRETTY_NAME ?? `Linux ${options.kernelVersion}`,
    options: options.options ?? (await kernelCmdline(root)),
    kernelImage: options.kernelImage,
    initrds: options.initrds ?? [],
    existingEntries,
    ...(machineId ? { machineId } : {}),
    ...(sortKey ? { sortKey } : {}),
    ...(tries === undefined ? {} : { tries }),
  });
  return { ...plan, bootRoot };
}

export async function addEntry(options: AddEntryOptions): Promise<Plan & { entry: string; bootRoot: string }> {
  if (options.dryRun) return planAdd(options);
  return withBootLock(bootRootOf(options), async () => {
    const plan = await planAdd(options);
    await applyPlan(plan, options.seam ? { seam: options.seam } : {});
    return plan;
  });
}

export async function removeEntry(options: RemoveEntryOptions): Promise<Plan> {
  const bootRoot = bootRootOf(options);
  return options.dryRun ? planRemove(options, bootRoot) : withBootLock(bootRoot, () => planRemove(options, bootRoot));
}

async function planRemove(options: RemoveEntryOptions, bootRoot: string): Promise<Plan> {
  const root = options.root ?? "/";
  const token = options.entryToken ?? (await resolveEntryToken(root, bootRoot));
  assertSafeComponent("entry token", token);
  assertSafeComponent("kernel version", options.kernelVersion);
  const existingEntries = await listNames(await resolveSafe(bootRoot, "loader/entries"));
  const kernelFiles = await listNames(await resolveSafe(bootRoot, `${token}/${options.kernelVersion}`));
  const plan = planRemoveEntry({ bootRoot, entryToken: token, kernelVersion: options.kernelVersion, existingEntries, kernelFiles });
  if (!options.dryRun) await applyPlan(plan, options.seam ? { seam: options.seam } : {});
  return plan;
}
