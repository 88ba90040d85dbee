/**
 * GUID Partition Table reader (UEFI 2.10 §5.2–5.3).
 *
 * Contract:
 * - Pure: a disk image (or at least its first and last sectors' worth of bytes) in, a table out.
 *   Time and memory are linear in the input; section views are never copied beyond one header.
 * - LBA 0 must hold an MBR (0x55AA at 510) with at least one partition of type 0xEE (a protective
 *   MBR; other non-empty entries make it "hybrid"), else `E_GPT_NO_PROTECTIVE_MBR`.
 * - A header is valid as UEFI §5.3.2 says: signature `EFI PART`, 92 ≤ HeaderSize ≤ block size,
 *   HeaderCRC32 over HeaderSize bytes with the CRC field zeroed, MyLBA equal to the LBA it was read
 *   from, SizeOfPartitionEntry = 128·2^n, the entry array inside the image, and the array's CRC32.
 * - The primary header (LBA 1) is used when valid; otherwise the backup header is tried at the
 *   last LBA of the image (and at the primary's AlternateLBA when the primary header itself was
 *   intact). `source` says which one was used and `primaryProblem` why the primary was not.
 *   Neither valid → `E_GPT_NO_VALID_HEADER`.
 * - Partitions are the entries whose type GUID is not all zero, numbered by their 1-based index
 *   in the entry array (the HD() device-path PartitionNumber); LBAs and attributes are bigints;
 *   names are UTF-16LE up to the first NUL code unit; GUIDs are lowercase mixed-endian text.
 */
import { Parser } from "binary-parser";
import { crc32 } from "./crc32.ts";
import { ParseError, type ErrorCode } from "../../errors.ts";
import { ESP_TYPE_GUID, guidToText, XBOOTLDR_TYPE_GUID } from "../efi/guids.ts";

/** EFI System Partition type GUID. */
export const GPT_TYPE_ESP = ESP_TYPE_GUID;
/** Extended Boot Loader Partition (XBOOTLDR) type GUID (UAPI Discoverable Partitions spec). */
export const GPT_TYPE_XBOOTLDR = XBOOTLDR_TYPE_GUID;
export const GPT_SIGNATURE = "EFI PART";
export const GPT_HEADER_MIN_SIZE = 92;
export const GPT_ENTRY_MIN_SIZE = 128;

/** Attribute bits (UEFI Table 5.8). */
export const GPT_ATTR_REQUIRED = 1n << 0n;
export const GPT_ATTR_NO_BLOCK_IO = 1n << 1n;
export const GPT_ATTR_LEGACY_BIOS_BOOTABLE = 1n << 2n;

export type GptRole = "esp" | "xbootldr";

export interface GptHeader {
  revision: number;
  headerSize: number;
  headerCrc32: number;
  myLba: bigint;
  alternateLba: bigint;
  firstUsableLba: bigint;
  lastUsableLba: bigint;
  diskGuid: string;
  partitionEntryLba: bigint;
  numberOfPartitionEntries: number;
  sizeOfPartitionEntry: number;
  partitionEntryArrayCrc32: number;
}

export interface GptPartition {
  /** 1-based index in the entry array. */
  number: number;
  typeGuid: string;
  uniqueGuid: string;
  firstLba: bigint;
  /** Inclusive. */
  lastLba: bigint;
  attributes: bigint;
  name: string;
  /** Set for the well-known boot partition types. */
  role?: GptRole;
}

export interface GptTable {
  sectorSize: number;
  /** "hybrid" when the MBR also lists partitions other than the 0xEE one. */
  mbr: "protective" | "hybrid";
  source: "primary" | "backup";
  /** Why the primary header or entry array was rejected (only when `source` is "backup"). */
  primaryProblem?: string;
  header: GptHeader;
  partitions: GptPartition[];
}

const HEADER = new Parser().endianness("little")
  .string("signature", { length: 8, encoding: "latin1" })
  .uint32("revision")
  .uint32("headerSize")
  .uint32("headerCrc32")
  .uint32("reserved")
  .uint64("myLba")
  .uint64("alternateLba")
  .uint64("firstUsableLba")
  .uint64("lastUsableLba")
  .buffer("diskGuid", { length: 16 })
  .uint64("partitionEntryLba")
  .uint32("numberOfPartitionEntries")
  .uint32("sizeOfPartitionEntry")
  .uint32("partitionEntryArrayCrc32");

const ENTRY = new Parser().endianness("little")
  .buffer("typeGuid", { length: 16 })
  .buffer("uniqueGuid", { length: 16 })
  .uint64("firstLba")
  .uint64("lastLba")
  .uint64("attributes")
  .buffer("name", { length: 72 });

