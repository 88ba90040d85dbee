/**
 * PE/COFF reader: DOS header → `PE\0\0` signature → COFF file header → optional header → section
 * table (Microsoft "PE Format" specification, "Optional Header" and "Section Table").
 *
 * Contract:
 * - Pure: bytes in, data out; never reads past the input, never allocates more than the input
 *   (section data are views into it), time linear in the size of the section table.
 * - Header validation follows systemd's userspace reader (src/shared/pe-binary.c
 *   `pe_load_headers()`/`pe_load_sections()`): `MZ`, `PE\0\0`, an optional header of at least the
 *   magic, magic 0x10B (PE32) or 0x20B (PE32+), and SizeOfOptionalHeader exactly covering
 *   NumberOfRvaAndSizes data directories. Every violation is a `ParseError` with an `E_PE_…` code.
 * - Section names are the 8 raw bytes with trailing NULs removed (latin1, so lossless): systemd's
 *   `pe_section_table_find()` matches a name only when the rest of the 8 bytes is all NUL, so
 *   `.osrel\0X` is not `.osrel`. Long names (`/NN` string-table references) are kept verbatim.
 * - `readPeHeaders()` is lenient about section payloads (like systemd, which only fails when it
 *   reads a section it needs); `readPeSections()` also returns every section's payload and
 *   refuses a file whose section table points outside it.
 */
import { Parser } from "binary-parser";
import { ParseError, type ErrorCode } from "../../errors.ts";

/** COFF Machine values (PE format spec §"Machine Types"). */
export const PE_MACHINE = {
  I386: 0x014c,
  ARM_THUMB: 0x01c2,
  X64: 0x8664,
  ARM64: 0xaa64,
  RISCV32: 0x5032,
  RISCV64: 0x5064,
  LOONGARCH64: 0x6264,
} as const;

/** Optional-header Subsystem values used by UEFI images. */
export const PE_SUBSYSTEM = {
  EFI_APPLICATION: 10,
  EFI_BOOT_SERVICE_DRIVER: 11,
  EFI_RUNTIME_DRIVER: 12,
} as const;

export const PE32_MAGIC = 0x10b;
export const PE32_PLUS_MAGIC = 0x20b;

/** Sizes fixed by the format. */
export const DOS_HEADER_SIZE = 64;
export const COFF_HEADER_SIZE = 20;
export const SECTION_HEADER_SIZE = 40;
/** Offset of DataDirectory[0] in the optional header (NumberOfRvaAndSizes is the u32 before it). */
const DATA_DIRECTORY_OFFSET = { [PE32_MAGIC]: 96, [PE32_PLUS_MAGIC]: 112 } as const;

export interface PeSectionHeader {
  /** 0-based position in the section table. */
  index: number;
  /** Name[8] as latin1 with trailing NULs removed. */
  name: string;
  virtualSize: number;
  virtualAddress: number;
  sizeOfRawData: number;
  pointerToRawData: number;
  characteristics: number;
}

export interface PeSection extends PeSectionHeader {
  /**
   * The payload as systemd reads it for measuring (pe-binary.c `uki_hash()`):
   * `file[PointerToRawData, + min(VirtualSize, SizeOfRawData))`. A view into the input.
   */
  data: Buffer;
}

export interface PeHeaders {
  /** e_lfanew: file offset of the `PE\0\0` signature. */
  peOffset: number;
  machine: number;
  timeDateStamp: number;
  coffCharacteristics: number;
  sizeOfOptionalHeader: number;
  /** 0x10B (PE32) or 0x20B (PE32+). */
  magic: number;
  addressOfEntryPoint: number;
  imageBase: bigint;
  sectionAlignment: number;
  fileAlignment: number;
  sizeOfImage: number;
  sizeOfHeaders: number;
  subsystem: number;
  numberOfRvaAndSizes: number;
  /** File offset of the section table. */
  sectionTableOffset: number;
  /** Section headers in table order. */
  sections: PeSectionHeader[];
}

export interface PeImage extends Omit<PeHeaders, "sections"> {
  sections: PeSection[];
}

const DOS_HEADER = new Parser().endianness("little")
  .uint16("magic")
  .seek(0x3c - 2)
  .uint32("peOffset");

const COFF_HEADER = new Parser().endianness("little")
  .uint32("signature")
  .uint16("machine")
  .uint16("numberOfSections")
  .uint32("timeDateStamp")
  .uint32("pointerToSymbolTable")
  .uint32("numberOfSymbols")
  .uint16("sizeOfOptionalHeader")
  .uint16("characteristics");

