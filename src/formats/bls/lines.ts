/**
 * The line syntax shared by Boot Loader Specification Type #1 entries and `loader.conf`, read the
 * way systemd's userspace does (src/shared/bootspec.c `boot_entry_load_type1()` and
 * `boot_loader_read_conf()`), kept losslessly so that an edit touches only its own line.
 *
 * Reading rules (systemd):
 * - Lines end at `\n`, `\r` or NUL (`read_line()`, src/basic/fileio.c): a run of terminator
 *   characters of *different* kinds is one line end (`\r\n`, `\n\r`), a repeated kind starts a
 *   new line (`\n\n` is an empty line), and NUL always ends the run.
 * - Each line is stripped of leading and trailing whitespace (space, tab, CR, LF); empty lines and
 *   lines whose first character is `#` are skipped (no inline comments).
 * - The key is the first word as `extract_first_word(&p, &key, NULL, 0)` cuts it: it ends at the
 *   first whitespace; a backslash escapes the next character (and is dropped); a backslash at the
 *   very end of the line is a syntax error ("Failed to parse, ignoring line"). Quotes are literal.
 * - The value is the rest of the stripped line after the whitespace run: internal whitespace is
 *   kept, no unquoting, no escapes.
 *
 * Lossless model: a document is its list of lines, each with the raw text and the exact
 * terminator; `joinLines(splitLines(t)) === t` for every string.
 */
import { BootctlError } from "../../errors.ts";

/** systemd's LONG_LINE_MAX: a longer line makes the whole file unreadable. */
export const LONG_LINE_MAX = 1024 * 1024;

export interface ConfLine {
  /** The line without its terminator. */
  raw: string;
  /** The terminator exactly as found: "\n", "\r\n", "\n\r", "\r", "\0", … or "" at the end of the text. */
  eol: string;
}

export type ParsedLine =
  | { kind: "blank" }
  | { kind: "comment" }
  /** A syntax error; systemd warns and ignores the line. */
  | { kind: "invalid"; reason: string }
  /** `value` is "" when the line has only a key. `valueStart` is the offset of the value in `raw`. */
  | { kind: "pair"; key: string; value: string; valueStart: number };

const EOL_TEN = 1;
const EOL_THIRTEEN = 2;
const EOL_ZERO = 4;

function eolKind(c: number): number {
  return c === 10 ? EOL_TEN : c === 13 ? EOL_THIRTEEN : c === 0 ? EOL_ZERO : 0;
}

/** Split text into lines exactly where systemd's `read_line()` does. */
export function splitLines(text: string): ConfLine[] {
  // Fast path: only "\n" terminators (the usual case).
  if (text.indexOf("\r") < 0 && text.indexOf("\0") < 0) {
    const lines: ConfLine[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      lines.push({ raw: text.slice(start, nl), eol: "\n" });
      start = nl + 1;
    }
    if (start < text.length) lines.push({ raw: text.slice(start), eol: "" });
    return lines;
  }
  const lines: ConfLine[] = [];
  let start = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const kind = eolKind(text.charCodeAt(i));
    if (kind === 0) {
      i++;
      continue;
    }
    const lineEnd = i;
    let seen = 0;
    while (i < n) {
      const k = eolKind(text.charCodeAt(i));
      if (k === 0 || (seen & EOL_ZERO) !== 0 || (seen & k) !== 0) break;
      seen |= k;
      i++;
    }
    lines.push({ raw: text.slice(start, lineEnd), eol: text.slice(lineEnd, i) });
    start = i;
  }
  if (start < n) lines.push({ raw: text.slice(start), eol: "" });
  return lines;
}

export function joinLines(lines: readonly ConfLine[]): string {
  let out = "";
  for (const line of lines) out += line.raw + line.eol;
  return out;
}

/** systemd's WHITESPACE for these files: space, tab, LF, CR (as char codes). */
function isWhitespaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

const BACKSLASH = 92;
const HASH = 35;

/**
 * Classify one line (without terminator) as systemd does (`extract_first_word()` with
 * EXTRACT_UNQUOTE|EXTRACT_RELAX for the key, then the rest of the line stripped): blank,
 * comment (`#` first), a key whose `\x` escapes are resolved, and the value after the blanks.
 * One pass over char codes; a key without backslash (the common line) is one slice.
 */
