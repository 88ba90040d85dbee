/**
 * Builds small PE/COFF images for tests (layout: Microsoft "PE Format" specification): a DOS header,
 * `PE\0\0`, a COFF header, a PE32+ (or PE32) optional header with NumberOfRvaAndSizes data
 * directories, the section table, then each section's payload padded to FileAlignment. Every field
 * can be overridden to produce malformed files (lying sizes, pointers outside the file, truncation).
 * Written with Buffer methods only; nothing here is used by src/.
 */

export interface PeBuilderSection {
  /** Up to 8 bytes (latin1); or the exact 8 raw name bytes. */
  name: string | Uint8Array;
  data?: Uint8Array | string;
  /** Default: the data length. */
  virtualSize?: number;
  /** Default: the next free SectionAlignment-aligned address. */
  virtualAddress?: number;
  /** Default: the data length rounded up to FileAlignment. */
  sizeOfRawData?: number;
  /** Default: where the builder places the data. */
  pointerToRawData?: number;
  /** Default 0x40000040 (INITIALIZED_DATA | MEM_READ). */
  characteristics?: number;
}

export interface PeBuilderOptions {
  machine?: number;           // default 0x8664
  pe32?: boolean;             // PE32 instead of PE32+
  subsystem?: number;         // default 10 (EFI application)
  peOffset?: number;          // e_lfanew, default 0x80
  fileAlignment?: number;     // default 0x200
  sectionAlignment?: number;  // default 0x1000
  numberOfRvaAndSizes?: number; // default 16
  imageBase?: bigint;         // default 0
  timeDateStamp?: number;     // default 0
  // Malformations:
  dosMagic?: number;          // default 0x5a4d ("MZ")
  peSignature?: number;       // default 0x00004550
  optionalMagic?: number;     // default 0x20b / 0x10b
  sizeOfOptionalHeader?: number; // override the computed value (the header is still written as computed)
  numberOfSections?: number;  // override the count written in the COFF header
  truncateTo?: number;        // cut the finished file to this many bytes
}

export const DEFAULT_DATA_CHARACTERISTICS = 0x40000040;

const alignUp = (n: number, a: number): number => (a > 0 ? Math.ceil(n / a) * a : n);

function toBytes(data: Uint8Array | string | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  return typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
}

function nameBytes(name: string | Uint8Array): Buffer {
  const out = Buffer.alloc(8);
  (typeof name === "string" ? Buffer.from(name, "latin1") : Buffer.from(name)).copy(out, 0, 0, 8);
  return out;
}

