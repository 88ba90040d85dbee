/**
 * Loading the boot menu from the ESP and XBOOTLDR partitions, as systemd's `boot_config_load()`
 * (src/shared/bootspec.c) does:
 *
 *   ESP loader.conf → ESP /loader/entries/*.conf → ESP /EFI/Linux/*.efi →
 *   XBOOTLDR /loader/entries/*.conf → XBOOTLDR /EFI/Linux/*.efi → sort → uniquify titles.
 *
 * - Directories are reached without following symbolic links below the partition root
 *   (`CHASE_PROHIBIT_SYMLINKS`); files are opened with O_NOFOLLOW; only regular files count;
 *   dot files and `~` backups are ignored; names must end in `.conf`/`.efi` case-insensitively.
 * - Each inode is read once (systemd's `inodes_seen` set), so an XBOOTLDR that is the ESP, a bind
 *   mount or a hard link does not list entries twice.
 * - Files are taken in directory order (readdir, like systemd), which decides the order of
 *   entries that compare equal.
 * - A file that cannot be used is skipped with a warning naming it (and the line, for syntax
 *   errors); the rest of the menu is still loaded. Beyond systemd, we also skip files larger than
 *   1 MiB and files that are binary (a NUL byte) or not UTF-8 in Type #1 entries (systemd would
 *   read NUL as a line end and fail to print non-UTF-8 JSON).
 *
 * The UKI `.efi.extra.d/` and `/loader/addons/` add-ons are not loaded (`addons` stays null).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, opendirSync, readSync, type Dir } from "node:fs";
import * as path from "node:path";
import { BootctlError, FileError, ParseError, describeErrno, errnoOf, hasErrno } from "../errors.ts";
import { interpretEntryText } from "../formats/bls/entry.ts";
import { interpretLoaderConf, parseLoaderConf, type LoaderConf } from "../formats/bls/loader-conf.ts";
import { readUki } from "../formats/pe/uki.ts";
import { CounterRangeError, tryExtractTries } from "../model/boot-counter.ts";
import type { BootEntry, BootEntrySource } from "../model/boot-entry.ts";
import { EntryRefusedError, type1Entry, type2Entries } from "../model/entry-build.ts";
import { isHiddenOrBackupName } from "../model/entry-name.ts";
import { sortBootEntries } from "../model/entry-order.ts";
import { uniquifyTitlesInPlace } from "../model/show-title.ts";
import { refuseSymlinksSync } from "./root-path.ts";

/** Entry files above this size are skipped (BLS entries are a few hundred bytes). */
export const ENTRY_FILE_MAX = 1024 * 1024;
/** UKIs are read whole; larger files are skipped. */
export const UKI_FILE_MAX = 512 * 1024 * 1024;

export interface LoadBootEntriesOptions {
  /** Absolute path of the ESP, if any. */
  esp?: string | undefined;
  /** Absolute path of XBOOTLDR, if any (dropped when it is the same directory as the ESP). */
  xbootldr?: string | undefined;
  /** Load Type #2 UKIs from /EFI/Linux (default true). */
  type2?: boolean;
}

export interface LoadedBootConfig {
  /** Sorted menu with `showTitle` set. */
  entries: BootEntry[];
  /** ESP loader.conf, when present. */
  loaderConf: LoaderConf | undefined;
  loaderConfPath: string | undefined;
  /** Human-readable warnings, `FILE[:LINE]: message`. */
  warnings: string[];
}

/** The native PE machine of this process (bootctl skips UKIs for other architectures). */
export function nativePeMachine(arch: string = process.arch): number | undefined {
  switch (arch) {
    case "x64": return 0x8664;
    case "ia32": return 0x14c;
    case "arm64": return 0xaa64;
    case "arm": return 0x1c2;
    case "riscv64": return 0x5064;
    case "loong64": return 0x6264;
    default: return undefined;
  }
}

interface Context {
  seen: Set<string>;
  /** Type #1 files read so far, by a fingerprint of their content, with their inode once asked
   * (see sameInodeSeen). */
  byContent: Map<string, { file: string; inode?: string | undefined }[]>;
  warnings: string[];
  entries: BootEntry[];
}

function openDirNoFollow(root: string, relative: string, warnings: string[]): { dir: Dir; full: string } | undefined {
  const full = path.join(root, relative);
  try {
    refuseSymlinksSync(root, full);
    return { dir: opendirSync(full, { bufferSize: 128 }), full };
  } catch (err) {
    if (err instanceof BootctlError && !(err instanceof FileError)) {
      warnings.push(`${full}: ${err.message}, ignoring`);
      return undefined;
    }
    const errno = errnoOf(err);
    if (errno === "ENOENT") return undefined;
    warnings.push(`${full}: cannot open directory: ${describeErrno(errno)}`);
    return undefined;
  }
}

