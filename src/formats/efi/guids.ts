/** Vendor GUIDs of the EFI variables we read and write, in efivarfs's lower-case text form. */

/** EFI_GLOBAL_VARIABLE (UEFI spec §3.3): Boot####, BootOrder, BootNext, BootCurrent, Timeout. */
export const EFI_GLOBAL_VARIABLE = "8be4df61-93ca-11d2-aa0d-00e098032b8c";

/** systemd's Boot Loader Interface vendor GUID (docs/BOOT_LOADER_INTERFACE.md). */
export const LOADER_VENDOR_GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";

/** EFI_IMAGE_SECURITY_DATABASE (db, dbx). */
export const EFI_IMAGE_SECURITY_DATABASE = "d719b2cb-3d3a-4596-a3bc-dad00e67656f";

/** GPT partition type of the EFI System Partition. */
export const ESP_TYPE_GUID = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";

/** GPT partition type of the Extended Boot Loader Partition (XBOOTLDR). */
export const XBOOTLDR_TYPE_GUID = "bc13c2ff-59e6-4262-a352-b275fd6f7172";

const GUID_TEXT = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** True for the 36-character text form (either case). */
export function isGuidText(text: string): boolean {
  return GUID_TEXT.test(text);
}

/**
 * The text form of the EFI_GUID stored at `offset` (UEFI spec Appendix A: Data1 u32 LE, Data2 and
 * Data3 u16 LE, Data4 bytes as stored), lower case like libefivar and efivarfs. Bytes past the
 * end of `bytes` read as zero.
 */
export function guidToText(bytes: Uint8Array, offset = 0): string {
  const b = (i: number): number => bytes[offset + i] ?? 0;
  const hex = (i: number): string => b(i).toString(16).padStart(2, "0");
  return (
    hex(3) + hex(2) + hex(1) + hex(0) + "-" + hex(5) + hex(4) + "-" + hex(7) + hex(6) + "-" +
    hex(8) + hex(9) + "-" + hex(10) + hex(11) + hex(12) + hex(13) + hex(14) + hex(15)
  );
}

/** The 16 stored bytes of a GUID given as text; throws RangeError on malformed text. */
export function guidToBytes(text: string): Buffer {
  if (!GUID_TEXT.test(text)) throw new RangeError(`not a GUID: '${text}'`);
  const h = text.replace(/-/g, "");
  const out = Buffer.from(h, "hex");
  out.writeUInt32LE(Number.parseInt(h.slice(0, 8), 16), 0);
  out.writeUInt16LE(Number.parseInt(h.slice(8, 12), 16), 4);
  out.writeUInt16LE(Number.parseInt(h.slice(12, 16), 16), 6);
  return out;
}
