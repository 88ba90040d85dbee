/**
 * Boot Loader Specification Type #1 entries (`$BOOT/loader/entries/*.conf`): a lossless codec and
 * the semantic view systemd builds from it.
 *
 * Lossless: `serializeEntry(parseEntry(text)) === text`; the editing helpers change only the line
 * they target (comments, unknown keys, order, spacing and line ends stay as they were).
 *
 * Semantics follow systemd's userspace `boot_entry_load_type1()` (src/shared/bootspec.c, newest
 * revision; Debian's systemd 252 agrees except where noted):
 * - keys are case-sensitive; a line with a key but no value is ignored (with a warning unless the
 *   key is `options` or `devicetree-overlay`);
 * - `title`, `version`, `machine-id`, `sort-key`, `architecture`, `uki-url`: last occurrence wins;
 * - `linux`, `efi`, `uki`, `devicetree`: a path (see `mangleEntryPath`), last valid one wins;
 * - `options`: every line appended (shown joined by one space); `initrd`: every valid path
 *   appended; `devicetree-overlay`: split at whitespace, every valid path appended, across lines;
 * - `profile`: an unsigned decimal number (`safe_atou_full(p, 10)`); anything else rejects the
 *   whole entry (systemd ≥ 257; 252 does not know the key and ignores it);
 * - `extra` (BLS, 2026): repeatable path; kept in the model, not used by systemd's `list`;
 * - anything else: warning "Unknown line", ignored (but kept in the document).
 * - `uki`, `uki-url` and `profile` are unknown to systemd 252 (added in 254–257).
 */
import { BootctlError, ParseError } from "../../errors.ts";
import {
  LONG_LINE_MAX, appendKey, joinLines, parseLine, removeKey, setKey, splitLines, type ConfLine,
} from "./lines.ts";

export interface EntryDocument {
  lines: ConfLine[];
}

/** The keys of the current specification, in the order systemd's parser tests them. */
export const ENTRY_KEYS = [
  "title", "sort-key", "version", "machine-id", "architecture", "options", "linux", "efi", "uki",
  "uki-url", "profile", "initrd", "devicetree", "devicetree-overlay", "extra",
] as const;
export type EntryKey = (typeof ENTRY_KEYS)[number];

/** The semantic view of a Type #1 entry (what systemd keeps from the file). */
export interface EntryFields {
  title?: string;
  sortKey?: string;
  version?: string;
  machineId?: string;
  architecture?: string;
  /** Each `options` line's value, in order. */
  options: string[];
  linux?: string;
  efi?: string;
  uki?: string;
  ukiUrl?: string;
  profile?: number;
  initrd: string[];
  devicetree?: string;
  devicetreeOverlay: string[];
  extra: string[];
}

export interface EntryDiagnostic {
  /** 1-based line number. */
  line: number;
  message: string;
  /** A fatal diagnostic means systemd does not load the entry at all. */
  fatal: boolean;
}

export interface InterpretedEntry {
  fields: EntryFields;
  diagnostics: EntryDiagnostic[];
  /** The first fatal diagnostic, if any: the entry must be skipped. */
  error: EntryDiagnostic | undefined;
}

export function parseEntry(text: string): EntryDocument {
  return { lines: splitLines(text) };
}

export function serializeEntry(doc: EntryDocument): string {
  return joinLines(doc.lines);
}

/** UINT_MAX: systemd's "no profile" marker; a `profile` of exactly this value reads as absent. */
const UINT_MAX = 4294967295;

/**
 * `safe_atou_full(p, 10)`: optional `+`/`-` sign then decimal digits (strtoul), nothing after;
 * a negative non-zero value or one above UINT_MAX is out of range.
 */
export function parseUnsigned(text: string): number | undefined {
  const m = /^[ \t\n\r]*([+-]?)([0-9]+)$/.exec(text);
  if (!m) return undefined;
  const value = Number(m[2]);
  if (m[1] === "-" && value !== 0) return undefined;
  if (value > UINT_MAX) return undefined;
  return value;
}

const NAME_MAX = 255;
const PATH_MAX = 4096;

export type MangledPath = { ok: true; path: string } | { ok: false; reason: string; shown: string };