const MBR_PARTITION = new Parser().endianness("little")
  .uint8("status").seek(3).uint8("type").seek(3).uint32("firstLba").uint32("sectors");
const MBR = new Parser().endianness("little")
  .seek(0x1be)
  .array("partitions", { type: MBR_PARTITION, length: 4 })
  .uint16("signature");

interface HeaderFields {
  signature: string; revision: number; headerSize: number; headerCrc32: number;
  myLba: bigint; alternateLba: bigint; firstUsableLba: bigint; lastUsableLba: bigint; diskGuid: Buffer;
  partitionEntryLba: bigint; numberOfPartitionEntries: number; sizeOfPartitionEntry: number; partitionEntryArrayCrc32: number;
}
interface EntryFields { typeGuid: Buffer; uniqueGuid: Buffer; firstLba: bigint; lastLba: bigint; attributes: bigint; name: Buffer }
interface MbrFields { partitions: { status: number; type: number; firstLba: number; sectors: number }[]; signature: number }

function fail(code: ErrorCode, reason: string): never {
  throw new ParseError(code, reason, { line: 1 });
}

function roleOf(typeGuid: string): GptRole | undefined {
  if (typeGuid === GPT_TYPE_ESP) return "esp";
  if (typeGuid === GPT_TYPE_XBOOTLDR) return "xbootldr";
  return undefined;
}

/** UTF-16LE up to the first NUL code unit. */
function decodeName(raw: Buffer): string {
  let units = 0;
  while (units < raw.length / 2 && (raw[units * 2]! | raw[units * 2 + 1]!) !== 0) units++;
  return raw.subarray(0, units * 2).toString("utf16le");
}

type HeaderResult = { ok: true; header: GptHeader; entries: Buffer } | { ok: false; problem: string };

/** Read and validate the header at `lba` and its entry array (UEFI §5.3.2). */
function readHeaderAt(image: Buffer, lba: bigint, sectorSize: number): HeaderResult {
  const offset = lba * BigInt(sectorSize);
  if (offset + BigInt(sectorSize) > BigInt(image.length)) return { ok: false, problem: `LBA ${lba} is beyond the end of the image` };
  const sector = image.subarray(Number(offset), Number(offset) + sectorSize);
  const h = HEADER.parse(sector.subarray(0, GPT_HEADER_MIN_SIZE)) as HeaderFields;
  if (h.signature !== GPT_SIGNATURE) return { ok: false, problem: `no "EFI PART" signature at LBA ${lba}` };
  if (h.headerSize < GPT_HEADER_MIN_SIZE || h.headerSize > sectorSize) return { ok: false, problem: `header size ${h.headerSize} at LBA ${lba} is outside 92..${sectorSize}` };
  const copy = Buffer.from(sector.subarray(0, h.headerSize));
  copy.writeUInt32LE(0, 16);
  const headerCrc = crc32(copy);
  if (headerCrc !== h.headerCrc32) {
    return { ok: false, problem: `header CRC32 at LBA ${lba} is 0x${h.headerCrc32.toString(16)}, computed 0x${headerCrc.toString(16)}` };
  }
  if (h.myLba !== lba) return { ok: false, problem: `header at LBA ${lba} says MyLBA ${h.myLba}` };
  const size = h.sizeOfPartitionEntry;
  if (size < GPT_ENTRY_MIN_SIZE || (size & (size - 1)) !== 0) return { ok: false, problem: `partition entry size ${size} is not 128·2^n` };
  const entriesStart = h.partitionEntryLba * BigInt(sectorSize);
  const entriesEnd = entriesStart + BigInt(h.numberOfPartitionEntries) * BigInt(size);
  if (entriesEnd > BigInt(image.length)) {
    return { ok: false, problem: `partition entry array (LBA ${h.partitionEntryLba}, ${h.numberOfPartitionEntries}×${size} bytes) extends beyond the image` };
  }
  const entries = image.subarray(Number(entriesStart), Number(entriesEnd));
  const entriesCrc = crc32(entries);
  if (entriesCrc !== h.partitionEntryArrayCrc32) {
    return { ok: false, problem: `partition entry array CRC32 is 0x${h.partitionEntryArrayCrc32.toString(16)}, computed 0x${entriesCrc.toString(16)}` };
  }
  const header: GptHeader = {
    revision: h.revision,
    headerSize: h.headerSize,
    headerCrc32: h.headerCrc32,
    myLba: h.myLba,
    alternateLba: h.alternateLba,
    firstUsableLba: h.firstUsableLba,
    lastUsableLba: h.lastUsableLba,
    diskGuid: guidToText(h.diskGuid),
    partitionEntryLba: h.partitionEntryLba,
    numberOfPartitionEntries: h.numberOfPartitionEntries,
    sizeOfPartitionEntry: size,
    partitionEntryArrayCrc32: h.partitionEntryArrayCrc32,
  };
  return { ok: true, header, entries };
}

