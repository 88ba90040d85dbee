/**
 * Entry identifiers (systemd `efi_loader_entry_name_valid()`, src/shared/efi-loader.c): a valid
 * file name (1–255 bytes, not `.`/`..`, no `/`) made only of ASCII letters, digits and `+ - _ . @`.
 * (`@` is accepted since multi-profile UKIs, v257; systemd 252 refuses it.)
 */
export function isValidEntryName(name: string): boolean {
  if (name === "" || name === "." || name === ".." || name.length > 255) return false;
  return /^[A-Za-z0-9+\-_.@]+$/.test(name);
}

/** `hidden_or_backup_file()` for the names we look at: systemd skips dot files and `~` backups. */
export function isHiddenOrBackupName(name: string): boolean {
  return name.startsWith(".") || name.endsWith("~");
}