/** Already absolute and simplified, no `.`/`..` component, short enough for any length limit. */
const SIMPLE_PATH = /^(?:\/(?!\.\.?(?:\/|$))[^/]+)+$/;

/**
 * systemd's `mangle_path()` for path-valued keys: make absolute (`path_make_absolute(p, "/")`),
 * refuse a trailing `/`, drop duplicate `/` and `.` components (`path_simplify()`), then refuse
 * anything not normalized: a `..` component anywhere, a component longer than NAME_MAX bytes, or a
 * path of PATH_MAX bytes or more.
 *
 * Note: systemd newer than 252 lets `path_simplify()` drop `..` components at the very beginning
 * of an absolute path (`../vmlinuz` → `/vmlinuz`, accepted); 252 rejects them. We follow 252 and
 * reject every `..` (the safer reading, and the BLS says paths must be normalized).
 */
export function mangleEntryPath(value: string): MangledPath {
  // Fast path (most entries): nothing to change or refuse. 85 UTF-16 units are at most 255 bytes.
  // It stays beside the full steps: for the 4,000 paths of the bench's 2,000 entries it takes
  // about 2 ms of CPU where the full steps take about 16 ms (cold process, median of 11).
  if (value.length <= 85 && SIMPLE_PATH.test(value)) return { ok: true, path: value };
  return mangleEntryPathFully(value);
}

/** `mangleEntryPath` without the fast path (every step taken; the reference for the fast path). */
export function mangleEntryPathFully(value: string): MangledPath {
  const absolute = value.startsWith("/") ? value : "/" + value;
  if (absolute.endsWith("/")) return { ok: false, reason: "has trailing slash", shown: absolute };
  const parts = absolute.split("/").filter((c) => c !== "" && c !== ".");
  const simplified = "/" + parts.join("/");
  // UTF-8 is at most 3 bytes per UTF-16 unit: only long strings need the byte count.
  const bytes = (s: string) => (s.length * 3 <= NAME_MAX ? s.length : Buffer.byteLength(s, "utf8"));
  const tooLong = parts.some((c) => bytes(c) > NAME_MAX) || (simplified.length * 3 >= PATH_MAX && Buffer.byteLength(simplified, "utf8") >= PATH_MAX);
  if (tooLong || parts.includes("..")) return { ok: false, reason: "is not normalized", shown: simplified };
  return { ok: true, path: simplified };
}

function emptyFields(): EntryFields {
  return { options: [], initrd: [], devicetreeOverlay: [], extra: [] };
}

/** Interpret a document the way systemd's loader does. Pure; never throws. */
export function interpretEntry(doc: EntryDocument): InterpretedEntry {
  const r = newInterpretation();
  for (let index = 0; index < doc.lines.length && !r.error; index++) interpretLine(r, index + 1, doc.lines[index]!.raw);
  return r;
}

/**
 * `interpretEntry(parseEntry(text))` without building the document (the read path of listings,
 * thousands of files): lines that end in "\n" only are cut with one native split; text with "\r"
 * or NUL line ends takes `splitLines`. A final "\n" leaves an empty last line, which is ignored.
 * (Scanning the text in place instead, by character codes, allocated less but ran more
 * instructions: V8 runs this cold, where a native split and a regular expression win.)
 */
export function interpretEntryText(text: string): InterpretedEntry {
  if (text.indexOf("\r") >= 0 || text.indexOf("\0") >= 0) return interpretEntry(parseEntry(text));
  const r = newInterpretation();
  const lines = text.split("\n");
  for (let index = 0; index < lines.length && !r.error; index++) interpretLine(r, index + 1, lines[index]!);
  return r;
}

function newInterpretation(): InterpretedEntry {
  return { fields: emptyFields(), diagnostics: [], error: undefined };
}

function warn(r: InterpretedEntry, line: number, message: string): void {
  r.diagnostics.push({ line, message, fatal: false });
}

function fail(r: InterpretedEntry, line: number, message: string): void {
  const d = { line, message, fatal: true };
  r.diagnostics.push(d);
  r.error ??= d;
}

