/**
 * Reading back what an installer wrote under a root, so a second install can leave a file that
 * is already right untouched (same bytes, same mode: no new inode, no new mtime).
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
  return { kind: "file", bytes: await fsp.readFile(absolute), mode: stat.mode & 0o7777 };
}
