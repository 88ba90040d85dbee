/**
 * Unified Kernel Images (UAPI "Unified Kernel Image" specification): the text sections a boot
 * menu needs (`.osrel`, `.cmdline`, `.uname`, `.profile`), per profile, exactly as systemd's
 * userspace reads them (src/shared/bootspec.c `pe_find_uki_sections()`,
 * `pe_find_profile_section_table()`, src/shared/pe-binary.c `pe_read_section_data()`, `pe_is_uki()`).
 *
 * Rules followed (current systemd, v257+):
 * - A UKI is an EFI application (Subsystem 10) with `.osrel` and `.linux` somewhere in its section
 *   table; anything else is refused (`E_UKI_NOT_A_UKI`). Architecture is reported, not checked
 *   (bootctl skips non-native UKIs: the caller decides).
 * - Section table split: the base part is every section before the first `.profile`; profile @N
 *   is the N-th `.profile` section up to (not including) the next `.profile` or the end. A UKI
 *   without `.profile` has no profiles: its base is the one entry (systemd's "profile @0 needs no
 *   explicit .profile"). With profiles, the base is not an entry by itself; its sections are the
 *   fallbacks of every profile.
 * - Lookup per profile: the first section of that name in the profile part, else the first in the
 *   base part; a found section with VirtualSize 0 "masks" it (the value is absent, no fallback).
 * - Payload: VirtualSize bytes at PointerToRawData read from the file (not the padded
 *   SizeOfRawData), at most 4 MiB (PE_SECTION_SIZE_MAX); NUL bytes are allowed only as a trailing
 *   run; the text is what precedes the first NUL, decoded as UTF-8.
 * - `.cmdline` has leading and trailing whitespace (space, tab, newline, CR) removed and is absent
 *   when nothing remains (`trim_cmdline()`); `.osrel`, `.profile` and `.uname` are kept verbatim.
 * - A profile systemd would refuse (a needed section that cannot be read, or no `.osrel` at all)
 *   carries `error`; systemd skips it and goes on with the next profile. `.uname` is not read by
 *   bootctl, so an unreadable `.uname` is simply absent.
 *
 * Known differences in Debian 12's systemd 252 (the live oracle of the BLS tests), not followed:
 * it has no profiles (sections are searched in the whole table and a second `.osrel`/`.cmdline`
 * makes it refuse the file), names are compared with strncmp (`.osrel\0X` matches), only one
 * trailing NUL is allowed, more than 96 sections are refused, and neither the subsystem nor
 * `.linux` is checked.
 */
import { ParseError, type ErrorCode } from "../../errors.ts";
import { asBuffer, readPeHeaders, PE_SUBSYSTEM, type PeSectionHeader } from "./pe-sections.ts";

export interface UkiSections {
  /** Names of the sections in this part of the section table, in table order. */
  names: string[];
  osrel?: string;
  cmdline?: string;
  uname?: string;
  /** The `.profile` metadata (`ID=`, `TITLE=` lines); only profiles have one. */
  profile?: string;
  /** Set when systemd would refuse this entry (`E_UKI_…` code and reason). */
  error?: ParseError;
}

export interface UkiImage {
  /** The base part; the single entry of a UKI without `.profile` sections. */
  base: UkiSections;
  /** Profiles @0, @1, … in table order; empty for a single-profile UKI. */
  profiles: UkiSections[];
  /** COFF Machine (0x8664 x64, 0xAA64 arm64, …). */
  machine: number;
}

/** bootspec.c PE_SECTION_SIZE_MAX. */
export const UKI_SECTION_SIZE_MAX = 4 * 1024 * 1024;
/** bootspec.c UNIFIED_PROFILES_MAX: bootctl looks at profiles @0…@255 only. */
export const UNIFIED_PROFILES_MAX = 256;

const WHITESPACE = " \t\n\r";

function fail(code: ErrorCode, reason: string): ParseError {
  return new ParseError(code, reason, { line: 1 });
}

type TextResult = { ok: true; text: string | undefined } | { ok: false; error: ParseError };

