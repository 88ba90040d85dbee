/**
 * The efivarfs file format (Linux Documentation/filesystems/efivarfs.rst): a file named
 * `Name-GUID` whose content is the variable's 32-bit little-endian attributes followed by its data.
 */
import { ParseError } from "../../errors.ts";
import { isGuidText } from "./guids.ts";

export const EFI_VARIABLE_NON_VOLATILE = 0x1;
export const EFI_VARIABLE_BOOTSERVICE_ACCESS = 0x2;
export const EFI_VARIABLE_RUNTIME_ACCESS = 0x4;
/** What systemd and efibootmgr use for variables they write (NV + BS + RT). */
export const DEFAULT_ATTRIBUTES = EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS;

/**
 * An EFI variable: the one record type every layer uses (efivarfs files, OVMF variable stores,
 * the boot manager and Boot Loader Interface planners, `efi list`). UEFI 2.10 §8.2 GetVariable():
 * a name, a vendor GUID, attributes and the data.
 */
export interface EfiVariable {
  name: string;
  /** Vendor GUID, lower-case text. */
  guid: string;
  attributes: number;
  data: Buffer;
}

/** The content of an efivarfs file: attributes then data (the name and GUID are the file's name). */
export function decodeEfivarfsFile(bytes: Uint8Array): Pick<EfiVariable, "attributes" | "data"> {
  if (bytes.length < 4) throw new ParseError("E_EFIVAR_SHORT", `efivarfs file has ${bytes.length} bytes, fewer than the 4-byte attribute header`, { line: 1 });
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return { attributes: buf.readUInt32LE(0), data: Buffer.from(buf.subarray(4)) };
}

export function encodeEfivarfsFile(value: Pick<EfiVariable, "attributes" | "data">): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32LE(value.attributes >>> 0, 0);
  return Buffer.concat([header, value.data]);
}

/**
 * `Name-GUID`, the file name efivarfs uses. Refused (E_EFIVAR_NAME): an empty name, a name with
 * `/` or NUL (not a file name), and a vendor GUID that is not the 8-4-4-4-12 hex text efivarfs
 * itself uses (the kernel's efivarfs_valid_name() rejects every other name; here it also keeps a
 * caller's GUID such as `../x` from turning the name into a path out of the directory).
 */
export function efivarFileName(name: string, guid: string): string {
  if (name === "" || name.includes("/") || name.includes("\0")) throw new ParseError("E_EFIVAR_NAME", `invalid EFI variable name '${name.replace(/\0/g, "\\0")}'`, { line: 1 });
  if (!isGuidText(guid)) throw new ParseError("E_EFIVAR_NAME", `invalid vendor GUID '${guid.replace(/\0/g, "\\0")}' for EFI variable ${name}`, { line: 1 });
  return `${name}-${guid.toLowerCase()}`;
}
