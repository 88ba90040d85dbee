/**
 * The boot menu as `bootctl list` and `bootctl status` see it (systemd's bootspec.c
 * boot_config_load + boot_config_augment_from_loader): find the partitions, load the entries and
 * loader.conf, read the Boot Loader Interface variables, pick the default and selected entries.
 * Read once; warnings are returned as data, in the order they arose (the CLI prints them).
 *
 * EFI variables are read from `--efivars-path` (or /sys/firmware/efi/efivars); with `--root`
 * other than `/` and no explicit `--efivars-path` they are not read (adapters/target-efivars.ts;
 * bootctl skips EFI variables for `--root`/`--image` as well).
 */
import { discoverBootPartitions, type DiscoveredPartitions } from "../adapters/esp-discovery.ts";
import { loadBootEntries, type LoadedBootConfig } from "../adapters/boot-entries.ts";
import { readEfiString, readEfiVariable } from "../adapters/efivarfs.ts";
import { targetEfivarsPath } from "../adapters/target-efivars.ts";
import { findGrubCfg } from "../adapters/grub-cfg-file.ts";
import { BootctlError } from "../errors.ts";
import { LOADER_VENDOR_GUID } from "../formats/efi/guids.ts";
import { decodeUcs2List } from "../formats/efi/ucs2.ts";
import type { BootEntry } from "../model/boot-entry.ts";
import { findEntryById, selectDefault, selectSelected, type DefaultSelection, type SelectionInputs } from "../model/select-default.ts";
import { tryExtractTries } from "../model/boot-counter.ts";

export interface LoaderVariables extends SelectionInputs {
  /** `LoaderEntries`, in menu order, when the loader reported them. */
  entries?: string[] | undefined;
}

/** Where to look: the root, the partitions if given, the EFI variables (target-efivars.ts rule). */
export interface MenuTarget {
  root: string;
  espPath?: string | undefined;
  bootPath?: string | undefined;
  efivarsPath: string;
  efivarsPathExplicit: boolean;
}

export interface Menu {
  /** What reading found odd but went on from (bootctl's log_warning lines), in order. */
  warnings: string[];
  partitions: DiscoveredPartitions;
  config: LoadedBootConfig;
  entries: BootEntry[];
  variables: LoaderVariables;
  efivarsRead: boolean;
  defaultEntry: DefaultSelection | undefined;
  selectedIndex: number;
}

export function efivarsEnabled(target: MenuTarget): boolean {
  return targetEfivarsPath(target) !== undefined;
}

async function readString(dir: string, name: string, warnings: string[]): Promise<string | undefined> {
  try {
    return await readEfiString(dir, name, LOADER_VENDOR_GUID);
  } catch (err) {
    if (err instanceof BootctlError) {
      warnings.push(`failed to read EFI variable ${name}, ignoring: ${err.message}`);
      return undefined;
    }
    throw err;
  }
}

export async function readLoaderVariables(dir: string, warnings: string[]): Promise<LoaderVariables> {
  const [oneShot, preferred, def, selected] = await Promise.all(
    ["LoaderEntryOneShot", "LoaderEntryPreferred", "LoaderEntryDefault", "LoaderEntrySelected"].map((n) => readString(dir, n, warnings)),
  );
  // systemd-boot before v259 (Debian 12 ships 252) reports ids with their boot counter
  // (`foo+2-1.conf`); entry ids are counter-free since then, so compare without it.
  const stripCounter = (id: string | undefined) => (id === undefined ? undefined : (tryExtractTries(id)?.stripped ?? id));
  const vars: LoaderVariables = { oneShot, preferred, default: def, selected: stripCounter(selected) };
  try {
    const raw = await readEfiVariable(dir, "LoaderEntries", LOADER_VENDOR_GUID);
    if (raw) vars.entries = decodeUcs2List(raw.data).filter((s) => s !== "").map((id) => stripCounter(id)!);
  } catch (err) {
    if (!(err instanceof BootctlError)) throw err;
    warnings.push(`failed to read EFI variable LoaderEntries, ignoring: ${err.message}`);
  }
  return vars;
}

/** systemd's `boot_config_augment_from_loader()` titles for well-known automatic entries. */
const AUTO_TITLES: Record<string, string> = {
  "auto-osx": "macOS",
  "auto-windows": "Windows Boot Manager",
  "auto-efi-shell": "EFI Shell",
  "auto-efi-default": "EFI Default Loader",
  "auto-poweroff": "Power Off The System",
  "auto-reboot": "Reboot The System",
  "auto-reboot-to-firmware-setup": "Reboot Into Firmware Interface",
};

/** Mark entries the loader reported, and append reported ids not found on disk (type loader/auto). */
function augmentFromLoader(entries: BootEntry[], reported: readonly string[], efivarsDir: string): BootEntry[] {
  const out = entries.map((e) => ({ ...e }));
  for (const id of reported) {
    const existing = findEntryById(out, id);
    if (existing) {
      existing.reportedByLoader = true;
      continue;
    }
    const entry: BootEntry = {
      type: id.startsWith("auto-") ? "auto" : "loader",
      source: "esp",
      id,
      path: `${efivarsDir.replace(/\/+$/, "")}/LoaderEntries-${LOADER_VENDOR_GUID}`,
      root: "",
      options: [], initrd: [], devicetreeOverlay: [], extra: [],
      tries: undefined,
      reportedByLoader: true,
    };
    const title = AUTO_TITLES[id];
    if (title !== undefined) entry.title = title;
    out.push(entry);
  }
  return out;
}

/**
 * What a menu without an ESP or XBOOTLDR partition is: an error (`grub render`), an empty menu on
 * a GRUB system, i.e. with a grub.cfg (`list`; GRUB-only BIOS machines have no ESP), or always an
 * empty menu (`status`, which goes on without them as `bootctl status` does).
 */
export type WithoutPartitions = "error" | "grub" | "empty";

export async function loadMenu(target: MenuTarget, withoutPartitions: WithoutPartitions = "error"): Promise<Menu> {
  const partitions = discoverBootPartitions({ root: target.root, espPath: target.espPath, bootPath: target.bootPath });
  const warnings = [...partitions.warnings];
  const none = !partitions.esp && !partitions.xbootldr;
  if (none && (withoutPartitions === "error" || (withoutPartitions === "grub" && (await findGrubCfg(target.root)) === undefined))) {
    throw new BootctlError("E_NO_BOOT_PARTITION", "couldn't find EFI system partition or XBOOTLDR partition; use --esp-path= or --boot-path=");
  }
  const config: LoadedBootConfig = none
    ? { entries: [], loaderConf: undefined, loaderConfPath: undefined, warnings: [] }
    : loadBootEntries({ esp: partitions.esp?.path, xbootldr: partitions.xbootldr?.path });
  warnings.push(...config.warnings);
  const efivarsRead = efivarsEnabled(target);
  const variables: LoaderVariables = efivarsRead ? await readLoaderVariables(target.efivarsPath, warnings) : {};
  let entries = config.entries;
  if (variables.entries) entries = augmentFromLoader(entries, variables.entries, target.efivarsPath);
  const inputs: SelectionInputs = {
    ...variables,
    defaultPattern: config.loaderConf?.defaultPattern,
    preferredPattern: config.loaderConf?.preferredPattern,
  };
  return {
    warnings,
    partitions,
    config,
    entries,
    variables,
    efivarsRead,
    defaultEntry: selectDefault(entries, inputs),
    selectedIndex: selectSelected(entries, inputs),
  };
}
