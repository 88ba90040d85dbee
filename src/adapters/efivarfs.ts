/**
 * EFI variables in an efivarfs directory (`/sys/firmware/efi/efivars`), or in any directory of
 * efivarfs-format files given with `--efivars-path` (tests, offline images). Files are named
 * `Name-GUID` and hold u32 LE attributes then the data (Linux Documentation/filesystems/efivarfs.rst).
 *
 * Writing follows the kernel's contract and what systemd (src/basic/efivars.c) and libefivar
 * (src/efivarfs.c) do:
 * - an update whose attributes and data equal the current value is skipped (NVRAM wear);
 * - on the real efivarfs every update is ONE write() of attributes+data to a file opened
 *   O_WRONLY|O_CREAT (no O_TRUNC: each write is one SetVariable()); the kernel creates every
 *   variable outside its allow-list (all of systemd's Loader* variables) immutable, so the
 *   immutable flag is cleared first (`chattr -i`, e2fsprogs: Node has no ioctl) — for a new
 *   file right after creating it — and set again afterwards when it was set;
 * - in a plain directory the file is replaced atomically through durable-fs (a crash leaves the
 *   old or the new value); an immutable file there is handled with chattr the same way;
 * - deleting clears the immutable flag, then unlinks (the kernel turns that into a SetVariable
 *   with size 0); a variable that is already gone is not an error.
 * Errors name the variable and explain EPERM, ENOENT, ENOSPC and EINVAL.
 */
import { promises as fsp, constants, statfsSync } from "node:fs";
import * as path from "node:path";
import { BootctlError, FileError, ParseError, cleanUpAfter, describeErrno, errnoOf, hasErrno } from "../errors.ts";
import { builtinModule } from "../builtin-modules.ts";
import { decodeEfivarfsFile, efivarFileName, encodeEfivarfsFile, type EfiVariable } from "../formats/efi/efivarfs-file.ts";
import { decodeUcs2z } from "../formats/efi/ucs2.ts";
import { atomicReplace, removeDurable, type WriteOptions } from "./durable-fs.ts";
import { EFI_VARIABLE_MAX, readBoundedSync } from "./bounded-read.ts";
import type { EfiEffect } from "../ops/efi-plan.ts";

/** Where Linux mounts efivarfs. */
export const DEFAULT_EFIVARS_DIR = "/sys/firmware/efi/efivars";
/** statfs f_type of efivarfs. */
export const EFIVARFS_MAGIC = 0xde5e81e4;

/** Read one variable; `undefined` when it does not exist. */
export async function readEfiVariable(efivarsDir: string, name: string, guid: string): Promise<EfiVariable | undefined> {
  const file = path.join(efivarsDir, efivarFileName(name, guid));
  let bytes: Buffer;
  try {
    // Synchronous: a variable is a few bytes, and a listing reads several before anything else
    // can happen (no promise machinery to load on the start-up path).
    bytes = readBoundedSync(file, EFI_VARIABLE_MAX, "an EFI variable");
  } catch (err) {
    if (err instanceof FileError) throw err;
    const errno = errnoOf(err);
    if (errno === "ENOENT") return undefined;
    throw new FileError("E_EFIVAR_READ", `cannot read EFI variable ${name}: ${describeErrno(errno)}`, file, err);
  }
  // A zero-length file is a variable that was created but never written: systemd treats it as absent.
  if (bytes.length === 0) return undefined;
  try {
    return { name, guid: guid.toLowerCase(), ...decodeEfivarfsFile(bytes) };
  } catch (err) {
    throw err instanceof ParseError ? err.inFile(file) : err;
  }
}

/** Read a NUL-terminated UTF-16LE string variable; `undefined` when absent. */
export async function readEfiString(efivarsDir: string, name: string, guid: string): Promise<string | undefined> {
  const value = await readEfiVariable(efivarsDir, name, guid);
  return value === undefined ? undefined : decodeUcs2z(value.data);
}

