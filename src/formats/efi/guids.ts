/** Vendor GUIDs of the EFI variables we read and write, in efivarfs's lower-case text form. */

/** EFI_GLOBAL_VARIABLE (UEFI spec §3.3): Boot####, BootOrder, BootNext, BootCurrent, Timeout. */
export const EFI_GLOBAL_VARIABLE = "8be4df61-93ca-11d2-aa0d-00e098032b8c";

/** systemd's Boot Loader Interface vendor GUID (docs/BOOT_LOADER_INTERFACE.md). */
export const LOADER_VENDOR_GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";
