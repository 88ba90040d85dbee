/**
 * The menu entry id GRUB uses for a Boot Loader Specification entry: the entry's file name
 * without `.conf` (`<token>-<version>`), as Fedora's blscfg and grubby use it in `saved_entry`.
 * `grub render` writes it as `--id`, and GRUB boot counting (`bootctl_trial`, `bootctl_fallback`)
 * names entries by it. UKIs (`.efi`) keep their suffix: blscfg does not list them.
 */
export function grubEntryId(blsId: string): string {
  return blsId.replace(/\.conf$/i, "");
}
