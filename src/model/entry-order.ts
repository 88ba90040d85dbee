/**
 * Menu order: systemd's `boot_entry_compare()` (userspace copy in src/shared/bootspec.c, which
 * "mimics a function of the same name in src/boot/efi/sd-boot.c"):
 *
 *   1. entries with no tries left (boot counting "bad") after all others;
 *   2. entries with a sort-key before entries without;
 *   3. both with a sort-key: sort-key (strcmp), then machine-id (strcmp, absent first), then
 *      version DESCENDING (strverscmp_improved);
 *   4. id DESCENDING (strverscmp_improved); the id keeps its `.conf`/`.efi` suffix and loses its
 *      counter; multi-profile UKIs compare the id without `@profile`, then the profile number;
 *   5. otherwise equal. The tries tie-break that follows in systemd's code is guarded by
 *      `if (a->tries_left != UINT_MAX || b->tries_left != UINT_MAX) return 0;` (inverted, so it
 *      never decides anything); sd-boot's own copy has the guard the right way round and orders
 *      equal ids by more tries left, then fewer done. We reproduce userspace (`bootctl list`).
 *
 * Equal entries keep their input order (systemd sorts with glibc qsort, a stable merge sort on
 * Debian 12; the input order is the directory order, ESP before XBOOTLDR, Type #1 before Type #2).
 * Verified against Debian's systemd 252 by test/differential/bootctl-list.test.ts; 252 already
 * has rules 1–4 (profiles did not exist yet).
 */
import type { BootEntry } from "./boot-entry.ts";
import { compareVersions } from "./version.ts";

/**
 * strcmp compares UTF-8 bytes, i.e. code point order. UTF-16 code units agree with that except
 * that surrogates (U+D800–DFFF, halves of code points above U+FFFF) must rank above U+E000–FFFF.
 */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

function strcmp(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const ca = a.charCodeAt(k);
    const cb = b.charCodeAt(k);
    if (ca !== cb) return codePointRank(ca) < codePointRank(cb) ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** `strcmp_ptr`: NULL sorts before any string. */
function strcmpPtr(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return strcmp(a, b);
}

function cmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const UINT_MAX = 4294967295;

export function compareBootEntries(a: BootEntry, b: BootEntry): number {
  let r = cmp(Number(a.tries?.left === 0), Number(b.tries?.left === 0));
  if (r !== 0) return r;
  r = cmp(Number(a.sortKey === undefined), Number(b.sortKey === undefined));
  if (r !== 0) return r;
  if (a.sortKey !== undefined && b.sortKey !== undefined) {
    r = strcmp(a.sortKey, b.sortKey);
    if (r !== 0) return Math.sign(r);
    r = strcmpPtr(a.machineId, b.machineId);
    if (r !== 0) return Math.sign(r);
    r = -compareVersions(a.version, b.version);
    if (r !== 0) return r;
  }
  r = -compareVersions(a.idWithoutProfile ?? a.id, b.idWithoutProfile ?? b.id);
  if (r !== 0) return r;
  if (a.idWithoutProfile !== undefined && b.idWithoutProfile !== undefined) {
    r = cmp(a.profile ?? UINT_MAX, b.profile ?? UINT_MAX);
    if (r !== 0) return r;
  }
  return 0;
}

/** A new array in menu order; equal entries keep their relative order. */
export function sortBootEntries<T extends BootEntry>(entries: readonly T[]): T[] {
  return entries.slice().sort(compareBootEntries);
}
