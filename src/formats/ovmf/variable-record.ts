/**
 * One variable record of an edk2 NV variable store: VARIABLE_HEADER or
 * AUTHENTICATED_VARIABLE_HEADER, then the UTF-16LE name, then the data.
 *
 * Layout and constants: edk2 MdeModulePkg/Include/Guid/VariableFormat.h
 * ("Variable records", "State byte"). All fields are little-endian.
 *
 * Contract:
 * - `decodeRecordHeader(buf, at, format)` decodes the header at `at`; the caller has checked that
 *   the whole header lies inside the store. The sizes it returns follow edk2's
 *   `NameSizeOfVariable`/`DataSizeOfVariable` (VariableParsing.c): when State, Attributes,
 *   NameSize or DataSize is all ones (a header whose write was interrupted), both sizes count as 0
 *   and `torn` is set.
 * - `encodeRecord(format, fields)` builds header + name + data (no padding); `decode` of its result
 *   gives the same fields back.
 * - Name and data padding is 0 (`GET_PAD_SIZE` with ALIGNMENT 1, every edk2 target but IPF); the
 *   next header starts at the next multiple of HEADER_ALIGNMENT (4).
 */
import { Parser } from "binary-parser";
import { guidToBytes, guidToText } from "../efi/guids.ts";

/** VARIABLE_DATA: the StartId of every record. */
export const VARIABLE_START_ID = 0x55aa;
export const HEADER_ALIGNMENT = 4;
export const AUTH_HEADER_SIZE = 60;
export const PLAIN_HEADER_SIZE = 32;

/** Record states; flash bits only go from 1 to 0, so each step ANDs bits away. */
export const VAR_IN_DELETED_TRANSITION = 0xfe;
export const VAR_DELETED = 0xfd;
export const VAR_HEADER_VALID_ONLY = 0x7f;
export const VAR_ADDED = 0x3f;
/** VAR_ADDED & VAR_IN_DELETED_TRANSITION: the old copy while an update is in flight. */
export const STATE_IN_TRANSITION = VAR_ADDED & VAR_IN_DELETED_TRANSITION; // 0x3e

/** EFI variable attributes (UEFI 2.10 §8.2). */
export const EFI_VARIABLE_NON_VOLATILE = 0x01;
export const EFI_VARIABLE_BOOTSERVICE_ACCESS = 0x02;
export const EFI_VARIABLE_RUNTIME_ACCESS = 0x04;
export const EFI_VARIABLE_HARDWARE_ERROR_RECORD = 0x08;
export const EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS = 0x10;
export const EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS = 0x20;
export const EFI_VARIABLE_APPEND_WRITE = 0x40;
export const EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS = 0x80;

/** Which header the store uses, chosen by the store signature GUID. */
export type RecordFormat = "authenticated" | "plain";

export type RecordState = "added" | "in-deleted-transition" | "deleted" | "header-valid-only" | "other";

/** EFI_TIME (UEFI 2.10 §8.3). */
export interface EfiTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  pad1: number;
  nanosecond: number;
  timeZone: number;
  daylight: number;
  pad2: number;
}

/** The authenticated-header fields (edk2 keeps them for time-based authenticated variables). */
export interface AuthFields {
  monotonicCount: bigint;
  timeStamp: EfiTime;
  pubKeyIndex: number;
}

export interface RecordHeader {
  startId: number;
  state: number;
  reserved: number;
  attributes: number;
  /** Raw NameSize / DataSize fields as stored. */
  rawNameSize: number;
  rawDataSize: number;
  /** Sizes as edk2 uses them (0 for a torn header). */
  nameSize: number;
  dataSize: number;
  guid: string;
  /** Present for the authenticated format. */
  auth?: AuthFields;
  /** A field was all ones: edk2 treats the record as header-only. */
  torn: boolean;
  headerSize: number;
}

const EFI_TIME = new Parser().endianness("little")
  .uint16("year").uint8("month").uint8("day").uint8("hour").uint8("minute").uint8("second").uint8("pad1")
  .uint32("nanosecond").int16("timeZone").uint8("daylight").uint8("pad2");

const AUTH_HEADER = new Parser().endianness("little")
  .uint16("startId").uint8("state").uint8("reserved").uint32("attributes")
  .uint64("monotonicCount")
  .nest("timeStamp", { type: EFI_TIME })
  .uint32("pubKeyIndex").uint32("nameSize").uint32("dataSize")
  .buffer("vendorGuid", { length: 16 });

const PLAIN_HEADER = new Parser().endianness("little")
  .uint16("startId").uint8("state").uint8("reserved").uint32("attributes")
  .uint32("nameSize").uint32("dataSize")
  .buffer("vendorGuid", { length: 16 });

