/**
 * `addEntry` / `removeEntry`: `kernel-install add|remove` for Boot Loader Specification entries,
 * reading the same configuration under the root (systemd 252's kernel-install and
 * 90-loaderentry.install): `/etc/kernel/tries`, `/etc/kernel/cmdline` (then
 * `/usr/lib/kernel/cmdline`, then — only on the running system — `/proc/cmdline` without
 * `BOOT_IMAGE=`/`initrd=`), `/etc/kernel/entry-token`, `/etc/machine-id`, os-release.
 */
import { open, readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import { BootctlError, ParseError, UsageError, describeErrno, errnoOf } from "../errors.ts";
import { applyPlan, type ApplyOptions } from "../adapters/apply-plan.ts";
import { withBootLock, withBootLocks } from "../adapters/boot-lock.ts";
import { loadBootEntries } from "../adapters/boot-entries.ts";
import { readBounded, readUkiByHeaders, TEXT_CONFIG_MAX, UKI_MAX } from "../adapters/bounded-read.ts";
import { DEFAULT_EFIVARS_DIR } from "../adapters/efivarfs.ts";
import { locateGrubenv, readGrubenvFile } from "../adapters/grubenv-file.ts";
import { createGrubenv, loadEnvView, parseGrubenv, serializeGrubenv, type GrubenvBlock } from "../formats/grubenv.ts";
import { planGrubTrial, readCountingState } from "../ops/grub-counting.ts";
import { chooseGrubFallback, entryStanding, newestKnownGood } from "../model/known-good.ts";
import type { Effect } from "../ops/plan.ts";
import { detectLoaderForEntries, setDefault, setOneshot, type SelectionResult } from "./select-entry.ts";
import { extractTries } from "../model/boot-counter.ts";
import { grubEntryId, grubIdNames } from "../model/grub-entry-id.ts";
import { discoverBootPartitions } from "../adapters/esp-discovery.ts";
import { confine, inRoot, resolveSafe } from "../adapters/root-path.ts";
import { parseOsRelease } from "../formats/bls/os-release.ts";
import { assertSafeComponent, planAddEntry, planAddUki, planRemoveEntry } from "../ops/add-entry.ts";
import { readPeHeaders, readPeSections } from "../formats/pe/pe-sections.ts";
import { readUki } from "../formats/pe/uki.ts";
import type { Plan } from "../ops/plan.ts";
import { numericIdWarning } from "../model/grub-default.ts";

export interface EntryTarget {
  root?: string;
  espPath?: string | undefined;
  bootPath?: string | undefined;
}

export interface AddEntryOptions extends EntryTarget, ApplyOptions {
  /** Boot loader whose counting to use; default: detected (actions/select-entry.ts). */
  loader?: "systemd-boot" | "grub" | undefined;
  /** efivarfs directory for loader detection and --make-default/--oneshot (default
   * /sys/firmware/efi/efivars; under a root other than `/` read only when explicit:
   * adapters/target-efivars.ts). */
  efivarsPath?: string;
  /** Whether `efivarsPath` was given by the user (default: when it is given at all). */
  efivarsPathExplicit?: boolean;
  /** Make the new entry the default (set-default) or the next boot's entry (set-oneshot). */
  select?: "default" | "oneshot" | undefined;
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
    return (await readBounded(inRoot(root, imagePath), TEXT_CONFIG_MAX, "a configuration file", imagePath)).toString("utf8");
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

export interface AddPlan extends Plan {
  entry: string;
  bootRoot: string;
  loader: "systemd-boot" | "grub";
  /** GRUB: the grubenv the trial is recorded in. */
  grubenv?: string;
  /** What --make-default / --oneshot changed. */
  selection?: SelectionResult;
}

/**
 * True when `file` is a unified kernel image: a PE file with `.linux` and `.osrel` sections
 * (systemd's `pe_is_uki`). Only the headers are read.
 */
export async function isUki(file: string): Promise<boolean> {
  const handle = await open(file, "r");
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const names = readPeHeaders(head.subarray(0, bytesRead)).sections.map((s) => s.name);
    return names.includes(".linux") && names.includes(".osrel");
  } catch (err) {
    if (err instanceof BootctlError) return false;
    throw err;
  } finally {
    await handle.close();
  }
}

/**
 * A file that names itself a UKI (`.linux` and `.osrel` sections) must also be one that boots
 * and lists: every section's data inside the file (systemd's pe_read_section_data() reads
 * min(VirtualSize, SizeOfRawData) bytes at PointerToRawData and refuses a short read; the stub
 * does the same for `.linux`), and `.osrel` readable within systemd's size limit (bootctl list
 * skips the UKI otherwise). Installing one that fails either would add an entry that never boots.
 * Only the headers and the text sections are read (adapters/bounded-read.ts readUkiByHeaders):
 * the offsets are checked against the file's size, and the kernel and initrd are never read.
 */
async function assertBootableUki(file: string): Promise<void> {
  let bytes: Buffer;
  try {
    // By its headers: the section table and the text sections, never the kernel or the initrd.
    bytes = (await readUkiByHeaders(file, UKI_MAX, readPeHeaders)).bytes;
  } catch (err) {
    if (err instanceof BootctlError) {
      if (err instanceof ParseError) throw new BootctlError("E_UKI_INVALID", `${file} is not a usable unified kernel image: ${err.reason}`);
      throw err;
    }
    throw new BootctlError("E_NOT_FOUND", `cannot read ${file}: ${describeErrno(errnoOf(err))}`);
  }
  try {
    readPeSections(bytes);
    const uki = readUki(bytes);
    if (uki.base.error) throw uki.base.error;
  } catch (err) {
    if (err instanceof BootctlError) throw new BootctlError("E_UKI_INVALID", `${file} is not a usable unified kernel image: ${err instanceof ParseError ? err.reason : err.message}`);
    throw err;
  }
}

/** Plans name every directory they need; leave out the ones that exist (dry runs list real changes). */
async function withoutExistingDirectories<T extends Plan>(plan: T): Promise<T> {
  const effects = [];
  for (const effect of plan.effects) {
    if (effect.kind === "mkdir") {
      const present = await stat(confine(effect.root, effect.path)).then((st) => st.isDirectory(), () => false);
      if (present) continue;
    }
    effects.push(effect);
  }
  return { ...plan, effects };
}

/** The efivars directory and whether the caller gave it (adapters/target-efivars.ts decides whether it is read). */
function efivarsOf(options: AddEntryOptions): { efivarsPath: string; efivarsPathExplicit: boolean } {
  return { efivarsPath: options.efivarsPath ?? DEFAULT_EFIVARS_DIR, efivarsPathExplicit: options.efivarsPathExplicit ?? options.efivarsPath !== undefined };
}

export async function planAdd(options: AddEntryOptions): Promise<AddPlan> {
  return withoutExistingDirectories(await planAddUnfiltered(options));
}

async function planAddUnfiltered(options: AddEntryOptions): Promise<AddPlan> {
  if (options.tries === 0) throw new UsageError("--tries 0 would make the entry bad before its first boot (a +0 counter means bad); give 1 or more tries, or leave --tries out for an entry without boot counting");
  // Detection errors surface (an ambiguous grubenv, a refused link, both loaders in an image):
  // guessing would name the entry for the wrong loader.
  const loader = options.loader ?? (await detectLoaderForEntries({ ...options, ...efivarsOf(options) }));
  const root = options.root ?? "/";
  const bootRoot = bootRootOf(options);
  const os = parseOsRelease((await readOptional(root, "/etc/os-release")) ?? (await readOptional(root, "/usr/lib/os-release")) ?? "");
  const machineId = await machineIdOf(root);
  const token = options.entryToken ?? (await entryToken(root, bootRoot, machineId, os));
  // `--tries 0` is refused (the CLI and the library alike): a +0 counter is the Boot Loader
  // Specification's "bad", so the entry would start out as a failed one. /etc/kernel/tries 0 is
  // kept as kernel-install keeps it (90-loaderentry.install writes `+0`), and said plainly.
  const tries = options.tries ?? (await triesFromConfig(root));
  // (GRUB refuses 0: its counting takes 1 to 9 tries.)
  const zeroTries = tries === 0 ? ["warning: /etc/kernel/tries is 0: the entry starts as bad (+0), as kernel-install names it; the loader boots it only when nothing else is left"] : [];
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
  if (await isUki(options.kernelImage)) {
    await assertBootableUki(options.kernelImage);
    if ((options.initrds ?? []).length > 0) throw new BootctlError("E_UKI_INITRD", "a unified kernel image carries its own initrd; give no INITRD arguments");
    if (loader === "grub") throw new BootctlError("E_NOT_SUPPORTED", "unified kernel images are booted by systemd-boot (EFI/Linux); with GRUB add a kernel and its initrd");
    const existingUkis = await listNames(await resolveSafe(bootRoot, "EFI/Linux"));
    const uki = planAddUki({ bootRoot, entryToken: token, kernelVersion: options.kernelVersion, uki: options.kernelImage, existingUkis, ...(tries === undefined ? {} : { tries }) });
    // A UKI carries its own .osrel (title) and .cmdline; systemd-boot does not take them from outside.
    if (options.title !== undefined || options.options !== undefined) uki.notes.push("--title and --options do not apply to a unified kernel image (it carries its own .osrel and .cmdline); ignored");
    if (tries !== undefined) uki.notes.push(...zeroTries, ...(await knownGoodNotes(bootRoot, options, uki.entry)));
    return { ...uki, bootRoot, loader };
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
    // GRUB does not read counters in file names: the tries go to the grubenv instead.
    ...(tries === undefined || loader === "grub" ? {} : { tries }),
  });
  if (tries === undefined) return { ...plan, bootRoot, loader };
  if (loader !== "grub") return { ...plan, notes: [...plan.notes, ...zeroTries, ...(await knownGoodNotes(bootRoot, options, plan.entry))], bootRoot, loader };
  return { ...(await withGrubTrial(options, plan, bootRoot, tries)), loader };
}

