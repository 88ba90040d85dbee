/**
 * Whether the files an entry names exist, as `bootctl list` checks them: `access(root/path, F_OK)`
 * (systemd src/shared/bootspec.c `boot_entry_file_check()`), following symbolic links, with the
 * errno it would print (`%m`) when a file is missing.
 *
 * A menu of thousands of entries names thousands of files, mostly in a few directories. The
 * status of each parent directory is asked once and remembered, so a file whose directory is
 * missing costs no system call, and one in an existing directory costs one. Paths are joined
 * lexically (`path.join`, which folds `..`). The answers are for one listing: nothing is watched.
 */
import { accessSync, existsSync, statSync } from "node:fs";
import * as path from "node:path";
import { errnoOf } from "../errors.ts";

/** Absolute, no empty, `.` or `..` component, no trailing slash. */
const SIMPLE_PATH = /^(?:\/(?!\.\.?(?:\/|$))[^/]+)+$/;

/**
 * `path.dirname(dir)`, without its per-character loop for the common spelling (absolute, no
 * empty component, no trailing slash): everything before the last "/".
 */
export function parentOf(dir: string): string {
  const slash = dir.lastIndexOf("/");
  if (slash <= 0 || dir.endsWith("/") || dir.includes("//")) return path.dirname(dir);
  return dir.slice(0, slash);
}

export class FilePresence {
  /** Absolute directory → undefined when it is a directory, else the errno of reaching it. */
  readonly #directories = new Map<string, string | undefined>();

  /** undefined when `root/relative` exists, else the errno (`ENOENT`, `ENOTDIR`, …). */
  missing(root: string, relative: string): string | undefined {
    // Entry paths are normalized already (`mangleEntryPath`): join them without re-parsing.
    const simple = SIMPLE_PATH.test(relative) && !root.endsWith("/");
    const full = simple ? root + relative : path.join(root, relative);
    const parent = simple ? full.slice(0, full.lastIndexOf("/")) : path.dirname(full);
    if (parent !== full) {
      const parentStatus = this.#directoryStatus(parent);
      if (parentStatus !== undefined) return parentStatus;
    }
    if (existsSync(full)) return undefined;
    try {
      accessSync(full);
      return undefined;
    } catch (err) {
      return errnoOf(err) ?? "ENOENT";
    }
  }

  #directoryStatus(dir: string): string | undefined {
    if (this.#directories.has(dir)) return this.#directories.get(dir);
    let status: string | undefined;
    const parent = parentOf(dir);
    if (parent !== dir) status = this.#directoryStatus(parent);
    if (status === undefined) {
      try {
        const st = statSync(dir, { throwIfNoEntry: false });
        status = st === undefined ? "ENOENT" : st.isDirectory() ? undefined : "ENOTDIR";
      } catch (err) {
        status = errnoOf(err) ?? "ENOENT";
      }
    }
    this.#directories.set(dir, status);
    return status;
  }
}
