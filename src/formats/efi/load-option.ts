/**
 * EFI_LOAD_OPTION, the data of `Boot####`, `Driver####` and `SysPrep####` (UEFI spec 2.10 §3.1.3):
 *
 *   u32 Attributes | u16 FilePathListLength | CHAR16 Description[] (NUL-terminated)
 *   | FilePathList (FilePathListLength bytes) | OptionalData (the rest)
 *
 * Contract: `decodeLoadOption` is strict (binary-parser reads the fields): a missing description
 * terminator, a FilePathListLength past the end, or a FilePathList whose nodes lie about their
 * lengths is a ParseError (E_LOADOPT_*, E_DEVPATH_*). `encodeLoadOption(decodeLoadOption(x))` is
 * byte-for-byte `x`. Encoding is Buffer code.
 */
import { Parser } from "binary-parser";
import { ParseError, type ErrorCode } from "../../errors.ts";
import { decodeDevicePath, encodeDevicePath, type DevicePathNode } from "./device-path.ts";

export const LOAD_OPTION_ACTIVE = 0x00000001;
export const LOAD_OPTION_FORCE_RECONNECT = 0x00000002;
export const LOAD_OPTION_HIDDEN = 0x00000008;
export const LOAD_OPTION_CATEGORY_MASK = 0x00001f00;
export const LOAD_OPTION_CATEGORY_BOOT = 0x00000000;
export const LOAD_OPTION_CATEGORY_APP = 0x00000100;

export interface LoadOption {
  attributes: number;
  description: string;
  /** The FilePathList: the image's device path first (ending in End-Entire), then any others. */
  filePath: DevicePathNode[];
  optionalData: Buffer;
}

const headerParser = new Parser()
  .uint32le("attributes")
  .uint16le("filePathListLength")
  .array("description", { type: "uint16le", readUntil: (u: number) => u === 0 })
  .saveOffset("filePathOffset");

function fail(code: ErrorCode, reason: string): never {
  throw new ParseError(code, reason, { line: 1 });
}

/** Split a load option into its four parts without decoding the device path. */
export function splitLoadOption(bytes: Uint8Array): { attributes: number; description: string; filePathList: Buffer; optionalData: Buffer } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf.length < 8) fail("E_LOADOPT_SHORT", `load option has ${buf.length} bytes, fewer than the 8 a minimal one needs`);
  // A description without terminator would make binary-parser read past the end; check first.
  let end = 6;
  while (end + 1 < buf.length && buf.readUInt16LE(end) !== 0) end += 2;
  if (end + 1 >= buf.length) fail("E_LOADOPT_DESCRIPTION", "load option description is not NUL-terminated");
  const h = headerParser.parse(buf) as { attributes: number; filePathListLength: number; description: number[]; filePathOffset: number };
  const units = h.description.slice(0, -1);
  const description = Buffer.from(Uint16Array.from(units).buffer).toString("utf16le");
  const fplEnd = h.filePathOffset + h.filePathListLength;
  if (fplEnd > buf.length) {
    fail("E_LOADOPT_PATH_LENGTH", `FilePathListLength ${h.filePathListLength} runs past the end of the load option (${buf.length - h.filePathOffset} bytes left)`);
  }
  return {
    attributes: h.attributes,
    description,
    filePathList: Buffer.from(buf.subarray(h.filePathOffset, fplEnd)),
    optionalData: Buffer.from(buf.subarray(fplEnd)),
  };
}

export function decodeLoadOption(bytes: Uint8Array): LoadOption {
  const parts = splitLoadOption(bytes);
  if (parts.filePathList.length === 0) fail("E_LOADOPT_PATH_LENGTH", "load option has an empty FilePathList");
  return { attributes: parts.attributes, description: parts.description, filePath: decodeDevicePath(parts.filePathList), optionalData: parts.optionalData };
}

export function encodeLoadOption(option: LoadOption): Buffer {
  const path = encodeDevicePath(option.filePath);
  if (path.length > 0xffff) throw new RangeError(`FilePathList too long (${path.length} bytes)`);
  const head = Buffer.alloc(6);
  head.writeUInt32LE(option.attributes >>> 0, 0);
  head.writeUInt16LE(path.length, 4);
  return Buffer.concat([head, Buffer.from(option.description + "\0", "utf16le"), path, option.optionalData]);
}
