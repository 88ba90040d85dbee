/**
 * Reading back what an installer wrote under a root, so a second install can leave a file that
 * is already right untouched (same bytes, same mode: no new inode, no new mtime), and setting a
 * file's modification time to whole seconds (tar, cpio, squashfs and dpkg keep seconds only; the
 * CLI's code cache is stamped with its bundle's mtime, see src/install/code-cache-stamp.ts).
 * Paths are confined to the root, symbolic links below it refused (root-path.ts).
 */
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { errnoOf, FileError } from "../errors.ts";
import { resolveSafe } from "./root-path.ts";

export interface InstalledFile {
  kind: "file" | "symlink" | "other";
  bytes?: Buffer;
  /** Permission bits (files). */
  mode?: number;
  size?: number;
  mtimeMs?: number;
  /** Link target (symlinks). */
  target?: string;
}

/** What is at `target` (an absolute path under `root`, as durable-fs takes it) (not following a final symlink), or undefined. */
export async function readInstalled(root: string, target: string): Promise<InstalledFile | undefined> {
  // The directories below the root must not be links; the file itself may be one (it is reported).
  const absolute = path.join(await resolveSafe(root, path.dirname(target)), path.basename(target));
  let stat;
  try {
    stat = await fsp.lstat(absolute);
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === "ENOENT" || errno === "ENOTDIR") return undefined;
    throw new FileError("E_READ", `cannot read ${absolute}: ${(err as Error).message}`, absolute, err);
  }
  if (stat.isSymbolicLink()) return { kind: "symlink", target: await fsp.readlink(absolute) };
  if (!stat.isFile()) return { kind: "other" };
  return { kind: "file", bytes: await fsp.readFile(absolute), mode: stat.mode & 0o7777, size: stat.size, mtimeMs: stat.mtimeMs };
}

/** Set the modification (and access) time of the regular file `target` (under `root`) to `seconds`. */
export async function setModificationTime(root: string, target: string, seconds: number): Promise<void> {
  const absolute = await resolveSafe(root, target);
  try {
    await fsp.utimes(absolute, seconds, seconds);
  } catch (err) {
    throw new FileError("E_WRITE", `cannot set the time of ${absolute}: ${(err as Error).message}`, absolute, err);
  }
}