/** The optional-header fields we report; PE32 and PE32+ differ only in ImageBase/BaseOfData. */
const OPTIONAL_COMMON_HEAD = new Parser().endianness("little")
  .uint16("magic")
  .uint8("majorLinkerVersion")
  .uint8("minorLinkerVersion")
  .uint32("sizeOfCode")
  .uint32("sizeOfInitializedData")
  .uint32("sizeOfUninitializedData")
  .uint32("addressOfEntryPoint")
  .uint32("baseOfCode");
const OPTIONAL_PE32 = new Parser().endianness("little")
  .nest("", { type: OPTIONAL_COMMON_HEAD })
  .uint32("baseOfData")
  .uint32("imageBase32")
  .uint32("sectionAlignment")
  .uint32("fileAlignment")
  .seek(16)
  .uint32("sizeOfImage")
  .uint32("sizeOfHeaders")
  .uint32("checkSum")
  .uint16("subsystem")
  .uint16("dllCharacteristics")
  .seek(16)
  .uint32("loaderFlags")
  .uint32("numberOfRvaAndSizes");
const OPTIONAL_PE32_PLUS = new Parser().endianness("little")
  .nest("", { type: OPTIONAL_COMMON_HEAD })
  .uint64("imageBase")
  .uint32("sectionAlignment")
  .uint32("fileAlignment")
  .seek(16)
  .uint32("sizeOfImage")
  .uint32("sizeOfHeaders")
  .uint32("checkSum")
  .uint16("subsystem")
  .uint16("dllCharacteristics")
  .seek(32)
  .uint32("loaderFlags")
  .uint32("numberOfRvaAndSizes");

const SECTION_HEADER = new Parser().endianness("little")
  .buffer("rawName", { length: 8 })
  .uint32("virtualSize")
  .uint32("virtualAddress")
  .uint32("sizeOfRawData")
  .uint32("pointerToRawData")
  .uint32("pointerToRelocations")
  .uint32("pointerToLinenumbers")
  .uint16("numberOfRelocations")
  .uint16("numberOfLinenumbers")
  .uint32("characteristics");

interface DosFields { magic: number; peOffset: number }
interface CoffFields {
  signature: number; machine: number; numberOfSections: number; timeDateStamp: number;
  sizeOfOptionalHeader: number; characteristics: number;
}
interface OptionalFields {
  magic: number; addressOfEntryPoint: number; imageBase?: bigint; imageBase32?: number;
  sectionAlignment: number; fileAlignment: number; sizeOfImage: number; sizeOfHeaders: number;
  subsystem: number; numberOfRvaAndSizes: number;
}
interface SectionFields {
  rawName: Buffer; virtualSize: number; virtualAddress: number; sizeOfRawData: number;
  pointerToRawData: number; characteristics: number;
}

function fail(code: ErrorCode, reason: string): never {
  throw new ParseError(code, reason, { line: 1 });
}

function hex(n: number): string {
  return "0x" + n.toString(16);
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `buf[offset, offset+length)` after checking it lies inside the input. */
function slice(buf: Buffer, offset: number, length: number, what: string): Buffer {
  if (offset + length > buf.length) {
    fail("E_PE_TRUNCATED", `file ends at ${hex(buf.length)}, before the end of the ${what} (${hex(offset)}+${hex(length)})`);
  }
  return buf.subarray(offset, offset + length);
}

/** The section name as systemd compares it: 8 bytes, trailing NULs dropped, latin1. */
export function sectionName(raw: Uint8Array): string {
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0) end--;
  return asBuffer(raw).subarray(0, end).toString("latin1");
}

