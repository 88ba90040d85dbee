/**
 * An advisory lock that serialises bootctl-ts writers on one directory (an ESP, $BOOT, the
 * grubenv's directory), so an installer adding an entry and the boot-success service blessing
 * another never lose each other's update (read → plan → apply happens under the lock).
 *
 * Node has no flock(), so the lock is a file created with O_EXCL: `.bootctl-ts.lock` in the
 * directory, holding "PID BOOT-ID". Other tools ignore it (hidden, no `.conf`/`.efi` suffix). A
 * lock whose process is gone, or that was left by an earlier boot (power cut), is stale and is
 * taken over. Waiting is bounded: after `timeoutMs` the operation fails with E_LOCKED, changing
 * nothing.
 */
import { readFileSync } from "node:fs";
import { open, readFile, stat, unlink } from "node:fs/promises";
import * as path from "node:path";
import { BootctlError, FileError, cleanUpAfter, describeErrno, errnoOf, hasErrno, whenErrno } from "../errors.ts";

export const LOCK_NAME = ".bootctl-ts.lock";

function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch (err) {
    if (hasErrno(err, "ENOENT")) return "unknown"; // no /proc (a chroot without it)
    throw err;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoOf(err) === "EPERM";
  }
}

/** True when the lock content names a process that no longer holds it. */
export function isStale(content: string, currentBootId: string): boolean {
  const [pidText, owner] = content.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (owner !== currentBootId) return true;
  return !alive(pid);
}

/**
 * An empty lock file is a writer stopped between creating the file and writing its PID (a power
 * cut or a kill); a live writer fills it within microseconds — or seconds, when a loaded
 * machine deschedules it between the two calls — so one that stays empty for EMPTY_LOCK_GRACE_MS
 * is stale.
 */
const EMPTY_LOCK_GRACE_MS = 10_000;

async function emptyAndOld(file: string): Promise<boolean> {
  try {
    const st = await stat(file);
    return st.size === 0 && Date.now() - st.mtimeMs > EMPTY_LOCK_GRACE_MS;
  } catch (err) {
    if (hasErrno(err, "ENOENT")) return false; // released meanwhile
    throw err;
  }
}

export interface LockOptions {
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run `fn` holding the lock of `dir`. */
export async function withBootLock<T>(dir: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const file = path.join(dir, LOCK_NAME);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const me = `${process.pid} ${bootId()}\n`;
  let held = false;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      const handle = await open(file, "wx", 0o644);
      held = true;
      try {
        await handle.writeFile(me);
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === "ENOENT") break; // no such directory: nothing to serialise against; fn reports it
      if (errno === "EROFS" || errno === "EACCES" || errno === "EPERM") break; // fn will fail on the write itself with the real reason
      if (errno !== "EEXIST") throw err;
    }
    // Released meanwhile (ENOENT): the next round takes it.
    const holder = await readFile(file, "utf8").catch(whenErrno("", "ENOENT"));
    if (holder === "" ? await emptyAndOld(file) : isStale(holder, bootId())) {
      // The holder may have released it and another writer taken it while we looked (a CLI
      // process releases and exits within milliseconds, so "dead" is often just "done"): take
      // over only the lock that was judged, read again just before the unlink.
      const now = await readFile(file, "utf8").catch(whenErrno(undefined, "ENOENT"));
      if (now === holder) await unlink(file).catch(whenErrno(undefined, "ENOENT"));
      continue;
    }
    if (Date.now() > deadline) {
      throw new BootctlError("E_LOCKED", `another bootctl-ts (pid ${holder.split(/\s+/)[0] || "?"}) is changing ${dir}; try again later`);
    }
    await sleep(delay);
  }
  // Only remove our own lock (one that is gone is released).
  const release = async () => {
    if (!held) return;
    const holder = await readFile(file, "utf8").catch(whenErrno("", "ENOENT"));
    if (holder === me) await unlink(file).catch(whenErrno(undefined, "ENOENT"));
  };
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    await cleanUpAfter(err, release);
    throw err;
  }
  await release().catch((err: unknown) => {
    throw new FileError("E_REMOVE", `cannot release the lock ${file}: ${describeErrno(errnoOf(err))}`, file, err);
  });
  return result;
}

/** Hold the locks of several directories (taken in sorted order, so two writers cannot deadlock). */
export async function withBootLocks<T>(dirs: readonly string[], fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const sorted = [...new Set(dirs.map((d) => path.resolve(d)))].sort();
  const take = (i: number): Promise<T> => (i === sorted.length ? fn() : withBootLock(sorted[i]!, () => take(i + 1), options));
  return take(0);
}