export function parseLine(raw: string): ParsedLine {
  let begin = 0;
  let end = raw.length;
  while (begin < end && isWhitespaceCode(raw.charCodeAt(begin))) begin++;
  while (end > begin && isWhitespaceCode(raw.charCodeAt(end - 1))) end--;
  if (begin === end) return { kind: "blank" };
  if (raw.charCodeAt(begin) === HASH) return { kind: "comment" };
  let i = begin;
  let c = 0;
  while (i < end && !isWhitespaceCode((c = raw.charCodeAt(i))) && c !== BACKSLASH) i++;
  let key = raw.slice(begin, i);
  if (i < end && c === BACKSLASH) {
    for (;;) {
      if (i >= end) return { kind: "pair", key, value: "", valueStart: end };
      c = raw.charCodeAt(i);
      if (c === BACKSLASH) {
        if (i + 1 >= end) return { kind: "invalid", reason: "trailing backslash" };
        key += raw[i + 1];
        i += 2;
        continue;
      }
      if (isWhitespaceCode(c)) break;
      key += raw[i];
      i++;
    }
  }
  while (i < end && isWhitespaceCode(raw.charCodeAt(i))) i++;
  return { kind: "pair", key, value: raw.slice(i, end), valueStart: i };
}

/** Refuse values that cannot be written on one line. */
export function assertSingleLine(what: string, value: string): void {
  if (/[\n\r\0]/.test(value)) {
    throw new BootctlError("E_BLS_VALUE", `${what}: a value may not contain a line break or NUL`);
  }
}

/** Refuse keys that would not read back as the same key. */
export function assertKey(key: string): void {
  if (key === "" || /[\s\\#]/.test(key) || key.startsWith("#")) {
    throw new BootctlError("E_BLS_KEY", `invalid key '${key}'`);
  }
}

/** The line index of every `key` line, in file order. */
export function findKeyLines(lines: readonly ConfLine[], key: string): number[] {
  const out: number[] = [];
  lines.forEach((line, index) => {
    const parsed = parseLine(line.raw);
    if (parsed.kind === "pair" && parsed.key === key) out.push(index);
  });
  return out;
}

/** The terminator a new line should use: the document's first one, else "\n". */
function preferredEol(lines: readonly ConfLine[]): string {
  const first = lines.find((l) => l.eol !== "");
  return first && (first.eol === "\n" || first.eol === "\r\n") ? first.eol : "\n";
}

function insertLine(lines: ConfLine[], at: number, raw: string): ConfLine[] {
  const eol = preferredEol(lines);
  const out = lines.slice();
  if (at > 0 && out[at - 1]!.eol === "") out[at - 1] = { ...out[at - 1]!, eol };
  out.splice(at, 0, { raw, eol });
  return out;
}

/**
 * Set `key` to `value`: the LAST `key` line (the one systemd uses) gets the new value, keeping
 * its indentation, key spelling and separator; earlier duplicates are left alone (they are
 * ignored anyway). Without a `key` line, `key value` is appended.
 */
export function setKey(lines: readonly ConfLine[], key: string, value: string): ConfLine[] {
  assertKey(key);
  assertSingleLine(key, value);
  const found = findKeyLines(lines, key);
  if (found.length === 0) return appendKey(lines, key, value);
  const index = found[found.length - 1]!;
  const line = lines[index]!;
  const parsed = parseLine(line.raw) as Extract<ParsedLine, { kind: "pair" }>;
  let head = line.raw.slice(0, parsed.valueStart);
  if (parsed.value === "") {
    // "key" alone (maybe with trailing blanks): cut to the key and add one space.
    head = head.replace(/[ \t]*$/, "") + " ";
  }
  const tailStart = parsed.valueStart + parsed.value.length;
  const trailing = line.raw.slice(tailStart);
  const out = lines.slice();
  out[index] = { raw: head + value + trailing, eol: line.eol };
  return out;
}

/** Add a `key value` line after the last `key` line, or at the end (for repeatable keys). */
export function appendKey(lines: readonly ConfLine[], key: string, value: string): ConfLine[] {
  assertKey(key);
  assertSingleLine(key, value);
  const found = findKeyLines(lines, key);
  const at = found.length === 0 ? trimmedEnd(lines) : found[found.length - 1]! + 1;
  return insertLine(lines.slice(), at, value === "" ? key : `${key} ${value}`);
}

/** Position after the last non-empty line, so appended keys do not land after trailing blanks. */
function trimmedEnd(lines: readonly ConfLine[]): number {
  let at = lines.length;
  while (at > 0 && lines[at - 1]!.raw.trim() === "" && lines[at - 1]!.eol !== "") at--;
  return at;
}

/** Remove every `key` line; everything else stays byte for byte. */
export function removeKey(lines: readonly ConfLine[], key: string): ConfLine[] {
  const drop = new Set(findKeyLines(lines, key));
  const out = lines.filter((_, index) => !drop.has(index));
  // If the removed line was the last and the new last line had relied on it for a terminator,
  // nothing is lost: the new last line keeps its own terminator.
  return out;
}
