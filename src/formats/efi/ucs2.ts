/**
 * UTF-16LE ("UCS-2") strings as UEFI stores them: the Boot Loader Interface variables
 * (`LoaderEntryDefault`, `LoaderEntries`, …) are NUL-terminated UTF-16LE; `LoaderEntries` is a
 * list of such strings back to back (systemd docs/BOOT_LOADER_INTERFACE.md).
 */

/** Decode a UTF-16LE string, stopping at the first NUL code unit (or the end). An odd final
 * byte is ignored, as systemd's efi_get_variable_string() does. */
export function decodeUcs2z(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, nulUnit(data) * 2).toString("utf16le");
}

/** The same, but `undefined` when there is no NUL code unit (a device path's file name must end in one). */
export function decodeUcs2zTerminated(data: Uint8Array): string | undefined {
  const end = nulUnit(data);
  return end === Math.floor(data.length / 2) ? undefined : Buffer.from(data.buffer, data.byteOffset, end * 2).toString("utf16le");
}

/** Index of the first NUL code unit, or the number of whole units when there is none. */
function nulUnit(data: Uint8Array): number {
  const units = Math.floor(data.length / 2);
  let end = 0;
  while (end < units && (data[end * 2]! | (data[end * 2 + 1]! << 8)) !== 0) end++;
  return end;
}

/** Encode a string as UTF-16LE followed by a NUL code unit. */
export function encodeUcs2z(text: string): Buffer {
  return Buffer.from(text + "\0", "utf16le");
}

/** Decode a list of NUL-terminated UTF-16LE strings; an unterminated last string is kept. */
export function decodeUcs2List(data: Uint8Array): string[] {
  const out: string[] = [];
  const units = Math.floor(data.length / 2);
  let start = 0;
  for (let i = 0; i < units; i++) {
    if ((data[i * 2]! | (data[i * 2 + 1]! << 8)) === 0) {
      out.push(Buffer.from(data.buffer, data.byteOffset + start * 2, (i - start) * 2).toString("utf16le"));
      start = i + 1;
    }
  }
  if (start < units) out.push(Buffer.from(data.buffer, data.byteOffset + start * 2, (units - start) * 2).toString("utf16le"));
  return out;
}

/** Encode a list of strings, each NUL-terminated. */
export function encodeUcs2List(items: readonly string[]): Buffer {
  return Buffer.concat(items.map(encodeUcs2z));
}