/**
 * GRUB: record the new entry as the trial, with the fallback `chooseGrubFallback` picks
 * (model/known-good.ts: saved_entry when it is known to boot, else the newest entry known to
 * boot; a warning when there is none). The grubenv is written before the entry appears, and
 * grub.cfg gets the trial's menu entry only when it is regenerated (update-grub / `grub render`).
 * Until then the trial has no menu entry: GRUB boots the fallback, uses no try, and the boot's
 * record names the fallback, so `bless-boot` refuses to mark the trial (grub/README.md). A stop
 * between the two writes leaves that same state.
 */
async function withGrubTrial(options: AddEntryOptions, plan: Plan & { entry: string }, bootRoot: string, tries: number): Promise<Omit<AddPlan, "loader">> {
  const root = options.root ?? "/";
  const location = await locateGrubenv(root, undefined, { espPath: options.espPath });
  // As `grub-editenv FILE set` does (grub-core/lib/envblk.c via util/grub-editenv.c open_envblk_file):
  // a missing file is created as a fresh 1024-byte block, but only inside a GRUB directory that exists
  // (update-grub makes grub.cfg and no grubenv; grub-install would have made both).
  const existing = await readGrubenvFile(location.path);
  const loaded = existing ?? { block: await freshGrubenvIn(location.path) };
  const found = discoverBootPartitions({ root, espPath: options.espPath, bootPath: options.bootPath });
  const menu = loadBootEntries({ esp: found.esp?.path, xbootldr: found.xbootldr?.path });
  const trial = grubEntryId(plan.entry);
  const counting = readCountingState(loaded.block);
  const savedValue = loadEnvView(loaded.block).get("saved_entry");
  const choice = chooseGrubFallback(menu.entries, counting, savedValue, trial);
  const fallback = choice.id;
  const exists = (id: string) => id === trial || menu.entries.some((e) => grubIdNames(e.id, id));
  const block = planGrubTrial(loaded.block, { trial, tries, fallback, exists });
  const write: Effect = { kind: "write-file", root, path: path.relative(path.resolve(root), location.path), content: serializeGrubenv(block) };
  const entryWrite = plan.effects.findIndex((e) => e.kind === "write-file");
  const effects = [...plan.effects.slice(0, entryWrite), write, ...plan.effects.slice(entryWrite)];
  const notes = [
    ...plan.notes,
    ...(existing === undefined ? [`GRUB: ${location.imagePath} does not exist yet: created as a fresh environment block`] : []),
    `GRUB: ${trial} gets ${tries} tries, then ${fallback} boots (${choice.source})`,
    ...(choice.standing.kind === "good" ? [] : [`GRUB: warning: ${noKnownGoodWarning(trial, fallback, choice.standing.reason)}`]),
    `GRUB: regenerate grub.cfg (update-grub, grub-mkconfig or 'bootctl-ts grub render') so that ${trial} has a menu entry; until then ${fallback} boots and no try is used`,
    ...[trial, fallback].map(numericIdWarning).filter((w): w is string => w !== undefined).map((w) => `GRUB: warning: ${w}`),
  ];
  return { effects, notes, entry: plan.entry, bootRoot, grubenv: location.path };
}

