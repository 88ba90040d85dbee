/**
 * The boot menu entry: the one model every part of the toolkit uses (systemd-boot menus, `list`,
 * GRUB rendering, default selection). Field names follow systemd's `BootEntry`
 * (src/shared/bootspec.h) and its JSON names.
 */
import type { EntryFields } from "../formats/bls/entry.ts";
import type { BootCounter } from "./boot-counter.ts";

/** `type1`: a `.conf` entry; `type2`: a UKI in /EFI/Linux; `loader`/`auto`: only reported by the boot loader. */
export type BootEntryType = "type1" | "type2" | "loader" | "auto";

/** Which partition the entry was found on. */
export type BootEntrySource = "esp" | "xbootldr";

/**
 * A menu entry: the entry fields of the Boot Loader Specification (formats/bls/entry.ts
 * `EntryFields`, the one list of them: a Type #1 file's keys, or what a UKI's sections give) and
 * where the entry came from. `options` is the `options` lines (Type #1) or the UKI `.cmdline`
 * (Type #2), in order; `extra` is not shown by systemd's `list`.
 */
export interface BootEntry extends EntryFields {
  type: BootEntryType;
  source: BootEntrySource;
  /** File name with the boot counter removed and the suffix kept (`foo.conf`); `file@N` for UKI profiles. */
  id: string;
  /** Legacy id: Type #1 the id without `.conf`; Type #2 `<os ID>-<VERSION_ID>`. Matched by exact lookups. */
  idOld?: string;
  /** Multi-profile UKIs: the id without `@profile`. */
  idWithoutProfile?: string;
  /** Absolute path of the file as found (with its counter). */
  path: string;
  /** Root of the partition the entry belongs to (paths inside the entry are relative to it). */
  root: string;
  /** The disambiguated title shown in menus (`show-title.ts`); undefined until computed. */
  showTitle?: string;
  /** The boot counter from the file name; undefined when the name has none. */
  tries: BootCounter | undefined;
  /** True when the running boot loader listed this id in `LoaderEntries`. */
  reportedByLoader: boolean;
}

/** systemd's `boot_entry_title()`: the shown title, else the title, else the id. */
export function entryTitle(entry: BootEntry): string {
  return entry.showTitle ?? entry.title ?? entry.id;
}

/** True when boot counting marked the entry bad (no tries left). */
export function isBadEntry(entry: BootEntry): boolean {
  return entry.tries !== undefined && entry.tries.left === 0;
}
