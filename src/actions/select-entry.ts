/**
 * `setDefault`, `setOneshot`, `setTimeout`, `setTimeoutOneshot` over both boot loaders:
 *
 * - systemd-boot: the Boot Loader Interface variables, exactly as bootctl writes them
 *   (ops/loader-variables.ts: LoaderEntryDefault, LoaderEntryOneShot, LoaderConfigTimeout,
 *   LoaderConfigTimeoutOneShot, with @current/@oneshot/@default/@saved and "" to remove); on an
 *   image without its variables, loader.conf's `default` and `timeout` instead;
 * - GRUB: the environment block, like grub-set-default (`saved_entry=ENTRY`) and grub-reboot
 *   (`next_entry=ENTRY`); ENTRY is an index path, a title or an id (`>` between menu levels), as
 *   GRUB's `default` accepts it; "" removes the variable. Timeouts live in grub.cfg: refused.
 *
 * Writers never lose each other's update: the grubenv is edited under its directory's lock
 * (adapters/grubenv-file.ts editGrubenvFile) and loader.conf under the ESP's
 * (adapters/boot-lock.ts), the locks `add` and `bless-boot` take for the same files.
 *
 * Which loader: `detectLoader` (below).
 *
 * Entry ids are checked against the menu before anything is written (model/entry-match.ts for
 * how each loader matches them): a value that matches no entry is refused with E_NO_SUCH_ENTRY
 * unless `force` is set; "" (remove) and the `@` keywords are not checked. systemd-boot: the Boot
 * Loader Specification entries on the ESP and XBOOTLDR, plus `LoaderEntries` when the variables
 * are read. GRUB: grub.cfg's menu when there is a grub.cfg (its static entries; with blscfg also
 * the entries blscfg makes from the BLS files); without grub.cfg nothing can be checked.
 */
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { readBounded, TEXT_CONFIG_MAX } from "../adapters/bounded-read.ts";
import { BootctlError, FileError, UsageError, describeErrno, errnoOf } from "../errors.ts";
import { resolveSafe } from "../adapters/root-path.ts";
import { targetEfivarsPath } from "../adapters/target-efivars.ts";
import { withBootLock } from "../adapters/boot-lock.ts";
import { atomicReplace, mkdirDurable } from "../adapters/durable-fs.ts";
import { parseLoaderConf, removeLoaderConfKey, serializeLoaderConf, setLoaderConfValue } from "../formats/bls/loader-conf.ts";
import { applyEfiPlan, listEfiVariables, readEfiString, requireEfivarsDir } from "../adapters/efivarfs.ts";
import { discoverBootPartitions } from "../adapters/esp-discovery.ts";
import { editGrubenvFile, locateGrubenv, readGrubenvFile } from "../adapters/grubenv-file.ts";
import { LOADER_VENDOR_GUID } from "../formats/efi/guids.ts";
import { loadEnvView, setVariable, unsetVariable } from "../formats/grubenv.ts";
import { findGrubCfg, readGrubCfg } from "../adapters/grub-cfg-file.ts";
import type { MenuNode } from "../formats/grubcfg/menu.ts";
import { readGrubMenu } from "../model/grub-menu.ts";
import { evaluateGrubScript } from "../model/grub-eval.ts";
import { numericIdWarning } from "../model/grub-default.ts";
import { grubBareName, grubEntryId } from "../model/grub-entry-id.ts";
import { listEntryIdsSync } from "../adapters/boot-entries.ts";
import type { EfiEffect } from "../ops/efi-plan.ts";
import { planSetDefault, planSetOneshot, planSetTimeout, planSetTimeoutOneshot, timeoutValue } from "../ops/loader-variables.ts";
import { loadBootEntries } from "../adapters/boot-entries.ts";
import { decodeUcs2List } from "../formats/efi/ucs2.ts";
import { resolveGrubValue, SD_BOOT_AUTO_ENTRY_IDS, sdBootValueMatches, type GrubMenuLevelEntry } from "../model/entry-match.ts";

