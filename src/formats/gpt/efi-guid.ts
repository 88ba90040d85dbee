/**
 * EFI_GUID text form (UEFI spec Appendix A; uefi.md §0): 16 bytes stored mixed-endian — Data1 u32
 * LE, Data2 u16 LE, Data3 u16 LE, Data4 8 bytes as-is — shown as
 * `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (lowercase here, as efivar/efibootmgr print it).
 */

const GUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The GUID at `bytes[offset, offset+16)` as lowercase text. The caller checks the bounds. */
export function guidToText(bytes: Uint8Array, offset = 0): string {
  const h = (i: number): string => bytes[offset + i]!.toString(16).padStart(2, "0");
  return (
    h(3) + h(2) + h(1) + h(0) + "-" + h(5) + h(4) + "-" + h(7) + h(6) + "-" + h(8) + h(9) + "-" +
    h(10) + h(11) + h(12) + h(13) + h(14) + h(15)
  );
}

/** The 16 mixed-endian bytes of a GUID given as text (any case). Throws RangeError on bad text. */
export function guidFromText(text: string): Buffer {
  if (!GUID_TEXT.test(text)) throw new RangeError(`not a GUID: '${text}'`);
  const hex = text.replace(/-/g, "");
  const b = Buffer.from(hex, "hex");
  const out = Buffer.alloc(16);
  out.writeUInt32LE(b.readUInt32BE(0), 0);
  out.writeUInt16LE(b.readUInt16BE(4), 4);
  out.writeUInt16LE(b.readUInt16BE(6), 6);
  b.copy(out, 8, 8, 16);
  return out;
}

export function isGuidText(text: string): boolean {
  return GUID_TEXT.test(text);
}
