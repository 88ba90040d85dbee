/**
 * The crash-safe file layer: the only module that writes, renames or removes files.
 *
 * Every operation is confined to a root and refuses symlinks below it (see root-path.ts), and is
 * ordered so that a power cut after any step leaves each affected path holding either its old
 * content or its new content, never a mix, an empty file, or nothing:
 *
 * - `atomicReplace`: temp file in the same directory → write → fsync → rename over the target →
 *   fsync the directory. Before the rename the target is untouched; the rename is atomic on
 *   every Linux file system including vfat; the directory fsync makes the rename durable.
 * - `renameNoReplace`: rename that refuses to overwrite an existing target; a no-op when source
 *   and target are the same. Node has no renameat2(RENAME_NOREPLACE), and link()+unlink() fails
 *   on FAT and would leave both names after a crash, so this is an existence check followed by
 *   rename(): atomic with respect to crashes; exclusion against other bootctl-ts writers comes
 *   from the boot directory lock, not from here.
 * - `renameReplace`: rename(2) over an existing target, for the rare case where replacing is the
 *   intent (one atomic step: the target is the old file or the new one).
 * - `copyFileDurable`: copy into a temp file, fsync, rename, fsync the directory.
 * - `removeDurable`, `mkdirDurable`: unlink / mkdir -p with the parent directory fsynced.
 *
 * Test seam: every operation accepts `seam`, called after each completed step with the step's
 * name. Throwing `SimulatedCrash` from it stops the operation exactly there *without* any
 * cleanup, as a power cut would; throwing any other error exercises the normal error path
 * (which removes temp files). `WRITE_STEPS` lists the steps of each operation for enumeration.
 */
import { promises as fsp, constants, type Stats } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import * as path from "node:path";
import { BootctlError, FileError, cleanUpAfter, describeErrno, errnoOf, whenErrno, type ErrorCode } from "../errors.ts";
import { builtinModule } from "../builtin-modules.ts";
import { resolveSafe } from "./root-path.ts";

export const WRITE_STEPS = {
  atomicReplace: ["create-temp", "write-temp", "fsync-temp", "rename", "fsync-dir"],
  renameNoReplace: ["rename", "fsync-dir"],
  renameReplace: ["rename", "fsync-dir"],
  copyFileDurable: ["copy-temp", "fsync-temp", "rename", "fsync-dir"],
  removeDurable: ["unlink", "fsync-dir"],
  mkdirDurable: ["mkdir", "fsync-dir"],
  rmdirDurable: ["rmdir", "fsync-dir"],
  symlinkDurable: ["create-temp", "rename", "fsync-dir"],
} as const;

export type WriteOperation = keyof typeof WRITE_STEPS;
export type WriteStep = (typeof WRITE_STEPS)[WriteOperation][number];

/** Called after each completed step; may throw to stop the operation there. */
export type StepSeam = (step: WriteStep, target: string) => void;

export interface WriteOptions {
  seam?: StepSeam;
}

/** Thrown by test seams to model a power cut: no cleanup happens after it. */
export class SimulatedCrash extends Error {
  constructor(readonly step: string) {
    super(`simulated crash after ${step}`);
    this.name = "SimulatedCrash";
  }
}

const O_NOFOLLOW = constants.O_NOFOLLOW;

/** The code of each failed action (errors.ts ErrorCode). */
const ACTION_CODES = {
  read: "E_READ", write: "E_WRITE", rename: "E_RENAME", copy: "E_COPY", remove: "E_REMOVE",
  "remove directory": "E_REMOVE_DIRECTORY", "create directory": "E_CREATE_DIRECTORY", "create link": "E_CREATE_LINK",
} as const satisfies Record<string, ErrorCode>;

function fileError(action: keyof typeof ACTION_CODES, target: string, err: unknown): BootctlError {
  if (err instanceof BootctlError || err instanceof SimulatedCrash) return err as BootctlError;
  const errno = errnoOf(err);
  return new FileError(ACTION_CODES[action], `cannot ${action} ${target}: ${describeErrno(errno)}`, target, err);
}

/** 12 hex digits; uniqueness among concurrent writers comes from O_EXCL, not from this value
 * (node:crypto is not loaded for it: the early-boot service avoids the start-up cost). */
function randomHex12(): string {
  return (Math.floor(Math.random() * 0x1000000) >>> 0).toString(16).padStart(6, "0") + ((process.pid ^ Date.now()) & 0xffffff).toString(16).padStart(6, "0");
}

/** An efivarfs file name, `Name-GUID` (Documentation/filesystems/efivarfs.rst). */
const EFIVAR_FILE_NAME = /-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** FNV-1a, 32 bits, as 8 hex digits (a short stable tag of a name; not a security measure). */
function fnv1a32(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
}

