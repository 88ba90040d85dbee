/**
 * Version comparison as systemd implements the UAPI Version Format Specification:
 * `strverscmp_improved()` in src/fundamental/string-util-fundamental.c.
 *
 * Rules, in the order the loop applies them (systemd's code, where it is more precise than the
 * spec text, wins):
 *  1. Skip every character that is not an ASCII letter or digit or one of `~ - ^ .`.
 *  2. `~` sorts lower than anything, even the end of the string; both `~` → skip both.
 *  3. If either string has ended, the one with characters left is newer (so `1-`, `1^`, `1.`
 *     are all newer than `1`).
 *  4. `-`, then `^`, then `.`: a string that has the separator where the other has not is older;
 *     both → skip it.
 *  5. Digits: an empty digit run is older than any number (even `0`); leading zeros are ignored;
 *     the longer run is newer; then compare digit by digit.
 *  6. Otherwise compare letter runs byte-wise (`A` < `a`); a run that is a prefix of the other is
 *     older.
 * The result is exactly -1, 0 or 1. Non-ASCII characters are separators (locale-independent).
 */

export type VersionOrder = -1 | 0 | 1;

const TILDE = 0x7e; // ~
const DASH = 0x2d; // -
const CARET = 0x5e; // ^
const DOT = 0x2e; // .
const END = 0;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isValidChar(c: number): boolean {
  return isDigit(c) || isAlpha(c) || c === TILDE || c === DASH || c === CARET || c === DOT;
}

/** The sign a character has as a C `char`: any non-ASCII character is negative (see above). */
function signedChar(c: number): number {
  return c >= 0x80 ? -1 : c;
}

