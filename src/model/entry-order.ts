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
 * systemd sorts with glibc `qsort()`, which on Debian 12 (glibc 2.36, msort.c) is a top-down merge
 * sort that takes the left element on ties, so equal entries keep their input order (the directory
 * order, ESP before XBOOTLDR, Type #1 before Type #2). `sortBootEntries` runs that same merge, so
 * even the few version strings that are not totally ordered (see `versionSortKey`) land where
 * bootctl puts them.
 * Verified against Debian's systemd 252 by test/differential/bootctl-list.test.ts; 252 already
 * has rules 1–4 (profiles did not exist yet).
 */
import type { BootEntry } from "./boot-entry.ts";
import { compareVersionKeys, compareVersions, versionSortKey, versionSortKeysOf } from "./version.ts";

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

/** An entry with its comparison inputs computed once (version keys: see `versionSortKey`). */
interface Decorated<T extends BootEntry> {
  entry: T;
  bad: boolean;
  version: string | undefined;
  versionKey: string | undefined;
  id: string;
  idKey: string | undefined;
}

function decorate<T extends BootEntry>(entry: T): Decorated<T> {
  const id = entry.idWithoutProfile ?? entry.id;
  return {
    entry, bad: entry.tries?.left === 0,
    version: entry.version, versionKey: entry.sortKey === undefined ? undefined : versionSortKey(entry.version),
    id, idKey: versionSortKey(id),
  };
}

function versionOrder(a: string | undefined, ka: string | undefined, b: string | undefined, kb: string | undefined): number {
  return ka !== undefined && kb !== undefined ? compareVersionKeys(ka, kb) : compareVersions(a, b);
}

/**
 * systemd's `boot_entry_compare()` (rules 1–5 of the header): negative when `a` comes first in
 * the menu. Written once, on decorated entries; `sortBootEntries` finds the same order through
 * composite keys when the rules are a total order on the entries (checked against this by
 * test/model/entry-order.test.ts).
 */
export function compareBootEntries(a: BootEntry, b: BootEntry): number {
  return compareDecorated(decorate(a), decorate(b));
}

/** The rules on decorated entries (their version keys computed once per sort, not per call). */
function compareDecorated<T extends BootEntry>(x: Decorated<T>, y: Decorated<T>): number {
  if (x.bad !== y.bad) return x.bad ? 1 : -1;
  const a = x.entry;
  const b = y.entry;
  if ((a.sortKey === undefined) !== (b.sortKey === undefined)) return a.sortKey === undefined ? 1 : -1;
  let r: number;
  if (a.sortKey !== undefined && b.sortKey !== undefined) {
    r = strcmp(a.sortKey, b.sortKey);
    if (r !== 0) return r;
    r = strcmpPtr(a.machineId, b.machineId);
    if (r !== 0) return r;
    r = -versionOrder(x.version, x.versionKey, y.version, y.versionKey);
    if (r !== 0) return r;
  }
  r = -versionOrder(x.id, x.idKey, y.id, y.idKey);
  if (r !== 0) return r;
  if (a.idWithoutProfile !== undefined && b.idWithoutProfile !== undefined) return cmp(a.profile ?? UINT_MAX, b.profile ?? UINT_MAX);
  return 0;
}

/**
 * glibc 2.36 `msort_with_tmp()`: split at n/2, sort both halves, merge taking the left element
 * while `compare(left, right) <= 0`. Sorts `items[from, from + n)` in place using `tmp`.
 */
function mergeSort<T>(items: T[], tmp: T[], from: number, n: number, compare: (a: T, b: T) => number): void {
  if (n <= 1) return;
  const n1 = n >>> 1;
  const n2 = n - n1;
  mergeSort(items, tmp, from, n1, compare);
  mergeSort(items, tmp, from + n1, n2, compare);
  let i = from;
  const iEnd = from + n1;
  let j = iEnd;
  const jEnd = from + n;
  let k = 0;
  while (i < iEnd && j < jEnd) tmp[k++] = compare(items[i]!, items[j]!) <= 0 ? items[i++]! : items[j++]!;
  while (i < iEnd) tmp[k++] = items[i++]!;
  // What is left of the right half is already in place.
  for (let m = 0; m < k; m++) items[from + m] = tmp[m]!;
}

/**
 * One string per entry whose plain code-unit order is `compareBootEntries` order, ties broken by
 * input position, so that one native string sort (no comparator calls) gives the menu:
 *
 *   bad flag · has-sort-key flag · [sort-key NUL · machine-id (NUL if absent, else 1 · id NUL) ·
 *   version rank] · id rank · input index
 *
 * strcmp strings are mapped to code point order (`codePointRank`) and end with NUL (below every
 * character, so a prefix sorts first). Versions and ids are compared newest first: each gets the
 * rank of its key (`versionSortKeysOf`: ids in one batch, versions in another) among the distinct
 * keys, counted from the newest, written like the
 * index as two 15-bit units. When the rules are not a total order on these entries (a version
 * with no key, a NUL inside a compared string, multi-profile UKIs whose profile rule applies only
 * to pairs) there are no keys and the caller runs the comparator.
 */
function menuKeys(entries: readonly BootEntry[]): string[] | undefined {
  const ids: string[] = [];
  const versions: string[] = [];
  for (const e of entries) {
    if (e.idWithoutProfile !== undefined) return undefined;
    ids.push(e.id);
    if (e.sortKey !== undefined) {
      if (e.sortKey.includes("\0") || e.machineId?.includes("\0")) return undefined;
      versions.push(e.version ?? "");
    }
  }
  // One batch for ids, one for versions: keys are compared within their batch only.
  const idKeys = versionSortKeysOf(ids);
  const versionKeys = versionSortKeysOf(versions);
  if (idKeys.includes(undefined) || versionKeys.includes(undefined)) return undefined;
  const idRanks = newestFirstRanks(idKeys as string[]);
  const versionRanks = newestFirstRanks(versionKeys as string[]);
  const keys = new Array<string>(entries.length);
  let v = 0;
  for (let index = 0; index < entries.length; index++) {
    const e = entries[index]!;
    let key = (e.tries?.left === 0 ? "1" : "0") + (e.sortKey === undefined ? "1" : "0");
    if (e.sortKey !== undefined) {
      key += strcmpKey(e.sortKey) + (e.machineId === undefined ? "\0" : "\x01" + strcmpKey(e.machineId)) + rankUnits(versionRanks.get(versionKeys[v++]!)!);
    }
    keys[index] = key + rankUnits(idRanks.get(idKeys[index]!)!) + rankUnits(index);
  }
  return keys;
}

/** Rank of each distinct key, 0 for the greatest (native sort of the distinct keys). */
function newestFirstRanks(keys: readonly string[]): Map<string, number> {
  const distinct = [...new Set(keys)].sort();
  const ranks = new Map<string, number>();
  for (let i = 0; i < distinct.length; i++) ranks.set(distinct[i]!, distinct.length - 1 - i);
  return ranks;
}

/** A number below 2^30 as two fixed-width units, so that string order is number order. */
function rankUnits(n: number): string {
  return String.fromCharCode(n >>> 15, n & 0x7fff);
}

/** UTF-16 units whose order differs from code point order (surrogates and what follows them). */
const HIGH_UNITS = /[\uD800-\uFFFF]/;

/** `s` in strcmp order, NUL-terminated (`s` has no NUL). */
function strcmpKey(s: string): string {
  if (!HIGH_UNITS.test(s)) return s + "\0";
  let mapped = "";
  for (let k = 0; k < s.length; k++) mapped += String.fromCharCode(codePointRank(s.charCodeAt(k)));
  return mapped + "\0";
}

/** A new array in menu order, sorted as bootctl sorts (see the header). */
export function sortBootEntries<T extends BootEntry>(entries: readonly T[]): T[] {
  const keys = menuKeys(entries);
  if (keys !== undefined) {
    keys.sort();
    return keys.map((key) => entries[(key.charCodeAt(key.length - 2) << 15) | key.charCodeAt(key.length - 1)]!);
  }
  return sortBootEntriesByComparator(entries);
}

/** The same order by running the comparator in glibc's merge sort (no total order needed). */
export function sortBootEntriesByComparator<T extends BootEntry>(entries: readonly T[]): T[] {
  const items = entries.map(decorate);
  mergeSort(items, new Array<Decorated<T>>(items.length), 0, items.length, compareDecorated);
  return items.map((d) => d.entry);
}