/** The header's AlternateLBA when its signature and CRC are intact (whatever else is wrong). */
function intactAlternateLba(image: Buffer, sectorSize: number): bigint | undefined {
  if (2 * sectorSize > image.length) return undefined;
  const sector = image.subarray(sectorSize, 2 * sectorSize);
  const h = HEADER.parse(sector.subarray(0, GPT_HEADER_MIN_SIZE)) as HeaderFields;
  if (h.signature !== GPT_SIGNATURE || h.headerSize < GPT_HEADER_MIN_SIZE || h.headerSize > sectorSize) return undefined;
  const copy = Buffer.from(sector.subarray(0, h.headerSize));
  copy.writeUInt32LE(0, 16);
  return crc32(copy) === h.headerCrc32 ? h.alternateLba : undefined;
}

function decodeEntries(entries: Buffer, header: GptHeader): GptPartition[] {
  const out: GptPartition[] = [];
  const size = header.sizeOfPartitionEntry;
  for (let i = 0; i < header.numberOfPartitionEntries; i++) {
    const raw = entries.subarray(i * size, i * size + GPT_ENTRY_MIN_SIZE);
    let used = false;
    for (let j = 0; j < 16; j++) if (raw[j] !== 0) { used = true; break; }
    if (!used) continue;
    const e = ENTRY.parse(raw) as EntryFields;
    const typeGuid = guidToText(e.typeGuid);
    const partition: GptPartition = {
      number: i + 1,
      typeGuid,
      uniqueGuid: guidToText(e.uniqueGuid),
      firstLba: e.firstLba,
      lastLba: e.lastLba,
      attributes: e.attributes,
      name: decodeName(e.name),
    };
    const role = roleOf(typeGuid);
    if (role !== undefined) partition.role = role;
    out.push(partition);
  }
  return out;
}

/** Read the GPT of a disk image whose logical blocks are `sectorSize` bytes. */
export function readGpt(bytes: Uint8Array, sectorSize = 512): GptTable {
  if (!Number.isInteger(sectorSize) || sectorSize < 512 || (sectorSize & (sectorSize - 1)) !== 0) {
    fail("E_GPT_SECTOR_SIZE", `sector size ${sectorSize} is not a power of two ≥ 512`);
  }
  const image = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (image.length < 2 * sectorSize) fail("E_GPT_TRUNCATED", `image has ${image.length} bytes, fewer than the MBR and the GPT header (${2 * sectorSize})`);

  const mbr = MBR.parse(image.subarray(0, 512)) as MbrFields;
  if (mbr.signature !== 0xaa55) fail("E_GPT_NO_PROTECTIVE_MBR", "LBA 0 lacks the 0x55AA MBR signature");
  if (!mbr.partitions.some((p) => p.type === 0xee)) fail("E_GPT_NO_PROTECTIVE_MBR", "the MBR has no protective (type 0xEE) partition");
  const hybrid = mbr.partitions.some((p) => p.type !== 0xee && p.type !== 0);

  const primary = readHeaderAt(image, 1n, sectorSize);
  let chosen: { ok: true; header: GptHeader; entries: Buffer } | undefined;
  let primaryProblem: string | undefined;
  if (primary.ok) {
    chosen = primary;
  } else {
    primaryProblem = primary.problem;
    const lastLba = BigInt(Math.floor(image.length / sectorSize) - 1);
    const candidates = [lastLba];
    const alternate = intactAlternateLba(image, sectorSize);
    if (alternate !== undefined && alternate !== lastLba && alternate > 1n) candidates.push(alternate);
    const problems: string[] = [];
    for (const lba of candidates) {
      const backup = readHeaderAt(image, lba, sectorSize);
      if (backup.ok) { chosen = backup; break; }
      problems.push(backup.problem);
    }
    if (chosen === undefined) fail("E_GPT_NO_VALID_HEADER", `no valid GPT header: primary: ${primary.problem}; backup: ${problems.join("; ")}`);
  }

  const table: GptTable = {
    sectorSize,
    mbr: hybrid ? "hybrid" : "protective",
    source: primary.ok ? "primary" : "backup",
    header: chosen.header,
    partitions: decodeEntries(chosen.entries, chosen.header),
  };
  if (primaryProblem !== undefined) table.primaryProblem = primaryProblem;
  return table;
}

/** The partitions with a given role, in table order. */
export function partitionsWithRole(table: GptTable, role: GptRole): GptPartition[] {
  return table.partitions.filter((p) => p.role === role);
}