export type BootLoaderKind = "systemd-boot" | "grub";

export interface SelectionTarget {
  root?: string;
  espPath?: string | undefined;
  bootPath?: string | undefined;
  efivarsPath: string;
  efivarsPathExplicit?: boolean;
  loader?: BootLoaderKind | undefined;
  dryRun?: boolean;
  /** Write an entry id that matches no entry of the menu (checkEntryValue) anyway. */
  force?: boolean;
}

export interface SelectionResult {
  loader: BootLoaderKind;
  /** Things the user should know (e.g. a GRUB configuration that ignores saved_entry). */
  warnings: string[];
  /** Human-readable changes ("write LoaderEntryDefault-… ", "set saved_entry=…"). */
  changes: string[];
  /** Where: the efivars directory or the grubenv file. */
  target: string;
  dryRun: boolean;
}

/**
 * Which boot loader the target uses. Precedence:
 *   1. `--loader`, when given;
 *   2. the target's EFI variables (adapters/target-efivars.ts: the host's only for the host's
 *      own root, else only an explicit `--efivars-path`): `LoaderInfo` starting "systemd-boot"
 *      means systemd-boot booted it (the Boot Loader Interface; sd-boot always sets it);
 *   3. the target's files. GRUB: a grubenv (`locateGrubenv`) or a grub.cfg (/boot/grub{,2}).
 *      systemd-boot: its binary on the ESP, `EFI/systemd/systemd-boot*.efi` (where `bootctl
 *      install` puts it). Boot Loader Specification entries alone say nothing: GRUB reads them
 *      too (grub/20_bootctl-ts, blscfg).
 *      - When the target's variables were read (step 2) and did not name systemd-boot, it did not
 *        boot the target: GRUB files mean GRUB (as before variables were consulted at all).
 *      - In an image (no variables): GRUB files without the systemd-boot binary mean GRUB, the
 *        binary without GRUB files systemd-boot, and both at once is refused with
 *        E_AMBIGUOUS_BOOT_LOADER (the image's firmware boot order decides, which the files do
 *        not show: give `--loader`).
 *      - Neither: a `loader/` directory on the ESP or $BOOT (the systemd-boot layout) means
 *        systemd-boot;
 *   4. otherwise E_NO_BOOT_LOADER (nothing of either loader is installed yet).
 * Errors reading the files (a grubenv location that is ambiguous, a refused symbolic link)
 * are thrown, never taken for an answer.
 */
export async function detectLoader(target: SelectionTarget): Promise<BootLoaderKind> {
  if (target.loader) return target.loader;
  const efivars = targetEfivarsPath(target);
  if (efivars !== undefined && existsSync(efivars)) {
    const info = await readEfiString(efivars, "LoaderInfo", LOADER_VENDOR_GUID);
    if (info?.startsWith("systemd-boot")) return "systemd-boot";
  }
  const root = target.root ?? "/";
  const grubenv = await locateGrubenv(root, undefined, { espPath: target.espPath });
  const grubFile = grubenv.exists ? grubenv.imagePath : await findGrubCfg(root);
  const found = discoverBootPartitions({ root, espPath: target.espPath, bootPath: target.bootPath });
  const sdBoot = found.esp ? await systemdBootBinary(found.esp.path) : undefined;
  if (grubFile !== undefined && (sdBoot === undefined || efivars !== undefined)) return "grub";
  if (grubFile !== undefined && sdBoot !== undefined) {
    throw new BootctlError("E_AMBIGUOUS_BOOT_LOADER", `cannot tell which boot loader the image uses: both GRUB (${grubFile}) and systemd-boot (${sdBoot}) are installed; use --loader systemd-boot|grub`);
  }
  if (sdBoot !== undefined) return "systemd-boot";
  for (const partition of [found.esp, found.xbootldr]) {
    if (partition && existsSync(await resolveSafe(partition.path, "loader"))) return "systemd-boot";
  }
  throw new BootctlError("E_NO_BOOT_LOADER", "cannot tell which boot loader is in use (no systemd-boot variables, no grubenv or grub.cfg, no systemd-boot or loader/ on the ESP); use --loader systemd-boot|grub");
}

