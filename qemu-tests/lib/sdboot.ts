/**
 * ESP layout for systemd-boot (Debian's systemd-boot-efi 252): the loader as the removable-media
 * path \EFI\BOOT\BOOTX64.EFI (OVMF's "UEFI Misc Device" option starts it with no NVRAM entry),
 * loader/loader.conf, Boot Loader Specification type #1 entries in loader/entries/, and the guest
 * kernel and initramfs at the ESP root.
 *
 * Boot counting (systemd boot-counting spec): an entry file named NAME+LEFT[-DONE].conf is
 * renamed by systemd-boot to NAME+(LEFT-1)-(DONE+1).conf before it boots it; entries with LEFT=0
 * sort after all others. Pitfalls: without a sort-key entries sort by ID,
 * descending; a `default` matching the counted file defeats the fallback.
 */
import type { EspImage } from "./disk.ts";
import { SYSTEMD_BOOT_EFI } from "./paths.ts";

export const ENTRIES_DIR = "/loader/entries";

export interface BlsEntry {
  /** File name in /loader/entries, counter included, e.g. "new+3.conf". */
  file: string;
  title: string;
  sortKey?: string;
  version?: string;
  /** Default /vmlinuz. */
  linux?: string;
  /** Default ["/initrd.img"]. */
  initrd?: readonly string[];
  options: string;
}

export interface LoaderConf {
  timeout?: number;
  default?: string;
  /** Further lines, verbatim. */
  extra?: readonly string[];
}

export function renderEntry(entry: BlsEntry): string {
  const lines = [`title ${entry.title}`];
  if (entry.sortKey !== undefined) lines.push(`sort-key ${entry.sortKey}`);
  if (entry.version !== undefined) lines.push(`version ${entry.version}`);
  lines.push(`linux ${entry.linux ?? "/vmlinuz"}`);
  for (const initrd of entry.initrd ?? ["/initrd.img"]) lines.push(`initrd ${initrd}`);
  lines.push(`options ${entry.options}`);
  return lines.join("\n") + "\n";
}

/** A loader.conf that boots at once and shows nothing the firmware console would wait on. */
export function renderLoaderConf(conf: LoaderConf = {}): string {
  const lines = [`timeout ${conf.timeout ?? 0}`, "editor no", "auto-entries no", "auto-firmware no", "console-mode keep"];
  if (conf.default !== undefined) lines.push(`default ${conf.default}`);
  lines.push(...(conf.extra ?? []));
  return lines.join("\n") + "\n";
}

export interface SystemdBootLayout {
  vmlinuz: string;
  initrd: string;
  loaderConf?: LoaderConf;
  entries: readonly BlsEntry[];
}

export async function installSystemdBoot(esp: EspImage, layout: SystemdBootLayout): Promise<void> {
  await esp.mkdirs("/EFI/BOOT", ENTRIES_DIR);
  await esp.copyIn(SYSTEMD_BOOT_EFI, "/EFI/BOOT/BOOTX64.EFI");
  await esp.copyIn(layout.vmlinuz, "/vmlinuz");
  await esp.copyIn(layout.initrd, "/initrd.img");
  await esp.writeFile("/loader/loader.conf", renderLoaderConf(layout.loaderConf));
  for (const entry of layout.entries) await esp.writeFile(`${ENTRIES_DIR}/${entry.file}`, renderEntry(entry));
}

/** The entry files now on the ESP, sorted by name. */
/**
 * The entry files systemd-boot sees (`*.conf`; case-insensitive as on FAT). A writer stopped by a
 * power cut may leave its hidden temp file (`.#NAME.HEX.bootctl-tmp`): no loader reads it, so it
 * is not part of the boot state (the next write of that file removes it).
 */
export async function entryFiles(esp: EspImage): Promise<string[]> {
  return (await esp.list(ENTRIES_DIR)).filter((name) => /\.conf$/i.test(name) && !name.startsWith("."));
}

/**
 * The name of a counted entry file per the boot-counting spec: "ID+LEFT.conf" before any try,
 * "ID+LEFT-DONE.conf" after; ID.conf once blessed (no counter).
 */
export function countedEntryFile(id: string, left?: number, done = 0): string {
  if (left === undefined) return `${id}.conf`;
  return `${id}+${left}${done > 0 ? `-${done}` : ""}.conf`;
}

/** The value systemd-boot puts in LoaderBootCountPath for an entry file it just counted. */
export function bootCountPath(file: string): string {
  return `\\loader\\entries\\${file}`;
}
