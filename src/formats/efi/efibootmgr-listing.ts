/**
 * The boot manager listing exactly as Debian 12's efibootmgr 17 prints it (rhboot/efibootmgr tag
 * 17, src/efibootmgr.c `main`, `show_order`, `show_vars`; libefivar 37 loadopt.c), computed from a
 * set of variables. Pure: the caller reads the variables (adapters/efivarfs.ts).
 *
 *   BootNext: %04X          only when BootNext exists with exactly 2 bytes of data
 *   BootCurrent: %04X       likewise
 *   Timeout: %u seconds     likewise
 *   BootOrder: %04X,…       or "No BootOrder is set; firmware will attempt recovery" when absent,
 *                           or nothing when it exists but is empty; an odd last byte is ignored
 *   <name><*| > <description>[\t<device path><optional data>]   (the part after the
 *                           description only with -v)
 *
 * Before all this, when some boot variable names use lower-case hex, efibootmgr prints
 * "** Warning ** : please recreate these using efibootmgr to remove this warning." on stdout
 * (and one line per such name on stderr).
 *
 * Boot lines: every EFI_GLOBAL variable whose name is `Boot` followed by 4 hex digits (either
 * case, anything may follow), sorted bytewise (strcoll in the C locale). `*` marks
 * LOAD_OPTION_ACTIVE. With -v the device path is libefivar's text (device-path-text.ts) limited
 * to FilePathListLength, and the optional data follows with no separator, each byte printed as
 * a character, bytes below 32 or above 127 as '.'.
 *
 * Where efibootmgr gives up ("Could not parse device path", "Could not parse optional data") the
 * output so far (including the unfinished line) is returned with `failure` set.
 * Not reproduced: the Address Range Mirror lines (Intel RAS variables), and options under 8
 * bytes or with an unterminated description (efibootmgr reads past its buffer there).
 */
import { formatDevicePath } from "./device-path-text.ts";
import { formatBootNumber } from "./boot-manager.ts";
import type { EfiVariable } from "./efivarfs-file.ts";
import { EFI_GLOBAL_VARIABLE } from "./guids.ts";

export interface EfibootmgrListing {
  stdout: string;
  /** What efibootmgr prints on stderr, without its program-name prefix. */
  warnings: string[];
  /** Set when efibootmgr would stop with an error after printing `stdout`. */
  failure?: string;
}

const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/** efibootmgr's filter for boot entries: `Boot` + 4 hex digits, EFI_GLOBAL vendor. */
function isListedBootVariable(v: { name: string; guid: string }): boolean {
  return v.guid.toLowerCase() === EFI_GLOBAL_VARIABLE && v.name.startsWith("Boot") && [4, 5, 6, 7].every((i) => isHex(v.name[i]));
}

function u16At(data: Uint8Array, i: number): number {
  return (data[i] ?? 0) | ((data[i + 1] ?? 0) << 8);
}

/** libefivar `ucs2len(s, limit)` over the description at offset 6 (limit in code units). */
function ucs2len(data: Uint8Array, limit: number): number {
  let i = 0;
  while (i < limit && 6 + i * 2 < data.length && u16At(data, 6 + i * 2) !== 0) i++;
  return i;
}

function ucs2size(data: Uint8Array, limit: number): number {
  const rc = (ucs2len(data, limit) + 1) * 2;
  return limit > 0 && rc > limit ? limit : rc;
}

/** libefivar `efidp_is_valid(dp, limit)`: checks the leading End nodes and the first other node. */
function efidpIsValid(data: Uint8Array, at: number, limit: number): boolean {
  while (limit > 0) {
    if (limit < 4) return false;
    const type = data[at] ?? 0;
    const subType = data[at + 1] ?? 0;
    const length = u16At(data, at + 2);
    switch (type) {
      case 0x01: if (subType !== 0x04 && length > 1024) return false; break;
      case 0x02: if (length > 1024) return false; break;
      case 0x03: if (subType !== 0x0a && length > 1024) return false; break;
      case 0x04: if (subType !== 0x03 && length > 1024) return false; break;
      case 0x05: break;
      case 0x7f: if (length > 4) return false; break;
      default: return false;
    }
    if (limit < length) return false;
    limit -= length;
    if (type !== 0x7f) break;
    if (length === 0) return false; // libefivar loops forever here
    at += length;
  }
  return true;
}