/** Open a regular file without following symlinks; returns its bytes (up to `max`) or a reason. */
function readRegular(file: string, max: number, ctx: Context): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    ctx.warnings.push(`${file}: cannot open, ignoring: ${describeErrno(errnoOf(err))}`);
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    const key = `${st.dev}:${st.ino}`;
    if (ctx.seen.has(key)) return undefined;
    ctx.seen.add(key);
    if (st.size > max) {
      ctx.warnings.push(`${file}: file is ${st.size} bytes, more than ${max}, ignoring`);
      return undefined;
    }
    const buf = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < st.size) {
      const n = readSync(fd, buf, got, st.size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } catch (err) {
    ctx.warnings.push(`${file}: cannot read, ignoring: ${describeErrno(errnoOf(err))}`);
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Strict UTF-8 that keeps a byte order mark (systemd does not skip one). */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** How Type #1 entry files are opened: never through a symlink, never blocking on a FIFO or a tty. */
const ENTRY_OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * Scratch space for Type #1 entry files: one byte more than the largest file we accept, so that
 * reading allocates nothing per file and a larger file shows itself by filling it.
 */
let entryScratch: Buffer | undefined;

/**
 * A Type #1 entry file's text, or undefined after a warning (or without one for a file that is
 * no longer regular). Opened with O_NOFOLLOW and read with ONE read(2) of ENTRY_FILE_MAX + 1
 * bytes, no fstat: a menu of thousands of entries spent most of its reading time in per-call fs
 * wrappers and stat results. One read is the whole file: a regular file on the file systems an
 * ESP or XBOOTLDR uses (vfat, ext4: the page-cache read) is copied up to its end without
 * stopping (only a fatal signal cuts a read short). The rest is checked on the bytes read, and
 * only the rare file that needs it is asked for its status:
 * - more than ENTRY_FILE_MAX bytes (the read filled the buffer): skipped with its size;
 * - a FIFO or device swapped in after the directory was read (it takes root on the boot
 *   partition) hands us at most that buffer; when it fills it, gives nothing or fails, it is
 *   skipped silently, as systemd's `stat_verify_regular()` skips it; otherwise what it gave is
 *   read like a file (systemd would refuse it after an fstat we leave out);
 * - NUL: binary, skipped with its line;
 * - U+FFFD in the decoded text: either written in the file or standing for bytes that are not
 *   UTF-8; a strict decode of the same bytes decides;
 * - a byte order mark stays: systemd reads it as part of the first key (`Unknown line`).
 */
function readEntryText(file: string, ctx: Context): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, ENTRY_OPEN_FLAGS);
  } catch (err) {
    ctx.warnings.push(`${file}: cannot open, ignoring: ${describeErrno(errnoOf(err))}`);
    return undefined;
  }
  entryScratch ??= Buffer.allocUnsafe(ENTRY_FILE_MAX + 1);
  let size: number;
  try {
    size = readSync(fd, entryScratch, 0, entryScratch.length, null);
    if (size === entryScratch.length || size === 0) {
      const st = fstatSync(fd);
      if (!st.isFile()) return undefined;
      if (size !== 0) {
        ctx.warnings.push(`${file}: file is ${st.size} bytes, more than ${ENTRY_FILE_MAX}, ignoring`);
        return undefined;
      }
    }
  } catch (err) {
    if (knownNotRegularFd(fd)) return undefined;
    ctx.warnings.push(`${file}: cannot read, ignoring: ${describeErrno(errnoOf(err))}`);
    return undefined;
  } finally {
    closeSync(fd);
  }
  const bytes = entryScratch.subarray(0, size);
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    ctx.warnings.push(`${file}:${lineOf(bytes, nul)}: binary data (NUL byte), ignoring entry`);
    return undefined;
  }
  const text = bytes.toString("utf8");
  if (!text.includes("\uFFFD")) return text;
  try {
    return utf8.decode(bytes);
  } catch (err) {
    if (!isInvalidUtf8(err)) throw err;
    ctx.warnings.push(`${file}:${lineOf(bytes, firstInvalidUtf8(bytes))}: not valid UTF-8, ignoring entry`);
    return undefined;
  }
}

/** A strict TextDecoder's refusal (Node's ERR_ENCODING_INVALID_ENCODED_DATA). */
function isInvalidUtf8(err: unknown): boolean {
  return errnoOf(err) === "ERR_ENCODING_INVALID_ENCODED_DATA";
}

/**
 * Whether the descriptor is known not to be a regular file (a directory named `*.conf`: skipped
 * without a word, as systemd does). When even fstat fails, the caller reports the read error.
 */