/**
 * `detectLoader` for verbs that work on Boot Loader Specification entries (`add`, `predict`):
 * where neither loader is installed yet (E_NO_BOOT_LOADER), kernel-install's own layout, the
 * systemd-boot one: entries with counters in their file names (GRUB could not count there
 * anyway: it has no grubenv). Every other error of the detection is thrown.
 */
export async function detectLoaderForEntries(target: SelectionTarget): Promise<BootLoaderKind> {
  try {
    return await detectLoader(target);
  } catch (err) {
    if (err instanceof BootctlError && err.code === "E_NO_BOOT_LOADER") return "systemd-boot";
    throw err;
  }
}

/** The systemd-boot binary on the ESP (`EFI/systemd/systemd-boot<arch>.efi`), as a path inside the ESP. */
async function systemdBootBinary(esp: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(await resolveSafe(esp, "EFI/systemd"));
  } catch (err) {
    if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") return undefined;
    throw err;
  }
  const binary = names.sort().find((n) => /^systemd-boot.*\.efi$/i.test(n));
  return binary === undefined ? undefined : `EFI/systemd/${binary}`;
}

async function applyEfi(target: SelectionTarget, plan: (vars: Awaited<ReturnType<typeof listEfiVariables>>) => EfiEffect[], check?: string): Promise<SelectionResult> {
  const efivars = targetEfivarsPath(target);
  if (efivars === undefined) throw new BootctlError("E_NOT_EFI", "under --root the host's EFI variables are not the image's: give --efivars-path for a directory of the image's variables");
  const dir = await requireEfivarsDir(efivars, target.efivarsPathExplicit ?? false);
  const vars = await listEfiVariables(dir);
  if (check !== undefined) {
    const listed = vars.find((v) => v.guid.toLowerCase() === LOADER_VENDOR_GUID && v.name === "LoaderEntries")?.data;
    checkSdBootValue(target, check, listed ? decodeUcs2List(listed).filter((e) => e !== "") : undefined);
  }
  const effects = plan(vars);
  const changes = effects.map((e) => (e.op === "delete" ? `delete ${e.name}` : `set ${e.name}=${JSON.stringify(e.data.toString("utf16le").replace(/\0$/, ""))}`));
  if (!target.dryRun) await applyEfiPlan(dir, effects);
  return { loader: "systemd-boot", changes, target: dir, dryRun: target.dryRun === true, warnings: [] };
}

async function applyGrubenv(target: SelectionTarget, name: "saved_entry" | "next_entry", { value, blscfg }: GrubValue): Promise<SelectionResult> {
  const root = target.root ?? "/";
  const location = await locateGrubenv(root, undefined, { espPath: target.espPath });
  if (/[\n]/.test(value)) throw new UsageError("an entry name may not contain a newline");
  await editGrubenvFile(root, location.path, (block) => (value === "" ? unsetVariable(block, name) : setVariable(block, name, value)), { dryRun: target.dryRun === true });
  const warnings = name === "saved_entry" && value !== "" ? await savedEntryWarnings(root, value) : [];
  // blscfg's GRUB (Fedora's) reads a value as a number only when all of it is one.
  const numeric = value === "" || blscfg ? undefined : numericIdWarning(value);
  if (numeric) warnings.push(numeric);
  return { loader: "grub", changes: [value === "" ? `unset ${name}` : `set ${name}=${value}`], target: location.path, dryRun: target.dryRun === true, warnings };
}