/** efibootmgr's `unparse_raw_text`. */
function rawOptionalDataText(data: Uint8Array): string {
  let out = "";
  for (const c of data) out += c < 32 || c > 127 ? "." : String.fromCharCode(c);
  return out;
}

/** The description as efi_loadopt_desc() returns it (up to the first NUL). */
function descriptionOf(data: Uint8Array): string {
  let out = "";
  for (let i = 6; i + 1 < data.length; i += 2) {
    const u = u16At(data, i);
    if (u === 0) break;
    out += String.fromCharCode(u);
  }
  return out;
}

/** The `-v` tail of a boot line: device path text and optional data, or the failure message. */
export function verboseTail(data: Uint8Array): { text: string } | { failure: string } {
  const size = data.length;
  const fpll = u16At(data, 4);
  const pathlen = fpll > size || size - 4 < fpll ? 0 : fpll;
  // efi_loadopt_path()
  let pathOk = false;
  let pathAt = 0;
  if (size > 6) {
    let left = size - 6;
    const sz = ucs2size(data, left);
    if (sz < left) {
      left -= sz;
      pathAt = 6 + sz;
      pathOk = left >= fpll && efidpIsValid(data, pathAt, fpll);
    }
  }
  if (!pathOk) return { failure: "Could not parse device path" };
  const text = formatDevicePath(data, pathAt, pathlen);
  if (text === undefined) return { failure: "Could not parse device path" };
  // efi_loadopt_optional_data()
  const ul = ucs2size(data, size - 6);
  if (fpll > size || ul > size || size - ul < fpll || 6 + ul + fpll > size) return { failure: "Could not parse optional data" };
  return { text: `\t${text}${rawOptionalDataText(data.subarray(6 + ul + fpll))}` };
}

export function renderEfibootmgrListing(variables: readonly EfiVariable[], options: { verbose: boolean }): EfibootmgrListing {
  const global = variables.filter((v) => v.guid.toLowerCase() === EFI_GLOBAL_VARIABLE);
  const find = (name: string) => global.find((v) => v.name === name);
  let stdout = "";
  const warnings: string[] = [];
  const boots = global.filter(isListedBootVariable).sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  // set_var_nums(): one stderr line per lower-case name, then warningx() — which prints on stdout.
  let lowercase = 0;
  for (const v of boots) {
    if (/[a-f]/.test(v.name.slice(4, 8))) {
      warnings.push(`** Warning ** : ${v.name.slice(0, 8)} is not UEFI Spec compliant (lowercase hex in name)`);
      lowercase++;
    }
  }
  if (lowercase) stdout += "** Warning ** : please recreate these using efibootmgr to remove this warning.\n";

  for (const [name, render] of [
    ["BootNext", (n: number) => `BootNext: ${formatBootNumber(n)}`],
    ["BootCurrent", (n: number) => `BootCurrent: ${formatBootNumber(n)}`],
    ["Timeout", (n: number) => `Timeout: ${n} seconds`],
  ] as const) {
    const v = find(name);
    if (v && v.data.length === 2) stdout += render(u16At(v.data, 0)) + "\n";
  }

  const order = find("BootOrder");
  if (!order) stdout += "No BootOrder is set; firmware will attempt recovery\n";
  else if (order.data.length > 0) {
    const nums: string[] = [];
    for (let i = 0; i + 1 < order.data.length; i += 2) nums.push(formatBootNumber(u16At(order.data, i)));
    stdout += `BootOrder: ${nums.join(",")}\n`;
  }

  for (const v of boots) {
    const active = (u16At(v.data, 0) & 1) !== 0;
    stdout += `${v.name}${active ? "*" : " "} ${descriptionOf(v.data)}`;
    if (options.verbose) {
      const tail = verboseTail(v.data);
      if ("failure" in tail) return { stdout, warnings, failure: tail.failure };
      stdout += tail.text;
    }
    stdout += "\n";
  }
  return { stdout, warnings };
}