function cmp(x: number | boolean, y: number | boolean): VersionOrder {
  const a = Number(x);
  const b = Number(y);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compare two version strings. `undefined`/`null` compare as the empty string (systemd's
 * `strempty()`). systemd walks UTF-8 bytes; every non-ASCII byte is a separator there, so walking
 * UTF-16 code units and treating every non-ASCII unit as a separator gives the same result
 * without encoding (the one place a non-ASCII character is compared, the end-of-string check,
 * only looks at its sign: UTF-8 lead bytes are all ≥ 0x80, i.e. negative as signed chars).
 */
export function compareVersions(left: string | null | undefined, right: string | null | undefined): VersionOrder {
  const a = left ?? "";
  const b = right ?? "";
  if (a === b) return 0;
  const at = (s: string, i: number): number => (i < s.length ? s.charCodeAt(i) : END);
  let i = 0;
  let j = 0;

  for (;;) {
    while (i < a.length && !isValidChar(a.charCodeAt(i))) i++;
    while (j < b.length && !isValidChar(b.charCodeAt(j))) j++;

    if (at(a, i) === TILDE || at(b, j) === TILDE) {
      const r = cmp(at(a, i) !== TILDE, at(b, j) !== TILDE);
      if (r !== 0) return r;
      i++;
      j++;
    }

    // systemd returns CMP(*a, *b) on plain `char`, which is signed on x86-64 and arm64 Linux
    // builds: after a skipped `~` the other string may sit on a non-ASCII byte, which then
    // compares *below* the end of the string.
    if (at(a, i) === END || at(b, j) === END) return cmp(signedChar(at(a, i)), signedChar(at(b, j)));

    // `-`, then `^`, then `.`, each at most once per round (written out: this is the hot path
    // of sorting boot menus).
    let ca = at(a, i);
    let cb = at(b, j);
    if (ca === DASH || cb === DASH) {
      if (ca !== cb) return ca === DASH ? -1 : 1;
      ca = at(a, ++i);
      cb = at(b, ++j);
    }
    if (ca === CARET || cb === CARET) {
      if (ca !== cb) return ca === CARET ? -1 : 1;
      ca = at(a, ++i);
      cb = at(b, ++j);
    }
    if (ca === DOT || cb === DOT) {
      if (ca !== cb) return ca === DOT ? -1 : 1;
      ++i;
      ++j;
    }

    if (isDigit(at(a, i)) || isDigit(at(b, j))) {
      let ie = i;
      while (isDigit(at(a, ie))) ie++;
      let je = j;
      while (isDigit(at(b, je))) je++;
      const r = cmp(ie !== i, je !== j);
      if (r !== 0) return r;
      while (i < ie && a.charCodeAt(i) === 0x30) i++;
      while (j < je && b.charCodeAt(j) === 0x30) j++;
      const lengthOrder = cmp(ie - i, je - j);
      if (lengthOrder !== 0) return lengthOrder;
      for (; i < ie; i++, j++) {
        const d = cmp(a.charCodeAt(i), b.charCodeAt(j));
        if (d !== 0) return d;
      }
    } else {
      let ie = i;
      while (isAlpha(at(a, ie))) ie++;
      let je = j;
      while (isAlpha(at(b, je))) je++;
      const common = Math.min(ie - i, je - j);
      for (let k = 0; k < common; k++) {
        const d = cmp(a.charCodeAt(i + k), b.charCodeAt(j + k));
        if (d !== 0) return d;
      }
      const lengthOrder = cmp(ie - i, je - j);
      if (lengthOrder !== 0) return lengthOrder;
      i = ie;
      j = je;
    }
  }
}

export type VersionOperator = "lt" | "le" | "eq" | "ne" | "ge" | "gt";

/** Apply a comparison operator the way `systemd-analyze compare-versions A OP B` does. */
export function testVersions(left: string, operator: VersionOperator, right: string): boolean {
  const r = compareVersions(left, right);
  switch (operator) {
    case "lt": return r < 0;
    case "le": return r <= 0;
    case "eq": return r === 0;
    case "ne": return r !== 0;
    case "ge": return r >= 0;
    case "gt": return r > 0;
  }
}

/*
 * Sort keys. `compareVersions` walks both strings in lock step, but until the comparison is
 * decided both strings take the same branch of the loop and each consumes its own characters
 * independently of the other. So every string splits on its own into "rounds" of tokens
 *
 *   [`~`] then END, or [`-`] [`^`] [`.`] then a digit run or a (possibly empty) letter run,
 *
 * and comparing two strings is comparing their token sequences, token by token, in this order:
 * `~` < END < `-` < `^` < `.` < letters < digits (an empty digit run is a letter run); letter runs
 * byte-wise with a shorter prefix first; digit runs without leading zeros, shorter first, then
 * digit by digit. `versionSortKey` writes that sequence as a string whose plain code-unit order
 * (`<`) is exactly `compareVersions`, so a menu sort compares each pair with one native string
 * comparison instead of walking versions again (issue 4's list performance).
 *
 * The one place where the loop looks at a character without skipping invalid ones first is the
 * end check right after a `~`: there a non-ASCII character compares *below* the end of the other
 * string (signed `char`), which is not a total order (`~é` < `~` < `~.` < `~é`). Such strings
 * have no key (`undefined`): callers fall back to `compareVersions` for them.
 */
const KEY_RUN_END = 0; // ends a letter run: below every letter, so a prefix sorts first
const KEY_TILDE = 1;
const KEY_END = 2;
const KEY_DASH = 3;
const KEY_CARET = 4;
const KEY_DOT = 5;
const KEY_LETTERS = 6;
const KEY_DIGITS = 7;

/** One token per match: a separator, a digit run, a letter run, or a run of ignored characters.
 * Sticky and used with test(): the token is `s.slice(start, lastIndex)`, no match array. */
const VERSION_TOKEN = /[~\-^.]|[0-9]+|[A-Za-z]+|[^A-Za-z0-9~\-^.]+/y;

/** Where a round of the comparison loop stands: the separators it has taken so far. */
const AT_ROUND_START = 0;
const AFTER_TILDE = 1;
const AFTER_DASH = 2;
const AFTER_CARET = 3;
const AFTER_DOT = 4;

/** An empty letter run: a round that ends on anything but a digit or a letter. */
const EMPTY_LETTERS = String.fromCharCode(KEY_LETTERS, KEY_RUN_END);

/**
 * A string whose code-unit order equals `compareVersions` order, or undefined (see above). Every
 * unit of a key is below 0x8000, and no key is a proper prefix of another (each ends with the END
 * token). Tokens come from one regular expression (native code: this runs for every entry of a
 * menu, mostly before the JIT has warmed up); the rounds are replayed over them.
 */
export function versionSortKey(version: string | null | undefined): string | undefined {
  const s = version ?? "";
  // A NUL is where a C string ends, and compareVersions reads it so: no key (files cannot hold
  // one in a version; the library API can).
  return s.includes("\0") ? undefined : keyFrom(s, 0, AT_ROUND_START, true);
}

/** The state of the rounds where the last `keyFrom` stopped. */
let stateAtEnd = AT_ROUND_START;

/**
 * The key of `s` from index `from`, the rounds being in `state` there; `final`: `s` ends there
 * (the END token is added), else `stateAtEnd` tells where the rounds stopped. A cut is only ever
 * made after a separator or an ignored character, where no token is split.
 */
function keyFrom(s: string, from: number, state: number, final: boolean): string | undefined {
  let key = "";
  VERSION_TOKEN.lastIndex = from;
  for (let start = from; VERSION_TOKEN.test(s); start = VERSION_TOKEN.lastIndex) {
    const end = VERSION_TOKEN.lastIndex;
    const c = s.charCodeAt(start);
    let next: number;
    if (c === TILDE) next = AFTER_TILDE;
    else if (c === DASH) next = AFTER_DASH;
    else if (c === CARET) next = AFTER_CARET;
    else if (c === DOT) next = AFTER_DOT;
    else if (isDigit(c) || isAlpha(c)) next = AT_ROUND_START;
    else {
      // Ignored characters: skipped at the start of a round. Anywhere else the round ends with an
      // empty letter run (the next round skips them) — except right after `~`, where a non-ASCII
      // character is the signed-char case that has no key.
      if (state === AFTER_TILDE && c >= 0x80) return undefined;
      if (state !== AT_ROUND_START) key += EMPTY_LETTERS;
      state = AT_ROUND_START;
      continue;
    }
    if (next !== AT_ROUND_START) {
      // A separator continues the round only in the order `~`, `-`, `^`, `.` (a `~` only at the
      // start); otherwise the round ends with an empty letter run and the separator starts the next.
      if (next <= state) key += EMPTY_LETTERS;
      key += next === AFTER_TILDE ? TILDE_KEY : next === AFTER_DASH ? DASH_KEY : next === AFTER_CARET ? CARET_KEY : DOT_KEY;
      state = next;
      continue;
    }
    if (isDigit(c)) {
      let first = start;
      while (first < end && s.charCodeAt(first) === 0x30) first++;
      const length = end - first;
      // Fixed-width length (two 15-bit units, up to 2^30 - 1 digits): shorter numbers first.
      key += String.fromCharCode(KEY_DIGITS, (length >>> 15) & 0x7fff, length & 0x7fff) + s.slice(first, end);
    } else {
      key += LETTERS_KEY + s.slice(start, end) + RUN_END_KEY;
    }
    state = AT_ROUND_START;
  }
  if (!final) {
    stateAtEnd = state;
    return key;
  }
  // The end: after `-`, `^` or `.` the round still ends with an empty letter run.
  if (state >= AFTER_DASH) key += EMPTY_LETTERS;
  return key + END_KEY;
}

const TILDE_KEY = String.fromCharCode(KEY_TILDE);
const DASH_KEY = String.fromCharCode(KEY_DASH);
const CARET_KEY = String.fromCharCode(KEY_CARET);
const DOT_KEY = String.fromCharCode(KEY_DOT);
const LETTERS_KEY = String.fromCharCode(KEY_LETTERS);
const RUN_END_KEY = String.fromCharCode(KEY_RUN_END);
const END_KEY = String.fromCharCode(KEY_END);

/**
 * Keys for many strings, each comparable only with the others of the same call (same order as
 * `versionSortKey`, undefined where that is). The part all strings share up to their last common
 * separator or ignored character adds the same units to every key, so it is tokenized once and
 * left out: menu ids such as `<machine-id>-6.1.<n>-amd64.conf` differ only at the end.
 */
export function versionSortKeysOf(strings: readonly string[]): (string | undefined)[] {
  if (strings.some((s) => s.includes("\0"))) return strings.map(versionSortKey);
  const cut = sharedCut(strings);
  if (cut === 0) return strings.map(versionSortKey);
  if (keyFrom(strings[0]!.slice(0, cut), 0, AT_ROUND_START, false) === undefined) return strings.map(() => undefined);
  const state = stateAtEnd;
  return strings.map((s) => keyFrom(s, cut, state, true));
}

/** Length of the longest common prefix of `strings`, cut back to just after its last separator
 * or ignored character (0 if none), where the tokens of every string are cut alike. */
function sharedCut(strings: readonly string[]): number {
  if (strings.length < 2) return 0;
  let prefix = strings[0]!;
  for (const s of strings) {
    if (s.startsWith(prefix)) continue;
    // Longest length that still matches: binary search with native startsWith.
    let lo = 0;
    let hi = Math.min(prefix.length, s.length);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s.startsWith(prefix.slice(0, mid))) lo = mid;
      else hi = mid - 1;
    }
    prefix = prefix.slice(0, lo);
    if (prefix === "") return 0;
  }
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (!isDigit(c) && !isAlpha(c)) return i + 1;
  }
  return 0;
}

/** Order of two `versionSortKey` results (both defined). */
export function compareVersionKeys(a: string, b: string): VersionOrder {
  return a < b ? -1 : a > b ? 1 : 0;
}