/**
 * grub-set-default only takes effect when grub.cfg boots `${saved_entry}` (GRUB_DEFAULT=saved in
 * grub-mkconfig; blscfg configs do it too). Run the configuration through the evaluator with
 * that saved_entry and say so when `default` does not follow it.
 */
async function savedEntryWarnings(root: string, value: string): Promise<string[]> {
  const cfg = await findGrubCfg(root);
  if (cfg === undefined) return [];
  try {
    const { script } = await readGrubCfg(root, cfg);
    const result = evaluateGrubScript(script, { grubenv: new Map([["saved_entry", value]]) });
    if (result.variables.get("default") === value) return [];
    return [`${cfg} does not boot saved_entry (no GRUB_DEFAULT=saved logic): the default stays '${result.variables.get("default") ?? "0"}'`];
  } catch (err) {
    if (err instanceof BootctlError) return [`cannot check ${cfg}: ${err.message}`];
    throw err;
  }
}

/**
 * systemd-boot on an image (`--root` other than `/`) without a directory of EFI variables
 * (adapters/target-efivars.ts): the image's loader.conf `default` is the only persistent choice
 * (bootctl refuses --root here).
 */
function offlineImage(target: SelectionTarget): boolean {
  return targetEfivarsPath(target) === undefined;
}