function knownNotRegularFd(fd: number): boolean {
  try {
    return !fstatSync(fd).isFile();
  } catch (statError) {
    void statError; // the read error is the one worth reporting, and the caller does
    return false;
  }
}

/** Entry files up to this many UTF-16 units are their own fingerprint (see sameInodeSeen). */
const FINGERPRINT_WHOLE_MAX = 1024;

/**
 * systemd reads each inode once (`inodes_seen`): a hard link, or the same file seen again through
 * an XBOOTLDR that is the ESP, is listed once, at its first name. Two names of one inode have the
 * same content, so only files whose content looks like an earlier file's are asked for their
 * inode (lstat), and a file is skipped when its inode is one of theirs.
 */
function sameInodeSeen(file: string, text: string, ctx: Context): boolean {
  // The text itself when it is entry-sized (the entry keeps it anyway: its values are slices of
  // it); else its length and both ends, equal for two names of one file and short to keep for
  // thousands of files. Two different files that share it only cost an lstat each.
  const fingerprint = text.length <= FINGERPRINT_WHOLE_MAX ? text : `${text.length}:${text.slice(0, 64)}\0${text.slice(-64)}`;
  const twins = ctx.byContent.get(fingerprint);
  if (twins === undefined) {
    ctx.byContent.set(fingerprint, [{ file }]);
    return false;
  }
  const inode = inodeOf(file);
  for (const twin of twins) {
    if (!("inode" in twin)) twin.inode = inodeOf(twin.file);
    if (inode !== undefined && twin.inode === inode) return true;
  }
  twins.push({ file, inode });
  return false;
}

function inodeOf(file: string): string | undefined {
  try {
    const st = lstatSync(file);
    return `${st.dev}:${st.ino}`;
  } catch (err) {
    if (hasErrno(err, "ENOENT", "ENOTDIR")) return undefined; // removed since it was read: no twin of anything
    throw new FileError("E_READ", `cannot look up ${file}: ${describeErrno(errnoOf(err))}`, file, err);
  }
}

function loadType1(root: string, source: BootEntrySource, ctx: Context): void {
  const opened = openDirNoFollow(root, "loader/entries", ctx.warnings);
  if (!opened) return;
  const { dir, full } = opened;
  try {
    for (let de = dir.readSync(); de !== null; de = dir.readSync()) {
      if (!de.isFile() || isHiddenOrBackupName(de.name) || !de.name.toLowerCase().endsWith(".conf")) {
        if (de.isSymbolicLink() && de.name.toLowerCase().endsWith(".conf")) ctx.warnings.push(`${path.join(full, de.name)}: symbolic link, ignoring`);
        continue;
      }
      const file = full + "/" + de.name; // `full` is normalized; a dirent name has no `/`
      const text = readEntryText(file, ctx);
      if (text === undefined) continue;
      if (sameInodeSeen(file, text, ctx)) continue;
      const interpreted = interpretEntryText(text);
      for (const d of interpreted.diagnostics) if (!d.fatal) ctx.warnings.push(`${file}:${d.line}: ${d.message}`);
      if (interpreted.error) {
        ctx.warnings.push(`${file}:${interpreted.error.line}: ${interpreted.error.message}, ignoring entry`);
        continue;
      }
      try {
        ctx.entries.push(type1Entry(de.name, full, root, source, interpreted.fields));
      } catch (err) {
        if (err instanceof EntryRefusedError || err instanceof CounterRangeError) ctx.warnings.push(`${file}: ${err.message}`);
        else throw err;
      }
    }
  } finally {
    dir.closeSync();
  }
}

function loadType2(root: string, source: BootEntrySource, ctx: Context): void {
  const opened = openDirNoFollow(root, "EFI/Linux", ctx.warnings);
  if (!opened) return;
  const { dir, full } = opened;
  const native = nativePeMachine();
  try {
    for (let de = dir.readSync(); de !== null; de = dir.readSync()) {
      if (!de.isFile() || isHiddenOrBackupName(de.name) || !de.name.toLowerCase().endsWith(".efi")) continue;
      const file = path.join(full, de.name);
      const bytes = readRegular(file, UKI_FILE_MAX, ctx);
      if (!bytes) continue;
      try {
        const uki = readUki(bytes);
        if (native !== undefined && uki.machine !== native) continue; // bootctl: non-native UKIs are not listed
        const relative = path.relative(root, file).split(path.sep).join("/");
        const r = type2Entries(de.name, relative, root, source, uki);
        for (const s of r.skipped) ctx.warnings.push(`${file}: profile @${s.profile}: ${s.reason}, ignoring`);
        ctx.entries.push(...r.entries);
      } catch (err) {
        // A PE file has no lines: the reason alone (a ParseError's message starts with "1: ").
        if (err instanceof ParseError) ctx.warnings.push(`${file}: ${err.reason}, ignoring`);
        else if (err instanceof Error && "code" in err) ctx.warnings.push(`${file}: ${err.message}, ignoring`);
        else throw err;
      }
    }
  } finally {
    dir.closeSync();
  }
}