/**
 * The start of the temp names of a file called `base`: `.#<base>.`, cut to stay under FAT's
 * 255-character limit. Beside an EFI variable file it is `.#<8-hex tag of base>.`: libefivar
 * (efibootmgr, efivar) lists a directory of variable files by taking every name of 38 or more
 * characters as `Name-GUID` and fails the whole listing (EINVAL) when one does not end in a GUID
 * (generic_get_next_variable_name), so a temp left there by a kill must be shorter than that.
 */
function tempStem(base: string): string {
  return EFIVAR_FILE_NAME.test(base) ? `.#${fnv1a32(base)}.` : `.#${base.slice(0, 200)}.`;
}

/** A temp name beside `target`: hidden, unique, and never ending in `.conf` or `.efi`, so no
 * boot loader or bootctl scan (which match `*.conf` / `*.efi`) can pick up a half-written file. */
export function tempNameFor(target: string): string {
  return path.join(path.dirname(target), `${tempStem(path.basename(target))}${randomHex12()}.bootctl-tmp`);
}

/**
 * Temp files of `target` left by a writer that was killed or lost power before its rename.
 * They are invisible to boot loaders (hidden, no `.conf`/`.efi`) but take space on a small ESP;
 * the next write of the same file removes them. Writers of one file are serialised by the boot
 * lock, so a temp of the same target is never a live writer's.
 */
async function removeStaleTemps(target: string): Promise<void> {
  const dir = path.dirname(target);
  const prefix = tempStem(path.basename(target));
  // A missing directory has no temps (the write creates nothing there either and fails itself);
  // a temp already gone is what was wanted.
  const names = await fsp.readdir(dir).catch(whenErrno([] as string[], "ENOENT", "ENOTDIR"));
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith(".bootctl-tmp") && /^[0-9a-f]{12}$/.test(name.slice(prefix.length, -".bootctl-tmp".length))) {
      await fsp.unlink(path.join(dir, name)).catch(whenErrno(undefined, "ENOENT"));
    }
  }
}

/** statfs f_type of FAT (MSDOS_SUPER_MAGIC): ESPs. */
const MSDOS_SUPER_MAGIC = 0x4d44;

/**
 * FAT keeps its allocation table and directory clusters in the block device's buffers: fsync of
 * a file or a directory does not reliably write them, and a power cut after a "durable" rename
 * can leave a directory entry whose clusters were never recorded (the QEMU power-cut scenarios
 * showed an empty entry file). systemd-bless-boot therefore calls syncfs() after its rename; so
 * do we on FAT. Node has no syncfs binding: `sync -f DIR` (coreutils, busybox) is that call;
 * a `sync` without -f (older busybox) syncs every file system, which includes this one.
 */
async function syncIfFat(dir: string): Promise<void> {
  const fs = await fsp.statfs(dir);
  if (fs.type !== MSDOS_SUPER_MAGIC) return;
  // Loaded only here (src/builtin-modules.ts): child_process costs milliseconds of start-up.
  const { spawnSync } = builtinModule("node:child_process");
  for (const args of [["-f", dir], []]) {
    const r = spawnSync("sync", args, { stdio: "ignore" });
    if (!r.error && r.status === 0) return;
  }
  throw Object.assign(new Error(`syncfs of ${dir} failed`), { code: "EIO" });
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fsp.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } catch (err) {
    // Some file systems (and some FUSE/9p setups) refuse fsync on directories; the rename has
    // still happened. systemd's fsync_directory_of_file() ignores EINVAL/EBADF/EROFS likewise.
    const errno = errnoOf(err);
    if (errno !== "EINVAL" && errno !== "EBADF" && errno !== "EROFS") throw err;
  } finally {
    await handle.close();
  }
  await syncIfFat(dir);
}

async function writeAll(handle: FileHandle, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset, offset);
    if (bytesWritten === 0) throw Object.assign(new Error("short write"), { code: "EIO" });
    offset += bytesWritten;
  }
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fsp.lstat(p);
  } catch (err) {
    if (errnoOf(err) === "ENOENT") return undefined;
    throw err;
  }
}

export interface AtomicReplaceOptions extends WriteOptions {
  /** Mode for a new file; an existing file keeps its mode. Default 0o644. */
  mode?: number;
}

