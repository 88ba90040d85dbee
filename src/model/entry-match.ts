/**
 * Does a default or one-shot value name an entry the boot loader has? Pure.
 *
 * - systemd-boot (src/boot/boot.c `config_find_entry()`): the value is a glob, matched with
 *   `efi_fnmatch()` against each entry id, both case-folded; ids are file names without boot
 *   counters (Type #1 `.conf`, Type #2 `.efi`), plus the entries the loader adds by itself
 *   (`auto-windows`, `auto-efi-shell`, …), which `LoaderEntries` lists when it is available.
 *   Values starting with `@` (`@saved`, `@current`, …) are keywords, not ids: not checked here.
 * - GRUB (grub-core/normal/menu.c `get_entry_number()`, model/grub-default.ts): a value that
 *   starts with digits is an index into the menu level; otherwise the first entry whose title or
 *   id `menuentry_eq`s it; a `>` goes one submenu level down (a plain entry ignores the rest);
 *   an index out of range or a name that matches nothing makes GRUB boot entry 0. Fedora's
 *   patched GRUB (the one that runs blscfg) reads a value as an index only when all of it is a
 *   number (`wholeNumbers`).
 */
import { fnmatchCasefold } from "./fnmatch.ts";
import { grubStrtoul, menuentryEq, specRemainder } from "./grub-default.ts";

/**
 * The entries systemd-boot adds without an entry file (boot.c `config_add_entry_*`,
 * `config_load_auto_entries`): they exist only when the loader found what they start, which only
 * `LoaderEntries` can tell.
 */
export const SD_BOOT_AUTO_ENTRY_IDS = [
  "auto-windows", "auto-osx", "auto-efi-shell", "auto-efi-default", "auto-reboot-to-firmware-setup",
  "auto-poweroff", "auto-reboot", "auto-linux",
] as const;

/** True when the systemd-boot pattern `value` matches one of `ids` (case-insensitive glob). */
export function sdBootValueMatches(value: string, ids: readonly string[]): boolean {
  return ids.some((id) => fnmatchCasefold(value, id));
}

/** One level of a GRUB menu as `get_entry_number` sees it. */
export interface GrubMenuLevelEntry {
  title: string;
  /** `--id`, or the title when there is none (menuentry_eq compares both). */
  id: string;
  /** Children of a submenu; undefined for a plain entry. */
  children?: readonly GrubMenuLevelEntry[] | undefined;
}

/**
 * The entry GRUB boots for `value`, as an index path, or undefined when GRUB would not find it
 * (and boot entry 0 instead). A submenu named without a `>` part boots its first entry, which
 * counts as found.
 */
export function resolveGrubValue(menu: readonly GrubMenuLevelEntry[], value: string, wholeNumbers = false): number[] | undefined {
  const level = wholeNumbers ? value.split(/(?<!>)>(?!>)/)[0]! : value;
  let index = wholeNumbers && !/^[0-9]+$/.test(level) ? undefined : grubStrtoul(value);
  if (index === undefined) {
    const found = menu.findIndex((e) => menuentryEq(e.title, value) || menuentryEq(e.id, value));
    index = found === -1 ? undefined : found;
  }
  if (index === undefined || index >= menu.length) return undefined;
  const entry = menu[index]!;
  const rest = specRemainder(value);
  if (entry.children === undefined || rest === undefined) return [index];
  const below = resolveGrubValue(entry.children, rest, wholeNumbers);
  return below === undefined ? undefined : [index, ...below];
}