async function applyLoaderConfDefault(target: SelectionTarget, id: string): Promise<SelectionResult> {
  // One word on one line: systemd's loader.conf reader ends a line at LF, CR or NUL.
  if (/[\s"\0]/.test(id)) throw new UsageError(`entry id for loader.conf may not contain blanks, quotes or NUL: '${id.replace(/\0/g, "\\0")}'`);
  return applyLoaderConf(target, "default", id);
}

/**
 * systemd-boot on an image: `set-timeout` writes loader.conf's `timeout`, the setting the image's
 * systemd-boot reads when no LoaderConfigTimeout variable overrides it (loader.conf(5)), in the
 * ESP's `loader/loader.conf` that `bootctl --root=… install` writes (bootctl itself refuses
 * set-timeout under --root). The value in loader.conf's words: whole seconds, `menu-force`,
 * `menu-hidden`, `menu-disabled` (systemd-boot 255 and later; older ones ignore the line with an
 * error); "" removes the line.
 */
async function applyLoaderConfTimeout(target: SelectionTarget, value: string): Promise<SelectionResult> {
  const word = value === "" || value === "menu-force" || value === "menu-hidden" || value === "menu-disabled" ? value : timeoutValue([], value);
  return applyLoaderConf(target, "timeout", word);
}

async function applyLoaderConf(target: SelectionTarget, key: "default" | "timeout", value: string): Promise<SelectionResult> {
  const found = discoverBootPartitions({ root: target.root ?? "/", espPath: target.espPath, bootPath: target.bootPath });
  if (!found.esp) throw new BootctlError("E_NO_BOOT_PARTITION", "no ESP found for loader.conf; give --esp-path");
  const esp = found.esp.path;
  // Read, change and write under the ESP's lock (the one add and bless-boot take for it).
  const edit = () => editLoaderConfKey(esp, key, value, target.dryRun === true);
  const file = target.dryRun ? await edit() : await withBootLock(esp, edit);
  return { loader: "systemd-boot", changes: [value === "" ? `remove ${key} from loader.conf` : `set ${key} ${value} in loader.conf`], target: file, dryRun: target.dryRun === true, warnings: [] };
}

/** The read-modify-write of one loader.conf key; returns the file's path. */
async function editLoaderConfKey(esp: string, key: "default" | "timeout", id: string, dryRun: boolean): Promise<string> {
  // Checked before it is read: a loader.conf (or loader/) that is a symbolic link is refused,
  // never followed out of the ESP (root-path.ts; systemd's CHASE_PROHIBIT_SYMLINKS on the ESP).
  const file = await resolveSafe(esp, "loader/loader.conf");
  const text = await readBounded(file, TEXT_CONFIG_MAX, "a loader.conf").then((b) => b.toString("utf8"), (err) => {
    if (err instanceof BootctlError) throw err;
    if (errnoOf(err) === "ENOENT") return "";
    throw new FileError("E_READ", `cannot read ${file}: ${describeErrno(errnoOf(err))}`, file, err);
  });
  const doc = parseLoaderConf(text);
  const next = serializeLoaderConf(id === "" ? removeLoaderConfKey(doc, key) : setLoaderConfValue(doc, key, id));
  if (!dryRun && next !== text) {
    await mkdirDurable(esp, "loader");
    await atomicReplace(esp, "loader/loader.conf", next);
  }
  return file;
}

/** What to write for GRUB, and whether GRUB reads it by id only (blscfg's patched GRUB). */
interface GrubValue {
  value: string;
  /** True when grub.cfg runs blscfg: its GRUB reads a value as a number only when all of it is one. */
  blscfg: boolean;
}

/**
 * The value to write for GRUB when an entry is named: a name of one of the menu's Boot Loader
 * Specification entries (its id, with or without `.conf`, or its GRUB id) becomes that entry's
 * GRUB id (`grubEntryId`: `bls:` before a name GRUB would read as a number), unless grub.cfg
 * knows the entries by their bare names (blscfg, or a static entry with the bare id). Anything
 * else (an index such as `2`, a title, the id of another generator's entry) is written as given,
 * as grub-set-default does. Entries are known by their file names (no file is read).
 */
async function grubValueFor(target: SelectionTarget, value: string): Promise<GrubValue> {
  const root = target.root ?? "/";
  if (value === "") return { value, blscfg: false };
  const cfg = await grubCfgIds(root);
  if (/^[0-9]+$/.test(value)) return { value, blscfg: cfg.blscfg };
  let ids: string[];
  try {
    const found = discoverBootPartitions({ root, espPath: target.espPath, bootPath: target.bootPath });
    ids = found.esp || found.xbootldr ? listEntryIdsSync({ esp: found.esp?.path, xbootldr: found.xbootldr?.path }) : [];
  } catch (err) {
    // No partitions to read entries from (a GRUB install without an ESP): no name to translate.
    if (!(err instanceof BootctlError)) throw err;
    ids = [];
  }
  const named = ids.find((id) => id === value || grubEntryId(id) === value || grubBareName(id) === value);
  if (named === undefined) return { value, blscfg: cfg.blscfg };
  const id = grubEntryId(named);
  const bare = grubBareName(named);
  const useBare = id !== bare && !cfg.ids.has(id) && (cfg.ids.has(bare) || cfg.blscfg);
  return { value: useBare ? bare : id, blscfg: cfg.blscfg };
}

/**
 * The menu entry ids of grub.cfg's static menu, and whether it runs blscfg (entries built at boot
 * from the BLS entries, with their bare names as ids). No grub.cfg, or one we cannot read: none.
 */
async function grubCfgIds(root: string): Promise<{ ids: Set<string>; blscfg: boolean }> {
  const ids = new Set<string>();
  const cfg = await findGrubCfg(root);
  if (cfg === undefined) return { ids, blscfg: false };
  try {
    const menu = readGrubMenu((await readGrubCfg(root, cfg)).script);
    const collect = (nodes: readonly MenuNode[]): void => nodes.forEach((n) => (ids.add(n.id), collect(n.children)));
    collect(menu.entries);
    return { ids, blscfg: menu.dynamicSources.some((s) => s.command === "blscfg" || s.command === "bls_import") };
  } catch (err) {
    if (err instanceof BootctlError) return { ids, blscfg: false };
    throw err;
  }
}

/** The ids systemd-boot knows on the target's partitions (no counters); [] when there are none. */
function sdBootIds(target: SelectionTarget): { ids: string[]; where: string } {
  let found;
  try {
    found = discoverBootPartitions({ root: target.root ?? "/", espPath: target.espPath, bootPath: target.bootPath });
  } catch (err) {
    if (err instanceof BootctlError) return { ids: [], where: "" };
    throw err;
  }
  const parts = [found.esp?.path, found.xbootldr?.path].filter((p): p is string => p !== undefined);
  const ids = parts.length === 0 ? [] : listEntryIdsSync({ esp: found.esp?.path, xbootldr: found.xbootldr?.path });
  return { ids, where: parts.map((p) => `${p}/loader/entries, ${p}/EFI/Linux`).join("; ") };
}

/**
 * systemd-boot: refuse a value no entry matches (boot.c config_find_entry: a case-folded glob
 * against the ids). `listed` is LoaderEntries when it was read: the loader's own list, with
 * its auto entries. Without it an `auto-…` id of systemd-boot's is taken as possible.
 */
function checkSdBootValue(target: SelectionTarget, value: string, listed: string[] | undefined): void {
  if (target.force || value === "" || value.startsWith("@")) return;
  const { ids, where } = sdBootIds(target);
  const known = [...ids, ...(listed ?? SD_BOOT_AUTO_ENTRY_IDS)];
  if (ids.length === 0 && listed === undefined) return; // no partitions, no variables: nothing to check against
  if (sdBootValueMatches(value, known)) return;
  const source = [where, listed ? "LoaderEntries" : ""].filter((w) => w !== "").join("; ");
  throw new BootctlError("E_NO_SUCH_ENTRY", `no boot entry matches '${value}' (systemd-boot entries in ${source}); nothing written; --force writes it anyway`);
}

/**
 * One level of grub.cfg's menu as GRUB resolves `saved_entry`/`next_entry` against it, or
 * undefined without a grub.cfg (or one that cannot be read: nothing to check against).
 */
async function grubMenuLevels(target: SelectionTarget): Promise<{ cfg: string; menu: GrubMenuLevelEntry[]; sources: string[]; blscfg: boolean } | undefined> {
  const root = target.root ?? "/";
  const cfg = await findGrubCfg(root);
  if (cfg === undefined) return undefined;
  let menu;
  try {
    menu = readGrubMenu((await readGrubCfg(root, cfg)).script);
  } catch (err) {
    if (err instanceof BootctlError) return undefined;
    throw err;
  }
  const level = (nodes: readonly MenuNode[]): GrubMenuLevelEntry[] =>
    nodes.map((n) => ({ title: n.title, id: n.id, ...(n.type === "submenu" ? { children: level(n.children) } : {}) }));
  const levels = level(menu.entries);
  const blscfg = menu.dynamicSources.some((d) => d.command === "blscfg" || d.command === "bls_import");
  if (blscfg) {
    // Fedora's blscfg adds one entry per BLS file at boot: title and bare file name as its id.
    try {
      const found = discoverBootPartitions({ root, espPath: target.espPath, bootPath: target.bootPath });
      const bls = await loadBootEntries({ esp: found.esp?.path, xbootldr: found.xbootldr?.path });
      for (const e of bls.entries) levels.push({ title: e.title ?? grubBareName(e.id), id: grubBareName(e.id) });
    } catch (err) {
      if (!(err instanceof BootctlError)) throw err;
    }
  }
  const sources = [...new Set(menu.dynamicSources.filter((d) => d.command !== "blscfg" && d.command !== "bls_import").map((d) => d.command))];
  return { cfg, menu: levels, sources, blscfg };
}

/** GRUB: refuse a value grub.cfg's menu does not resolve (GRUB would boot entry 0 instead). */
async function checkGrubValue(target: SelectionTarget, value: string): Promise<void> {
  if (target.force || value === "") return;
  const levels = await grubMenuLevels(target);
  if (levels === undefined) return;
  if (resolveGrubValue(levels.menu, value, levels.blscfg) !== undefined) return;
  const more = levels.sources.length > 0 ? ` (entries added at boot by ${levels.sources.join(", ")} are not seen)` : "";
  throw new BootctlError("E_NO_SUCH_ENTRY", `no menu entry of ${levels.cfg} matches '${value}'${more}: GRUB would boot entry 0 instead; nothing written; --force writes it anyway`);
}

export async function setDefault(target: SelectionTarget, id: string): Promise<SelectionResult> {
  const loader = await detectLoader(target);
  if (loader === "grub") {
    const value = await grubValueFor(target, id);
    await checkGrubValue(target, value.value);
    return applyGrubenv(target, "saved_entry", value);
  }
  if (offlineImage(target)) {
    checkSdBootValue(target, id, undefined);
    return applyLoaderConfDefault(target, id);
  }
  return applyEfi(target, (vars) => planSetDefault(vars, id), id);
}

export async function setOneshot(target: SelectionTarget, id: string): Promise<SelectionResult> {
  const loader = await detectLoader(target);
  if (loader === "grub") {
    const value = await grubValueFor(target, id);
    await checkGrubValue(target, value.value);
    return applyGrubenv(target, "next_entry", value);
  }
  if (offlineImage(target)) throw new BootctlError("E_NOT_EFI", "a one-shot entry on systemd-boot is an EFI variable: give --efivars-path (an image has no loader.conf equivalent)");
  return applyEfi(target, (vars) => planSetOneshot(vars, id), id);
}

/**
 * `status`: the default and one-shot values that match no entry, one line each (the checks
 * above, as findings instead of refusals). systemd-boot: `values` are the variables and
 * loader.conf's default; `ids` the menu's ids. GRUB: saved_entry and next_entry against grub.cfg.
 */
export function unmatchedSdBootValues(values: readonly [string, string | undefined][], ids: readonly string[], loaderListed: boolean): string[] {
  if (ids.length === 0) return [];
  const known = loaderListed ? ids : [...ids, ...SD_BOOT_AUTO_ENTRY_IDS];
  return values.filter(([, v]) => v !== undefined && v !== "" && !v.startsWith("@") && !sdBootValueMatches(v, known))
    .map(([what, v]) => `${what} '${v}' matches no boot entry: the loader boots another one`);
}

export async function unmatchedGrubValues(target: SelectionTarget): Promise<string[]> {
  const root = target.root ?? "/";
  let env: ReadonlyMap<string, string>;
  try {
    const loaded = await readGrubenvFile((await locateGrubenv(root, undefined, { espPath: target.espPath })).path);
    if (!loaded) return [];
    env = loadEnvView(loaded.block);
  } catch (err) {
    if (err instanceof BootctlError) return [];
    throw err;
  }
  if (!env.get("saved_entry") && !env.get("next_entry")) return [];
  const levels = await grubMenuLevels(target);
  if (levels === undefined) return [];
  const out: string[] = [];
  for (const name of ["saved_entry", "next_entry"]) {
    const value = env.get(name);
    if (value && resolveGrubValue(levels.menu, value, levels.blscfg) === undefined) out.push(`${name} '${value}' matches no menu entry of ${levels.cfg}: GRUB boots entry 0 instead`);
  }
  return out;
}

export async function setTimeout(target: SelectionTarget, value: string, oneshot: boolean): Promise<SelectionResult> {
  const loader = await detectLoader(target);
  if (loader === "grub") throw new BootctlError("E_NOT_SUPPORTED", "GRUB reads its timeout from grub.cfg (GRUB_TIMEOUT); set-timeout works with systemd-boot");
  if (offlineImage(target)) {
    if (oneshot) throw new BootctlError("E_NOT_EFI", "a one-shot timeout on systemd-boot is an EFI variable: give --efivars-path (loader.conf has no one-shot timeout)");
    return applyLoaderConfTimeout(target, value);
  }
  return applyEfi(target, (vars) => (oneshot ? planSetTimeoutOneshot(vars, value) : planSetTimeout(vars, value)));
}