/** Replace (or create) `target` under `root` with `data`, crash-safely. Returns the absolute path. */
export async function atomicReplace(root: string, target: string, data: Uint8Array | string, options: AtomicReplaceOptions = {}): Promise<string> {
  const absolute = await resolveSafe(root, target);
  const seam = options.seam;
  const bytes = toBytes(data);
  let existing: Stats | undefined;
  try {
    existing = await lstatOrUndefined(absolute);
  } catch (err) {
    throw fileError("read", absolute, err);
  }
  if (existing && !existing.isFile()) throw new FileError("E_NOT_REGULAR", `refusing to replace ${absolute}: not a regular file`, absolute);
  const mode = existing ? existing.mode & 0o7777 : (options.mode ?? 0o644);
  await removeStaleTemps(absolute);
  const temp = tempNameFor(absolute);
  let tempCreated = false;
  try {
    const handle = await fsp.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, mode);
    tempCreated = true;
    try {
      seam?.("create-temp", absolute);
      await writeAll(handle, bytes);
      seam?.("write-temp", absolute);
      await handle.sync();
      seam?.("fsync-temp", absolute);
    } finally {
      await handle.close();
    }
    await fsp.rename(temp, absolute);
    tempCreated = false;
    seam?.("rename", absolute);
    await fsyncDirectory(path.dirname(absolute));
    seam?.("fsync-dir", absolute);
    return absolute;
  } catch (err) {
    if (err instanceof SimulatedCrash) throw err;
    if (tempCreated) await cleanUpAfter(err, () => fsp.unlink(temp));
    throw fileError("write", absolute, err);
  }
}

export interface RenameResult {
  from: string;
  to: string;
  /** False when source and target were the same path (nothing to do). */
  changed: boolean;
}

/** rename(2) and fsync of the directories involved; `replace` decides whether `to` may exist. */
async function renameDurable(root: string, from: string, to: string, replace: boolean, options: WriteOptions): Promise<RenameResult> {
  const source = await resolveSafe(root, from);
  const target = await resolveSafe(root, to);
  if (source === target) return { from: source, to: target, changed: false };
  const seam = options.seam;
  try {
    const sourceStat = await lstatOrUndefined(source);
    if (!sourceStat) throw new FileError("E_NOT_FOUND", `cannot rename ${source}: no such file or directory`, source);
    if (sourceStat.isSymbolicLink()) throw new FileError("E_SYMLINK", `refusing to rename symbolic link ${source}`, source);
    const targetStat = await lstatOrUndefined(target);
    if (targetStat && !replace) throw new FileError("E_EXISTS", `refusing to rename ${source}: ${target} already exists`, target);
    if (replace && (!sourceStat.isFile() || (targetStat && !targetStat.isFile()))) {
      throw new FileError("E_NOT_REGULAR", `refusing to replace ${target} with ${source}: not regular files`, target);
    }
    await fsp.rename(source, target);
    seam?.("rename", target);
    await fsyncDirectory(path.dirname(target));
    if (path.dirname(source) !== path.dirname(target)) await fsyncDirectory(path.dirname(source));
    seam?.("fsync-dir", target);
    return { from: source, to: target, changed: true };
  } catch (err) {
    if (err instanceof SimulatedCrash) throw err;
    throw fileError("rename", source, err);
  }
}

/**
 * Rename `from` to `to` (both under `root`) without clobbering an existing `to`.
 * Same path → no-op (`changed: false`), like systemd's `rename_in_dir_idempotent()`.
 */
export function renameNoReplace(root: string, from: string, to: string, options: WriteOptions = {}): Promise<RenameResult> {
  return renameDurable(root, from, to, false, options);
}

/** Rename the regular file `from` over `to` (both under `root`), replacing `to` atomically if it exists. */
export function renameReplace(root: string, from: string, to: string, options: WriteOptions = {}): Promise<RenameResult> {
  return renameDurable(root, from, to, true, options);
}

/**
 * Copy `source` (any readable path; sources such as a kernel image may live outside the root)
 * to `target` under `root`, durably: the target appears complete or not at all.
 */
