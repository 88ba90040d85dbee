/**
 * Test-only GPT image writer (UEFI 2.10 §5.2–5.3): protective MBR, primary header at LBA 1 with
 * its entry array at LBA 2, backup array and header at the end. Buffer methods only; options
 * produce the damaged images the reader must survive or recover from.
 */
import * as zlib from "node:zlib";

/** zlib's CRC-32 (Node >= 20.15; not in Node 18's typings): an oracle independent of src/formats/gpt/crc32.ts. */
const crc32 = (zlib as unknown as { crc32(data: Uint8Array): number }).crc32;
import { guidToBytes as guidFromText } from "../../../src/formats/efi/guids.ts";

export interface BuildPartition {
  /** 1-based slot in the entry array. */
  number: number;
  typeGuid: string;
  uniqueGuid: string;
  firstLba: bigint;
  lastLba: bigint;
  attributes?: bigint;
  name?: string;
}

export interface BuildGptOptions {
  sectors: number;
  sectorSize?: number;        // default 512
  diskGuid?: string;
  entries?: number;           // default 128
  entrySize?: number;         // default 128
  partitions?: BuildPartition[];
  /** Write only the primary structures (like a truncated image). */
  noBackup?: boolean;
  hybridMbr?: boolean;
  noMbr?: boolean;
}

export function buildGpt(o: BuildGptOptions): Buffer {
  const ss = o.sectorSize ?? 512;
  const entries = o.entries ?? 128;
  const entrySize = o.entrySize ?? 128;
  const image = Buffer.alloc(o.sectors * ss);
  const arraySectors = Math.ceil((entries * entrySize) / ss);
  const last = BigInt(o.sectors - 1);

  if (!o.noMbr) {
    const p = 0x1be;
    image[p + 4] = 0xee;
    image.writeUInt32LE(1, p + 8);
    image.writeUInt32LE(Math.min(o.sectors - 1, 0xffffffff), p + 12);
    if (o.hybridMbr) {
      image[p + 16 + 4] = 0x0c;
      image.writeUInt32LE(2048, p + 16 + 8);
      image.writeUInt32LE(100, p + 16 + 12);
    }
    image.writeUInt16LE(0xaa55, 510);
  }

  const array = Buffer.alloc(entries * entrySize);
  for (const part of o.partitions ?? []) {
    const at = (part.number - 1) * entrySize;
    guidFromText(part.typeGuid).copy(array, at);
    guidFromText(part.uniqueGuid).copy(array, at + 16);
    array.writeBigUInt64LE(part.firstLba, at + 32);
    array.writeBigUInt64LE(part.lastLba, at + 40);
    array.writeBigUInt64LE(part.attributes ?? 0n, at + 48);
    Buffer.from(part.name ?? "", "utf16le").copy(array, at + 56, 0, 72);
  }
  const arrayCrc = crc32(array);

  const header = (myLba: bigint, alternateLba: bigint, entryLba: bigint): Buffer => {
    const h = Buffer.alloc(92);
    h.write("EFI PART", 0, "latin1");
    h.writeUInt32LE(0x00010000, 8);
    h.writeUInt32LE(92, 12);
    h.writeBigUInt64LE(myLba, 24);
    h.writeBigUInt64LE(alternateLba, 32);
    h.writeBigUInt64LE(BigInt(2 + arraySectors), 40);
    h.writeBigUInt64LE(last - 1n - BigInt(arraySectors), 48);
    guidFromText(o.diskGuid ?? "11111111-2222-3333-4444-555555555555").copy(h, 56);
    h.writeBigUInt64LE(entryLba, 72);
    h.writeUInt32LE(entries, 80);
    h.writeUInt32LE(entrySize, 84);
    h.writeUInt32LE(arrayCrc, 88);
    h.writeUInt32LE(crc32(h), 16);
    return h;
  };
  header(1n, last, 2n).copy(image, ss);
  array.copy(image, 2 * ss);
  if (!o.noBackup) {
    const backupArrayLba = last - BigInt(arraySectors);
    array.copy(image, Number(backupArrayLba) * ss);
    header(last, 1n, backupArrayLba).copy(image, Number(last) * ss);
  }
  return image;
}