const GUID_SUFFIX = /-([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

/** Split an efivarfs file name into variable name and GUID; undefined for other files. */
function parseEfivarFileName(fileName: string): { name: string; guid: string } | undefined {
  const m = GUID_SUFFIX.exec(fileName);
  if (!m || m.index === 0) return undefined;
  return { name: fileName.slice(0, m.index), guid: m[1]!.toLowerCase() };
}

/** Every variable in the directory (files that are not `Name-GUID`, and empty files, skipped). */
export async function listEfiVariables(efivarsDir: string): Promise<EfiVariable[]> {
  let names: string[];
  try {
    names = await fsp.readdir(efivarsDir);
  } catch (err) {
    throw new FileError("E_EFIVAR_READ", `cannot list EFI variables in ${efivarsDir}: ${describeErrno(errnoOf(err))}`, efivarsDir, err);
  }
  const out: EfiVariable[] = [];
  for (const fileName of names.sort()) {
    const parsed = parseEfivarFileName(fileName);
    if (!parsed) continue;
    const value = await readEfiVariable(efivarsDir, parsed.name, parsed.guid).catch((err: unknown) => {
      if (errnoFrom(err) === "EISDIR") return undefined;
      throw err;
    });
    if (value) out.push(value);
  }
  return out;
}

/**
 * The efivars directory to use. Without `--efivars-path` the default must exist, else the system
 * was not booted with EFI and verbs that need variables stop with one clear line.
 */
export async function requireEfivarsDir(efivarsPath: string, explicit: boolean): Promise<string> {
  try {
    const s = await fsp.stat(efivarsPath);
    if (!s.isDirectory()) throw new BootctlError("E_EFIVARS_DIR", `${efivarsPath} is not a directory`);
    return efivarsPath;
  } catch (err) {
    if (err instanceof BootctlError) throw err;
    if (!explicit && errnoOf(err) === "ENOENT") {
      throw new BootctlError("E_NOT_EFI", `not booted with EFI: ${efivarsPath} does not exist (use --efivars-path DIR for a directory of variables)`);
    }
    throw new FileError("E_EFIVARS_DIR", `cannot use ${efivarsPath} for EFI variables: ${describeErrno(errnoOf(err))}`, efivarsPath, err);
  }
}

/** True when `dir` is a mounted efivarfs (statfs magic); a directory that is not there is not. */
function isEfivarfs(dir: string): boolean {
  try {
    return statfsSync(dir).type === EFIVARFS_MAGIC;
  } catch (err) {
    if (hasErrno(err, "ENOENT", "ENOTDIR")) return false;
    throw new FileError("E_EFIVARS_DIR", `cannot use ${dir} for EFI variables: ${describeErrno(errnoOf(err))}`, dir, err);
  }
}

/** child_process, loaded on first use: only writes to efivarfs need it (start-up of `list`, `status`). */
function loadSpawnSync(): typeof import("node:child_process").spawnSync {
  return builtinModule("node:child_process").spawnSync;
}

/** Whether the file has the immutable attribute (lsattr); false when that cannot be read. */
function isImmutable(file: string): boolean {
  const r = loadSpawnSync()("lsattr", ["-d", "--", file], { encoding: "utf8" });
  if (r.status !== 0) return false;
  const flags = r.stdout.trim().split(/\s+/)[0] ?? "";
  return flags.includes("i");
}

function chattr(flag: "-i" | "+i", file: string): boolean {
  const r = loadSpawnSync()("chattr", [flag, "--", file], { stdio: "ignore" });
  return r.status === 0;
}

function explain(errno: string | undefined): string {
  switch (errno) {
    case "EPERM": return "operation not permitted (the variable is immutable, or the firmware refuses changes to it)";
    case "EACCES": return "permission denied (changing EFI variables needs root)";
    case "ENOENT": return "no such variable or efivars directory";
    case "ENOSPC": return "no space left in the firmware's variable store";
    case "EINVAL": return "invalid argument (the firmware or kernel rejected the attributes or the data)";
    case "EROFS": return "read-only file system (efivarfs is mounted read-only)";
    default: return describeErrno(errno);
  }
}

/** The errno behind an error, also when durable-fs wrapped it in a FileError. */
function errnoFrom(err: unknown): string | undefined {
  return err instanceof FileError ? err.errno ?? errnoOf(err) : errnoOf(err);
}

function writeError(name: string, file: string, err: unknown): FileError {
  if (err instanceof BootctlError && !(err instanceof FileError)) throw err;
  const cause = err instanceof FileError && err.cause !== undefined ? err.cause : err;
  return new FileError("E_EFIVAR_WRITE", `cannot write EFI variable ${name}: ${explain(errnoFrom(err))}`, file, cause);
}

export type WriteResult = "written" | "unchanged";

/** Set a variable to `value`; skipped when it already has exactly these attributes and data. */
export async function writeEfiVariable(efivarsDir: string, name: string, guid: string, value: Pick<EfiVariable, "attributes" | "data">, options: WriteOptions = {}): Promise<WriteResult> {
  const fileName = efivarFileName(name, guid);
  const file = path.join(efivarsDir, fileName);
  const current = await readEfiVariable(efivarsDir, name, guid);
  if (current && current.attributes === value.attributes && current.data.equals(value.data)) return "unchanged";
  const bytes = encodeEfivarfsFile(value);
  if (isEfivarfs(efivarsDir)) {
    await writeEfivarfs(name, file, bytes, current !== undefined);
    return "written";
  }
  try {
    await atomicReplace(efivarsDir, fileName, bytes, options);
  } catch (err) {
    if (errnoFrom(err) !== "EPERM" || !current || !isImmutable(file)) throw writeError(name, file, err);
    // An immutable file in a plain directory (chattr +i): the same dance as on efivarfs.
    if (!chattr("-i", file)) throw writeError(name, file, err);
    try {
      await atomicReplace(efivarsDir, fileName, bytes, options);
    } catch (retry) {
      chattr("+i", file);
      throw writeError(name, file, retry);
    }
    chattr("+i", file);
  }
  return "written";
}

/** The real efivarfs: clear immutable, one write(), restore. */
async function writeEfivarfs(name: string, file: string, bytes: Buffer, exists: boolean): Promise<void> {
  let wasImmutable = exists && isImmutable(file);
  if (wasImmutable && !chattr("-i", file)) throw writeError(name, file, Object.assign(new Error("chattr -i failed"), { code: "EPERM" }));
  let handle;
  try {
    handle = await fsp.open(file, exists ? constants.O_WRONLY : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  } catch (err) {
    if (wasImmutable) chattr("+i", file);
    throw writeError(name, file, err);
  }
  try {
    if (!exists && isImmutable(file)) {
      wasImmutable = true;
      chattr("-i", file);
    }
    const { bytesWritten } = await handle.write(bytes, 0, bytes.length);
    if (bytesWritten !== bytes.length) throw writeError(name, file, Object.assign(new Error("short write"), { code: "EIO" }));
  } catch (err) {
    const failure = err instanceof FileError ? err : writeError(name, file, err);
    await cleanUpAfter(failure, () => handle.close());
    if (!exists) await cleanUpAfter(failure, () => fsp.unlink(file));
    if (wasImmutable) chattr("+i", file);
    throw failure;
  }
  try {
    await handle.close();
  } catch (err) {
    throw writeError(name, file, err);
  } finally {
    if (wasImmutable) chattr("+i", file);
  }
}

export type DeleteResult = "deleted" | "absent";

/** Delete a variable (clearing the immutable flag first); absent variables are fine. */
export async function deleteEfiVariable(efivarsDir: string, name: string, guid: string, options: WriteOptions = {}): Promise<DeleteResult> {
  const fileName = efivarFileName(name, guid);
  const file = path.join(efivarsDir, fileName);
  try {
    await fsp.lstat(file);
  } catch (err) {
    if (errnoOf(err) === "ENOENT") return "absent";
    throw new FileError("E_EFIVAR_DELETE", `cannot delete EFI variable ${name}: ${explain(errnoOf(err))}`, file, err);
  }
  if (isImmutable(file)) chattr("-i", file);
  try {
    if (isEfivarfs(efivarsDir)) {
      await fsp.unlink(file);
      return "deleted";
    }
    const r = await removeDurable(efivarsDir, fileName, options);
    return r.removed ? "deleted" : "absent";
  } catch (err) {
    const errno = errnoFrom(err);
    if (errno === "ENOENT") return "absent";
    throw new FileError("E_EFIVAR_DELETE", `cannot delete EFI variable ${name}: ${explain(errno)}`, file, err);
  }
}

export interface AppliedEffect {
  effect: EfiEffect;
  result: WriteResult | DeleteResult;
}

/** Carry out a plan in order; stops at the first failure (earlier effects stay applied). */
export async function applyEfiPlan(efivarsDir: string, effects: readonly EfiEffect[], options: WriteOptions = {}): Promise<AppliedEffect[]> {
  const done: AppliedEffect[] = [];
  for (const effect of effects) {
    const result = effect.op === "write"
      ? await writeEfiVariable(efivarsDir, effect.name, effect.guid, effect, options)
      : await deleteEfiVariable(efivarsDir, effect.name, effect.guid, options);
    done.push({ effect, result });
  }
  return done;
}

/**
 * The bytes of a disk image or block device that `readGpt` needs for `efi create`: the first
 * MiB (MBR, primary header and entry array), or the whole image when it is at most 1 GiB so a
 * damaged primary header can fall back to the backup. (Belongs with the disk adapters; kept here
 * until one exists.)
 */
export async function readDiskForGpt(diskPath: string): Promise<Buffer> {
  let handle;
  try {
    handle = await fsp.open(diskPath, constants.O_RDONLY);
  } catch (err) {
    throw new FileError("E_DISK_READ", `cannot open disk ${diskPath}: ${describeErrno(errnoOf(err))}`, diskPath, err);
  }
  const readFailure = (err: unknown) => new FileError("E_DISK_READ", `cannot read disk ${diskPath}: ${describeErrno(errnoOf(err))}`, diskPath, err);
  let bytes: Buffer;
  try {
    const s = await handle.stat();
    const size = s.isFile() && s.size <= 1 << 30 ? s.size : 1 << 20;
    const buf = Buffer.alloc(size);
    const { bytesRead } = await handle.read(buf, 0, size, 0);
    bytes = buf.subarray(0, bytesRead);
  } catch (err) {
    const failure = readFailure(err);
    await cleanUpAfter(failure, () => handle.close());
    throw failure;
  }
  await handle.close().catch((err: unknown) => { throw readFailure(err); });
  return bytes;
}