export async function copyFileDurable(root: string, source: string, target: string, options: AtomicReplaceOptions = {}): Promise<string> {
  const absolute = await resolveSafe(root, target);
  const seam = options.seam;
  const existing = await lstatOrUndefined(absolute).catch((err) => { throw fileError("read", absolute, err); });
  if (existing && !existing.isFile()) throw new FileError("E_NOT_REGULAR", `refusing to replace ${absolute}: not a regular file`, absolute);
  await removeStaleTemps(absolute);
  const temp = tempNameFor(absolute);
  let tempCreated = false;
  try {
    await fsp.copyFile(source, temp, constants.COPYFILE_EXCL);
    tempCreated = true;
    seam?.("copy-temp", absolute);
    const handle = await fsp.open(temp, constants.O_RDWR | O_NOFOLLOW);
    try {
      if (options.mode !== undefined) await handle.chmod(options.mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    seam?.("fsync-temp", absolute);
    await fsp.rename(temp, absolute);
    tempCreated = false;
    seam?.("rename", absolute);
    await fsyncDirectory(path.dirname(absolute));
    seam?.("fsync-dir", absolute);
    return absolute;
  } catch (err) {
    if (err instanceof SimulatedCrash) throw err;
    if (tempCreated) await cleanUpAfter(err, () => fsp.unlink(temp));
    throw fileError("copy", `${source} to ${absolute}`, err);
  }
}

/** unlink or rmdir, then fsync the parent; a missing path is fine (the wanted state holds). */
async function removeNameDurable(root: string, target: string, directory: boolean, options: WriteOptions): Promise<{ path: string; removed: boolean }> {
  const absolute = await resolveSafe(root, target);
  const seam = options.seam;
  try {
    try {
      await (directory ? fsp.rmdir(absolute) : fsp.unlink(absolute));
    } catch (err) {
      if (errnoOf(err) === "ENOENT") return { path: absolute, removed: false };
      throw err;
    }
    seam?.(directory ? "rmdir" : "unlink", absolute);
    await fsyncDirectory(path.dirname(absolute));
    seam?.("fsync-dir", absolute);
    return { path: absolute, removed: true };
  } catch (err) {
    if (err instanceof SimulatedCrash) throw err;
    throw fileError(directory ? "remove directory" : "remove", absolute, err);
  }
}

/** Remove `target` under `root` (a missing file is fine: the wanted state already holds). */
export function removeDurable(root: string, target: string, options: WriteOptions = {}): Promise<{ path: string; removed: boolean }> {
  return removeNameDurable(root, target, false, options);
}

/** Remove the empty directory `dir` under `root`; a missing directory is fine. */
export function rmdirDurable(root: string, dir: string, options: WriteOptions = {}): Promise<{ path: string; removed: boolean }> {
  return removeNameDurable(root, dir, true, options);
}

/** `mkdir -p` under `root`; each directory created is made durable by fsyncing its parent. */
export async function mkdirDurable(root: string, dir: string, options: WriteOptions = {}): Promise<string> {
  const absolute = await resolveSafe(root, dir);
  const seam = options.seam;
  const missing: string[] = [];
  let current = absolute;
  try {
    for (;;) {
      const stat = await lstatOrUndefined(current);
      if (stat) {
        if (!stat.isDirectory()) throw new FileError("E_NOT_DIRECTORY", `cannot create ${absolute}: ${current} is not a directory`, current);
        break;
      }
      missing.unshift(current);
      const parent = path.dirname(current);
      if (parent === current) break;
      current = parent;
    }
    for (const dirPath of missing) {
      try {
        await fsp.mkdir(dirPath, { mode: 0o755 });
      } catch (err) {
        if (errnoOf(err) !== "EEXIST") throw err;
      }
      seam?.("mkdir", dirPath);
      await fsyncDirectory(path.dirname(dirPath));
      seam?.("fsync-dir", dirPath);
    }
    return absolute;
  } catch (err) {
    if (err instanceof SimulatedCrash) throw err;
    throw fileError("create directory", absolute, err);
  }
}

/**
 * Create or replace the symbolic link `link` (under `root`) pointing at `target` (stored
 * verbatim), atomically: a temp link renamed over. For systemd enablement links in /etc, never
 * on the ESP (FAT has no symlinks). An existing link with the same target is left alone.
 */
export async function symlinkDurable(root: string, link: string, target: string, options: WriteOptions = {}): Promise<{ path: string; changed: boolean }> {
  const dir = await resolveSafe(root, path.dirname(confineLinkPath(root, link)));
  const absolute = path.join(dir, path.basename(link));
  const seam = options.seam;
  const existing = await lstatOrUndefined(absolute).catch((err) => { throw fileError("read", absolute, err); });
  // A temp link left by a writer stopped before its rename goes even when the link is already
  // right (the run that was stopped may have been the one that got it right).
  await removeStaleTemps(absolute);
  if (existing) {
    if (!existing.isSymbolicLink()) throw new FileError("E_NOT_SYMLINK", `refusing to replace ${absolute}: not a symbolic link`, absolute);
    if ((await fsp.readlink(absolute)) === target) return { path: absolute, changed: false };
  }
  const temp = tempNameFor(absolute);
  let tempCreated = false;
  try {
    await fsp.symlink(target, temp);
    tempCreated = true;
    seam?.("create-temp", absolute);
    await fsp.rename(temp, absolute);
    tempCreated = false;
    seam?.("rename", absolute);
    await fsyncDirectory(dir);
    seam?.("fsync-dir", absolute);
    return { path: absolute, changed: true };
  } catch (err) {
    if (err instanceof SimulatedCrash) throw err;
    if (tempCreated) await cleanUpAfter(err, () => fsp.unlink(temp));
    throw fileError("create link", absolute, err);
  }
}

function confineLinkPath(root: string, link: string): string {
  return path.isAbsolute(link) ? link : path.join(path.resolve(root), link);
}
