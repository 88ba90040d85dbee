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

function signedChar(c: number): number {
  return c >= 0x80 ? c - 0x100 : c;
}

function cmp(x: number | boolean, y: number | boolean): VersionOrder {
  const a = Number(x);
  const b = Number(y);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compare two version strings. `undefined`/`null` compare as the empty string (systemd's
 * `strempty()`). Strings are compared as UTF-8 bytes, as systemd sees them.
 */
export function compareVersions(left: string | null | undefined, right: string | null | undefined): VersionOrder {
  const a = Buffer.from(left ?? "", "utf8");
  const b = Buffer.from(right ?? "", "utf8");
  const at = (buf: Buffer, i: number): number => (i < buf.length ? buf[i]! : END);
  let i = 0;
  let j = 0;

  for (;;) {
    while (i < a.length && !isValidChar(a[i]!)) i++;
    while (j < b.length && !isValidChar(b[j]!)) j++;

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

    for (const separator of [DASH, CARET, DOT]) {
      if (at(a, i) === separator || at(b, j) === separator) {
        const r = cmp(at(a, i) !== separator, at(b, j) !== separator);
        if (r !== 0) return r;
        i++;
        j++;
      }
    }

    if (isDigit(at(a, i)) || isDigit(at(b, j))) {
      let ie = i;
      while (isDigit(at(a, ie))) ie++;
      let je = j;
      while (isDigit(at(b, je))) je++;
      const r = cmp(ie !== i, je !== j);
      if (r !== 0) return r;
      while (i < ie && at(a, i) === 0x30) i++;
      while (j < je && at(b, j) === 0x30) j++;
      const lengthOrder = cmp(ie - i, je - j);
      if (lengthOrder !== 0) return lengthOrder;
      const digits = cmp(Buffer.compare(a.subarray(i, ie), b.subarray(j, je)), 0);
      if (digits !== 0) return digits;
      i = ie;
      j = je;
    } else {
      let ie = i;
      while (isAlpha(at(a, ie))) ie++;
      let je = j;
      while (isAlpha(at(b, je))) je++;
      const common = Math.min(ie - i, je - j);
      const letters = cmp(Buffer.compare(a.subarray(i, i + common), b.subarray(j, j + common)), 0);
      if (letters !== 0) return letters;
      const lengthOrder = cmp(ie - i, je - j);
      if (lengthOrder !== 0) return lengthOrder;
      i = ie;
      j = je;
    }
  }
}

export type VersionOperator = "lt" | "le" | "eq" | "ne" | "ge" | "gt";

export const VERSION_OPERATORS: readonly VersionOperator[] = ["lt", "le", "eq", "ne", "ge", "gt"];

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