/** One line (without its terminator), as systemd's loop over the file's lines treats it. */
function interpretLine(r: InterpretedEntry, line: number, raw: string): void {
  if (raw.length > LONG_LINE_MAX) {
    fail(r, line, "Line too long.");
    return;
  }
  const parsed = parseLine(raw);
  if (parsed.kind === "blank" || parsed.kind === "comment") return;
  if (parsed.kind === "invalid") {
    warn(r, line, "Failed to parse, ignoring line: Invalid argument");
    return;
  }
  applyPair(r, line, parsed.key, parsed.value);
}

function pathOne(r: InterpretedEntry, line: number, key: string, value: string): string | undefined {
  const m = mangleEntryPath(value);
  if (m.ok) return m.path;
  warn(r, line, `Path in field '${key}' ${m.reason}, ignoring: ${m.shown}`);
  return undefined;
}

/** A `key value` line: systemd's per-key rules (see the module comment). */
function applyPair(r: InterpretedEntry, line: number, key: string, value: string): void {
  const fields = r.fields;
  if (value === "") {
    if (key !== "options" && key !== "devicetree-overlay") warn(r, line, `Field '${key}' without value, ignoring line.`);
    return;
  }
  switch (key) {
    case "title": fields.title = value; break;
    case "sort-key": fields.sortKey = value; break;
    case "version": fields.version = value; break;
    case "machine-id": fields.machineId = value; break;
    case "architecture": fields.architecture = value; break;
    case "options": fields.options.push(value); break;
    case "uki-url": fields.ukiUrl = value; break;
    case "linux":
    case "efi":
    case "uki":
    case "devicetree": {
      const p = pathOne(r, line, key, value);
      if (p === undefined) break;
      if (key === "linux") fields.linux = p;
      else if (key === "efi") fields.efi = p;
      else if (key === "uki") fields.uki = p;
      else fields.devicetree = p;
      break;
    }
    case "initrd":
    case "extra": {
      const p = pathOne(r, line, key, value);
      if (p !== undefined) (key === "initrd" ? fields.initrd : fields.extra).push(p);
      break;
    }
    case "devicetree-overlay":
      for (const item of value.split(/[ \t\n\r]+/)) {
        if (item === "") continue;
        const p = pathOne(r, line, key, item);
        if (p !== undefined) fields.devicetreeOverlay.push(p);
      }
      break;
    case "profile": {
      const n = parseUnsigned(value);
      if (n === undefined) fail(r, line, `Error while parsing: invalid profile number '${value}'`);
      else if (n === UINT_MAX) delete fields.profile;
      else fields.profile = n;
      break;
    }
    default:
      warn(r, line, `Unknown line '${key}', ignoring.`);
  }
}

/** Interpret and throw a ParseError (with the line) when systemd would reject the entry. */
export function readEntryFields(doc: EntryDocument, file?: string): { fields: EntryFields; warnings: EntryDiagnostic[] } {
  const r = interpretEntry(doc);
  if (r.error) {
    const pos = file === undefined ? { line: r.error.line } : { file, line: r.error.line };
    throw new ParseError("E_BLS_ENTRY", r.error.message, pos);
  }
  return { fields: r.fields, warnings: r.diagnostics };
}

function checkKnownKey(key: string): void {
  if (!(ENTRY_KEYS as readonly string[]).includes(key)) {
    throw new BootctlError("E_BLS_KEY", `'${key}' is not a Boot Loader Specification entry key`);
  }
}

/** Set a single-valued key (the last occurrence is edited in place, else a line is appended). */
export function setEntryValue(doc: EntryDocument, key: EntryKey, value: string): EntryDocument {
  checkKnownKey(key);
  return { lines: setKey(doc.lines, key, value) };
}

/** Add one more line of a repeatable key (`options`, `initrd`, `devicetree-overlay`, `extra`). */
export function addEntryValue(doc: EntryDocument, key: EntryKey, value: string): EntryDocument {
  checkKnownKey(key);
  return { lines: appendKey(doc.lines, key, value) };
}

/** Remove every line of `key`. */
export function removeEntryKey(doc: EntryDocument, key: string): EntryDocument {
  return { lines: removeKey(doc.lines, key) };
}