export function buildPe(sections: readonly PeBuilderSection[], options: PeBuilderOptions = {}): Buffer {
  const pe32 = options.pe32 ?? false;
  const peOffset = options.peOffset ?? 0x80;
  const fileAlignment = options.fileAlignment ?? 0x200;
  const sectionAlignment = options.sectionAlignment ?? 0x1000;
  const nDirs = options.numberOfRvaAndSizes ?? 16;
  const optionalSize = (pe32 ? 96 : 112) + 8 * nDirs;
  const tableOffset = peOffset + 24 + optionalSize;
  const sizeOfHeaders = alignUp(Math.max(tableOffset + 40 * sections.length, 64), fileAlignment);

  // Place payloads.
  const payloads = sections.map((s) => toBytes(s.data));
  let fileOffset = sizeOfHeaders;
  let va = alignUp(sizeOfHeaders, sectionAlignment);
  const placed = sections.map((s, i) => {
    const data = payloads[i]!;
    const rawSize = alignUp(data.length, fileAlignment);
    const entry = {
      name: nameBytes(s.name),
      virtualSize: s.virtualSize ?? data.length,
      virtualAddress: s.virtualAddress ?? va,
      sizeOfRawData: s.sizeOfRawData ?? rawSize,
      pointerToRawData: s.pointerToRawData ?? (data.length === 0 ? 0 : fileOffset),
      characteristics: s.characteristics ?? DEFAULT_DATA_CHARACTERISTICS,
      writeAt: data.length === 0 ? -1 : fileOffset,
      data,
    };
    fileOffset += rawSize;
    va = alignUp(entry.virtualAddress + Math.max(entry.virtualSize, 1), sectionAlignment);
    return entry;
  });
  const sizeOfImage = va;

  const file = Buffer.alloc(Math.max(fileOffset, sizeOfHeaders));
  // DOS header.
  file.writeUInt16LE(options.dosMagic ?? 0x5a4d, 0);
  file.writeUInt32LE(peOffset, 0x3c);
  // PE signature + COFF header.
  file.writeUInt32LE(options.peSignature ?? 0x00004550, peOffset);
  const coff = peOffset + 4;
  file.writeUInt16LE(options.machine ?? 0x8664, coff);
  file.writeUInt16LE(options.numberOfSections ?? sections.length, coff + 2);
  file.writeUInt32LE(options.timeDateStamp ?? 0, coff + 4);
  file.writeUInt16LE(options.sizeOfOptionalHeader ?? optionalSize, coff + 16);
  file.writeUInt16LE(pe32 ? 0x0306 : 0x0206, coff + 18);
  // Optional header.
  const opt = coff + 20;
  file.writeUInt16LE(options.optionalMagic ?? (pe32 ? 0x10b : 0x20b), opt);
  const firstVa = placed[0]?.virtualAddress ?? 0;
  file.writeUInt32LE(firstVa, opt + 16); // AddressOfEntryPoint
  file.writeUInt32LE(firstVa, opt + 20); // BaseOfCode
  if (pe32) file.writeUInt32LE(Number(options.imageBase ?? 0n), opt + 28);
  else file.writeBigUInt64LE(options.imageBase ?? 0n, opt + 24);
  file.writeUInt32LE(sectionAlignment, opt + 32);
  file.writeUInt32LE(fileAlignment, opt + 36);
  file.writeUInt32LE(sizeOfImage, opt + 56);
  file.writeUInt32LE(sizeOfHeaders, opt + 60);
  file.writeUInt16LE(options.subsystem ?? 10, opt + 68);
  file.writeUInt32LE(nDirs, opt + (pe32 ? 92 : 108));
  // Section table and payloads.
  placed.forEach((s, i) => {
    const at = tableOffset + 40 * i;
    s.name.copy(file, at);
    file.writeUInt32LE(s.virtualSize >>> 0, at + 8);
    file.writeUInt32LE(s.virtualAddress >>> 0, at + 12);
    file.writeUInt32LE(s.sizeOfRawData >>> 0, at + 16);
    file.writeUInt32LE(s.pointerToRawData >>> 0, at + 20);
    file.writeUInt32LE(s.characteristics >>> 0, at + 36);
    if (s.writeAt >= 0) s.data.copy(file, s.writeAt);
  });
  return options.truncateTo === undefined ? file : file.subarray(0, options.truncateTo);
}

export interface UkiProfileSpec {
  /** `.profile` contents (`ID=…\nTITLE=…\n`). */
  profile: string;
  /** Further sections of the profile, in order (e.g. `.cmdline`, `.osrel`). */
  sections?: PeBuilderSection[];
}

export interface UkiSpec {
  osrel?: string;
  cmdline?: string;
  uname?: string;
  linux?: Uint8Array | string;
  /** Extra base sections appended after the standard ones. */
  extra?: PeBuilderSection[];
  profiles?: UkiProfileSpec[];
}

/** A UKI-shaped PE: `.text` (stub stand-in), `.osrel`, `.cmdline`, `.uname`, `.linux`, then profiles. */
export function buildUki(spec: UkiSpec, options: PeBuilderOptions = {}): Buffer {
  const sections: PeBuilderSection[] = [{ name: ".text", data: Buffer.alloc(16, 0xc3), characteristics: 0x60000020 }];
  if (spec.osrel !== undefined) sections.push({ name: ".osrel", data: spec.osrel });
  if (spec.cmdline !== undefined) sections.push({ name: ".cmdline", data: spec.cmdline });
  if (spec.uname !== undefined) sections.push({ name: ".uname", data: spec.uname });
  sections.push({ name: ".linux", data: spec.linux ?? Buffer.from("MZ fake kernel") });
  sections.push(...(spec.extra ?? []));
  for (const p of spec.profiles ?? []) {
    sections.push({ name: ".profile", data: p.profile });
    sections.push(...(p.sections ?? []));
  }
  return buildPe(sections, options);
}