/** A fresh block for a grubenv that does not exist yet, when its directory does; otherwise E_NOT_FOUND. */
async function freshGrubenvIn(file: string): Promise<GrubenvBlock> {
  const dir = await stat(path.dirname(file)).catch((err: unknown) => {
    if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") return undefined;
    throw err;
  });
  if (!dir?.isDirectory()) throw new BootctlError("E_NOT_FOUND", `no GRUB environment block at ${file}, and no GRUB directory to create it in (create it with 'bootctl-ts grubenv create')`);
  return parseGrubenv(createGrubenv());
}

function noKnownGoodWarning(entry: string, fallback: string | undefined, reason: string | undefined): string {
  const then = fallback === undefined ? "nothing is left to boot" : `the fallback is ${fallback}, ${reason}`;
  return `no entry is known to boot if ${entry} never does: ${then}`;
}

/**
 * systemd-boot: sd-boot falls back by itself (an entry out of tries sorts last), to whatever its
 * selection then finds; warn when no other entry is known to boot (model/known-good.ts), naming
 * the entry it would try next.
 */
async function knownGoodNotes(bootRoot: string, options: AddEntryOptions, entry: string): Promise<string[]> {
  const found = discoverBootPartitions({ root: options.root ?? "/", espPath: options.espPath, bootPath: options.bootPath });
  const menu = loadBootEntries({ esp: found.esp?.path ?? bootRoot, xbootldr: found.xbootldr?.path });
  const stripped = extractTries(entry).stripped;
  const others = menu.entries.filter((e) => e.id !== stripped);
  if (newestKnownGood(others) !== undefined) return [];
  const next = others.find((e) => entryStanding(e).kind !== "bad") ?? others[0];
  return [`warning: ${noKnownGoodWarning(stripped, next?.id, next ? entryStanding(next).reason : undefined)}`];
}

