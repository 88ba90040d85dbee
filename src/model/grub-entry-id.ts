/**
 * The menu entry id GRUB uses for a Boot Loader Specification entry: the entry's file name
 * without `.conf` (`<token>-<version>`), as Fedora's blscfg and grubby use it in `saved_entry`.
 * `grub render` writes it as `--id`, and GRUB boot counting (`bootctl_trial`, `bootctl_fallback`)
 * names entries by it. UKIs (`.efi`) keep their suffix: blscfg does not list them.
 *
 * One exception: a name that GRUB would read as a number. GRUB 2.06 turns `default` into an entry
 * with `get_entry_number` (grub-core/normal/menu.c), which calls `grub_strtoul` and takes any value
 * that starts with digits as an entry index, ignoring what follows: `6a98…-6.1` selects entry 6.
 * kernel-install names entries `<machine-id>-<version>`, and a machine id starts with a digit
 * 10 times in 16. Such a name gets the prefix `bls:` (GRUB_NUMERIC_NAME_PREFIX): no digit parses
 * from it, and `:` cannot occur in an entry name (`isValidEntryName`), so the id stays unique.
 * Upstream GRUB then finds the entry by its id; Fedora's patched GRUB (numbers only when the whole
 * value is one) does too.
 */
import { grubStrtoul } from "./grub-default.ts";

export const GRUB_NUMERIC_NAME_PREFIX = "bls:";

/** An entry's name as blscfg uses it: the file name without `.conf` (UKIs keep `.efi`). */
export function grubBareName(blsId: string): string {
  return blsId.replace(/\.conf$/i, "");
}

export function grubEntryId(blsId: string): string {
  const name = grubBareName(blsId);
  return grubStrtoul(name) === undefined ? name : GRUB_NUMERIC_NAME_PREFIX + name;
}

/** True when `value` (a `saved_entry`, `bootctl_trial`, … value) names the entry `blsId`: by its GRUB id or its bare name. */
export function grubIdNames(blsId: string, value: string): boolean {
  return value === grubEntryId(blsId) || value === grubBareName(blsId);
}