/** Parse the headers and the section table, without touching section payloads. */
export function readPeHeaders(bytes: Uint8Array): PeHeaders {
  const buf = asBuffer(bytes);
  if (buf.length < DOS_HEADER_SIZE) fail("E_PE_TRUNCATED", `file has ${buf.length} bytes, fewer than a DOS header (64)`);
  const dos = DOS_HEADER.parse(buf.subarray(0, DOS_HEADER_SIZE)) as DosFields;
  if (dos.magic !== 0x5a4d) fail("E_PE_NO_MZ", "file lacks the MZ executable header");

  const coffBytes = slice(buf, dos.peOffset, 4 + COFF_HEADER_SIZE, "PE signature and COFF header");
  const coff = COFF_HEADER.parse(coffBytes) as CoffFields;
  if (coff.signature !== 0x00004550) fail("E_PE_NO_SIGNATURE", `no PE\\0\\0 signature at e_lfanew ${hex(dos.peOffset)}`);
  if (coff.sizeOfOptionalHeader < 2) fail("E_PE_OPTIONAL_HEADER", `optional header size ${coff.sizeOfOptionalHeader} is too short for its magic`);

  const optionalOffset = dos.peOffset + 4 + COFF_HEADER_SIZE;
  const optionalBytes = slice(buf, optionalOffset, coff.sizeOfOptionalHeader, "optional header");
  const magic = optionalBytes.readUInt16LE(0);
  if (magic !== PE32_MAGIC && magic !== PE32_PLUS_MAGIC) fail("E_PE_OPTIONAL_MAGIC", `optional header magic ${hex(magic)} is neither PE32 (0x10b) nor PE32+ (0x20b)`);
  const dataDirectoryOffset = DATA_DIRECTORY_OFFSET[magic];
  if (coff.sizeOfOptionalHeader < dataDirectoryOffset) {
    fail("E_PE_OPTIONAL_HEADER", `optional header size ${hex(coff.sizeOfOptionalHeader)} is too short for a ${magic === PE32_MAGIC ? "PE32" : "PE32+"} header (${hex(dataDirectoryOffset)})`);
  }
  const optional = (magic === PE32_MAGIC ? OPTIONAL_PE32 : OPTIONAL_PE32_PLUS).parse(optionalBytes) as OptionalFields;
  // pe-binary.c: "Optional header size mismatch" unless it is exactly the data directories' end.
  if (coff.sizeOfOptionalHeader !== dataDirectoryOffset + 8 * optional.numberOfRvaAndSizes) {
    fail("E_PE_OPTIONAL_HEADER", `optional header size ${hex(coff.sizeOfOptionalHeader)} does not match ${optional.numberOfRvaAndSizes} data directories`);
  }

  const sectionTableOffset = optionalOffset + coff.sizeOfOptionalHeader;
  const table = slice(buf, sectionTableOffset, coff.numberOfSections * SECTION_HEADER_SIZE, "section table");
  const sections: PeSectionHeader[] = [];
  for (let i = 0; i < coff.numberOfSections; i++) {
    const s = SECTION_HEADER.parse(table.subarray(i * SECTION_HEADER_SIZE, (i + 1) * SECTION_HEADER_SIZE)) as SectionFields;
    sections.push({
      index: i,
      name: sectionName(s.rawName),
      virtualSize: s.virtualSize,
      virtualAddress: s.virtualAddress,
      sizeOfRawData: s.sizeOfRawData,
      pointerToRawData: s.pointerToRawData,
      characteristics: s.characteristics,
    });
  }

  return {
    peOffset: dos.peOffset,
    machine: coff.machine,
    timeDateStamp: coff.timeDateStamp,
    coffCharacteristics: coff.characteristics,
    sizeOfOptionalHeader: coff.sizeOfOptionalHeader,
    magic,
    addressOfEntryPoint: optional.addressOfEntryPoint,
    imageBase: optional.imageBase ?? BigInt(optional.imageBase32 ?? 0),
    sectionAlignment: optional.sectionAlignment,
    fileAlignment: optional.fileAlignment,
    sizeOfImage: optional.sizeOfImage,
    sizeOfHeaders: optional.sizeOfHeaders,
    subsystem: optional.subsystem,
    numberOfRvaAndSizes: optional.numberOfRvaAndSizes,
    sectionTableOffset,
    sections,
  };
}

/** Parse a PE file and return every section with its payload, in section-table order. */
export function readPeSections(bytes: Uint8Array): PeImage {
  const buf = asBuffer(bytes);
  const headers = readPeHeaders(buf);
  const sections = headers.sections.map((s): PeSection => {
    const length = Math.min(s.virtualSize, s.sizeOfRawData);
    if (s.pointerToRawData + length > buf.length) {
      fail("E_PE_SECTION_OUT_OF_BOUNDS", `section ${JSON.stringify(s.name)} (#${s.index}) data ${hex(s.pointerToRawData)}+${hex(length)} lies outside the file (${hex(buf.length)} bytes)`);
    }
    return { ...s, data: buf.subarray(s.pointerToRawData, s.pointerToRawData + length) };
  });
  return { ...headers, sections };
}