export async function addEntry(options: AddEntryOptions): Promise<AddPlan> {
  const root = options.root ?? "/";
  const plan = options.dryRun
    ? await planAdd(options)
    : await withBootLocks([bootRootOf(options), path.dirname((await locateGrubenv(root, undefined, { espPath: options.espPath })).path)], async () => {
        const p = await planAdd(options);
        await applyPlan(p, options.seam ? { seam: options.seam } : {});
        return p;
      });
  if (!options.select) return plan;
  // The entry exists now; only then may a variable or loader.conf name it. setDefault/setOneshot
  // take the lock of the file they change (loader.conf: the ESP's; grubenv: its directory's).
  const stripped = extractTries(plan.entry).stripped;
  const target = {
    root, espPath: options.espPath, bootPath: options.bootPath, loader: plan.loader, dryRun: options.dryRun === true,
    // The entry is the one just added (not on disk in a dry run; not in grub.cfg until it is regenerated).
    force: true,
    ...efivarsOf(options),
  };
  const id = plan.loader === "grub" ? grubEntryId(stripped) : stripped;
  const selection = options.select === "default" ? await setDefault(target, id) : await setOneshot(target, id);
  return { ...plan, selection };
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
  const existingUkis = await listNames(await resolveSafe(bootRoot, "EFI/Linux"));
  const kernelDir = await resolveSafe(bootRoot, `${token}/${options.kernelVersion}`);
  const kernelFiles = await listNames(kernelDir);
  const kernelDirectory = await stat(kernelDir).then((st) => st.isDirectory(), () => false);
  const plan = planRemoveEntry({ bootRoot, entryToken: token, kernelVersion: options.kernelVersion, existingEntries, existingUkis, kernelFiles, kernelDirectory });
  if (!options.dryRun) await applyPlan(plan, options.seam ? { seam: options.seam } : {});
  return plan;
}