interface HeaderFields {
  startId: number; state: number; reserved: number; attributes: number;
  nameSize: number; dataSize: number; vendorGuid: Buffer;
  monotonicCount?: bigint; timeStamp?: EfiTime; pubKeyIndex?: number;
}

export function headerSize(format: RecordFormat): number {
  return format === "authenticated" ? AUTH_HEADER_SIZE : PLAIN_HEADER_SIZE;
}

/** HEADER_ALIGN: round `n` up to HEADER_ALIGNMENT. */
export function headerAlign(n: number): number {
  return Math.ceil(n / HEADER_ALIGNMENT) * HEADER_ALIGNMENT;
}

/** The 2-byte StartId at `at` (the caller checked that 2 bytes are there). */
export function startIdAt(buf: Buffer, at: number): number {
  return buf.readUInt16LE(at);
}

export function decodeRecordHeader(buf: Buffer, at: number, format: RecordFormat): RecordHeader {
  const size = headerSize(format);
  const parser = format === "authenticated" ? AUTH_HEADER : PLAIN_HEADER;
  const h = parser.parse(buf.subarray(at, at + size)) as HeaderFields;
  const torn = h.state === 0xff || h.attributes === 0xffffffff || h.nameSize === 0xffffffff || h.dataSize === 0xffffffff;
  const header: RecordHeader = {
    startId: h.startId,
    state: h.state,
    reserved: h.reserved,
    attributes: h.attributes,
    rawNameSize: h.nameSize,
    rawDataSize: h.dataSize,
    nameSize: torn ? 0 : h.nameSize,
    dataSize: torn ? 0 : h.dataSize,
    guid: guidToText(h.vendorGuid),
    torn,
    headerSize: size,
  };
  if (format === "authenticated") {
    header.auth = { monotonicCount: h.monotonicCount!, timeStamp: { ...h.timeStamp! }, pubKeyIndex: h.pubKeyIndex! };
  }
  return header;
}

/** What edk2's FindVariableEx makes of a state byte (exact comparisons, not bit tests). */
export function classifyState(state: number): RecordState {
  switch (state) {
    case VAR_ADDED: return "added";
    case STATE_IN_TRANSITION: return "in-deleted-transition";
    case VAR_HEADER_VALID_ONLY: return "header-valid-only";
    default:
      // Any other state with VAR_DELETED applied (bit 1 cleared): 0x3D, 0x3C, 0x7D, … All dead.
      return (state & ~VAR_DELETED & 0xff) === 0 ? "deleted" : "other";
  }
}

export const ZERO_TIME: EfiTime = Object.freeze({
  year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, pad1: 0, nanosecond: 0, timeZone: 0, daylight: 0, pad2: 0,
});

export interface RecordFields {
  state: number;
  attributes: number;
  guid: string;
  /** Name bytes exactly as stored (UTF-16LE including the NUL). */
  nameBytes: Uint8Array;
  data: Uint8Array;
  auth?: AuthFields;
}

/** Header + name + data, unpadded. Throws RangeError on a malformed GUID. */
export function encodeRecord(format: RecordFormat, r: RecordFields): Buffer {
  const size = headerSize(format);
  const out = Buffer.alloc(size + r.nameBytes.length + r.data.length);
  out.writeUInt16LE(VARIABLE_START_ID, 0);
  out.writeUInt8(r.state, 2);
  out.writeUInt8(0, 3);
  out.writeUInt32LE(r.attributes >>> 0, 4);
  let at = 8;
  if (format === "authenticated") {
    const auth = r.auth ?? { monotonicCount: 0n, timeStamp: ZERO_TIME, pubKeyIndex: 0 };
    out.writeBigUInt64LE(auth.monotonicCount, 8);
    encodeEfiTime(auth.timeStamp, out, 16);
    out.writeUInt32LE(auth.pubKeyIndex >>> 0, 32);
    at = 36;
  }
  out.writeUInt32LE(r.nameBytes.length, at);
  out.writeUInt32LE(r.data.length, at + 4);
  guidToBytes(r.guid).copy(out, at + 8);
  out.set(r.nameBytes, size);
  out.set(r.data, size + r.nameBytes.length);
  return out;
}

function encodeEfiTime(t: EfiTime, out: Buffer, at: number): void {
  out.writeUInt16LE(t.year, at);
  out.writeUInt8(t.month, at + 2);
  out.writeUInt8(t.day, at + 3);
  out.writeUInt8(t.hour, at + 4);
  out.writeUInt8(t.minute, at + 5);
  out.writeUInt8(t.second, at + 6);
  out.writeUInt8(t.pad1, at + 7);
  out.writeUInt32LE(t.nanosecond, at + 8);
  out.writeInt16LE(t.timeZone, at + 12);
  out.writeUInt8(t.daylight, at + 14);
  out.writeUInt8(t.pad2, at + 15);
}