/** pe_read_section_data() on a found section, as a string (a NUL only as a trailing run). */
function readSectionText(file: Buffer, s: PeSectionHeader): TextResult {
  const n = s.virtualSize;
  if (n > UKI_SECTION_SIZE_MAX) return { ok: false, error: fail("E_UKI_SECTION_TOO_LARGE", `section ${s.name} is ${n} bytes, more than ${UKI_SECTION_SIZE_MAX}`) };
  if (s.pointerToRawData + n > file.length) {
    return { ok: false, error: fail("E_UKI_SECTION_SHORT", `section ${s.name} data 0x${s.pointerToRawData.toString(16)}+0x${n.toString(16)} lies outside the file`) };
  }
  const data = file.subarray(s.pointerToRawData, s.pointerToRawData + n);
  const nul = data.indexOf(0);
  if (nul >= 0) {
    for (let i = nul + 1; i < n; i++) {
      if (data[i] !== 0) return { ok: false, error: fail("E_UKI_SECTION_EMBEDDED_NUL", `section ${s.name} contains a NUL byte before its end`) };
    }
  }
  return { ok: true, text: data.subarray(0, nul >= 0 ? nul : n).toString("utf8") };
}

function trimCmdline(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let start = 0;
  let end = text.length;
  while (start < end && WHITESPACE.includes(text[start]!)) start++;
  while (end > start && WHITESPACE.includes(text[end - 1]!)) end--;
  return start === end ? undefined : text.slice(start, end);
}

function findSection(part: readonly PeSectionHeader[], name: string): PeSectionHeader | undefined {
  return part.find((s) => s.name === name);
}

/** Resolve one entry's sections: `own` first, then `base` (masking by VirtualSize 0). */
function resolve(file: Buffer, own: readonly PeSectionHeader[], base: readonly PeSectionHeader[], label: string): UkiSections {
  const out: UkiSections = { names: own.map((s) => s.name) };
  const lookup = (name: string): TextResult => {
    const found = findSection(own, name) ?? (own === base ? undefined : findSection(base, name));
    if (found === undefined || found.virtualSize === 0) return { ok: true, text: undefined };
    return readSectionText(file, found);
  };
  for (const [name, key] of [[".osrel", "osrel"], [".profile", "profile"], [".cmdline", "cmdline"]] as const) {
    const r = lookup(name);
    if (!r.ok) {
      out.error ??= r.error;
      continue;
    }
    const text = key === "cmdline" ? trimCmdline(r.text) : r.text;
    if (text !== undefined) out[key] = text;
  }
  const uname = lookup(".uname");
  if (uname.ok && uname.text !== undefined) out.uname = uname.text;
  if (out.error === undefined && out.osrel === undefined) out.error = fail("E_UKI_NO_OSREL", `unified kernel image lacks .osrel data for ${label}`);
  return out;
}

/** Read a UKI's base and profile sections. Throws `ParseError` (E_PE_…, E_UKI_NOT_A_UKI). */
export function readUki(bytes: Uint8Array): UkiImage {
  const file = asBuffer(bytes);
  const pe = readPeHeaders(file);
  const all = pe.sections;
  if (pe.subsystem !== PE_SUBSYSTEM.EFI_APPLICATION) {
    throw fail("E_UKI_NOT_A_UKI", `PE subsystem ${pe.subsystem} is not an EFI application (10)`);
  }
  if (!findSection(all, ".osrel") || !findSection(all, ".linux")) {
    throw fail("E_UKI_NOT_A_UKI", "PE file lacks a .linux or .osrel section");
  }

  const starts: number[] = [];
  all.forEach((s, i) => { if (s.name === ".profile") starts.push(i); });
  const base = all.slice(0, starts[0] ?? all.length);
  const profiles = starts.map((start, n) => {
    const part = all.slice(start, starts[n + 1] ?? all.length);
    return resolve(file, part, base, `profile @${n}`);
  });
  return { base: resolve(file, base, base, starts.length === 0 ? "profile @0" : "the base profile"), profiles, machine: pe.machine };
}