function lineOf(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 10) line++;
  return line;
}

function firstInvalidUtf8(bytes: Buffer): number {
  // Binary search on the longest valid prefix.
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch (err) {
      if (!isInvalidUtf8(err)) throw err;
      hi = mid - 1;
    }
  }
  return lo;
}

function readLoaderConf(esp: string, warnings: string[]): { conf: LoaderConf; file: string } | undefined {
  const file = path.join(esp, "loader", "loader.conf");
  try {
    refuseSymlinksSync(esp, file);
    lstatSync(file);
  } catch (err) {
    if (err instanceof BootctlError) warnings.push(`${file}: ${err.message}, ignoring`);
    else if (errnoOf(err) !== "ENOENT") warnings.push(`${file}: ${describeErrno(errnoOf(err))}, ignoring`);
    return undefined;
  }
  const bytes = readRegular(file, ENTRY_FILE_MAX, { seen: new Set(), byContent: new Map(), warnings, entries: [] });
  if (!bytes) return undefined;
  const conf = interpretLoaderConf(parseLoaderConf(bytes.toString("utf8")));
  for (const d of conf.diagnostics) warnings.push(`${file}:${d.line}: ${d.message}`);
  return { conf, file };
}

/**
 * Load, sort and title-uniquify the boot menu of the given partitions. Synchronous: a menu is
 * many small files read one after the other (one bounded read each), where promises only add
 * work; there is no second, asynchronous form.
 */
export function loadBootEntries(options: LoadBootEntriesOptions): LoadedBootConfig {
  const ctx: Context = { seen: new Set(), byContent: new Map(), warnings: [], entries: [] };
  let loaderConf: LoaderConf | undefined;
  let loaderConfPath: string | undefined;
  const esp = options.esp === undefined ? undefined : path.resolve(options.esp);
  let xbootldr = options.xbootldr === undefined ? undefined : path.resolve(options.xbootldr);
  if (xbootldr !== undefined && xbootldr === esp) xbootldr = undefined;
  if (esp !== undefined) {
    const lc = readLoaderConf(esp, ctx.warnings);
    if (lc) {
      loaderConf = lc.conf;
      loaderConfPath = lc.file;
    }
    loadType1(esp, "esp", ctx);
    if (options.type2 !== false) loadType2(esp, "esp", ctx);
  }
  if (xbootldr !== undefined) {
    loadType1(xbootldr, "xbootldr", ctx);
    if (options.type2 !== false) loadType2(xbootldr, "xbootldr", ctx);
  }
  const entries = uniquifyTitlesInPlace(sortBootEntries(ctx.entries)); // the entries are ours: no copies
  return { entries, loaderConf, loaderConfPath, warnings: ctx.warnings };
}

/**
 * The ids of the entries on the given partitions from their file names alone: Type #1 `.conf`
 * and Type #2 `.efi` names with their boot counters stripped (UKI profiles are not listed: they
 * live inside the files). What naming an entry needs, without reading a file (a UKI can be
 * hundreds of megabytes). Directory rules as when loading: no symbolic links below the partition
 * root, regular files only, dot files and `~` backups skipped; out-of-range counters skipped.
 */
export function listEntryIdsSync(options: LoadBootEntriesOptions): string[] {
  const ids: string[] = [];
  const esp = options.esp === undefined ? undefined : path.resolve(options.esp);
  const xbootldr = options.xbootldr === undefined ? undefined : path.resolve(options.xbootldr);
  const roots = [esp, xbootldr === esp ? undefined : xbootldr].filter((r): r is string => r !== undefined);
  for (const root of roots) {
    for (const [relative, suffix] of [["loader/entries", ".conf"], ["EFI/Linux", ".efi"]] as const) {
      const opened = openDirNoFollow(root, relative, []);
      if (!opened) continue;
      try {
        for (let de = opened.dir.readSync(); de !== null; de = opened.dir.readSync()) {
          if (!de.isFile() || isHiddenOrBackupName(de.name) || !de.name.toLowerCase().endsWith(suffix)) continue;
          const stripped = tryExtractTries(de.name)?.stripped;
          if (stripped !== undefined) ids.push(stripped);
        }
      } finally {
        opened.dir.closeSync();
      }
    }
  }
  return ids;
}
