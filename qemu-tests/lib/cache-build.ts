/**
 * One build of a cache entry at a time, across processes. The caches under ~/.cache are shared by
 * every checkout and every run on the machine (two suites at once, a developer's run beside CI):
 * two builders of one key must not share its `.partial` directory, where the second's `rm -rf`
 * pulls files from under the first (seen: mmdebstrap's "rename failed, No such file or directory"
 * in apt's lists). The lock is `DIR.lock`, created with O_EXCL and holding the builder's pid; a
 * lock whose process is gone (a killed run) is taken over. Inside the lock the build goes to
 * `DIR.partial` and is renamed to DIR only when complete, so DIR is always whole or absent.
 */
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

export interface CacheBuildOptions {
  /** The file whose presence in DIR says the entry is complete. */
  stamp: string;
  /** Called once when another process holds the lock. */
  log?: (line: string) => void;
  /** Poll interval while waiting for another builder. */
  pollMs?: number;
  /** Keep DIR.partial when the build fails (its logs explain the failure; the next build clears it). */
  keepFailed?: boolean;
}

/** Whether a pid names a live process (signal 0 checks without sending). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid in a lock file, or undefined when it is gone or not written yet. */
async function lockOwner(lock: string): Promise<number | undefined> {
  const text = await readFile(lock, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  const pid = Number.parseInt(text ?? "", 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether another live process is building DIR now (pruning must leave such entries alone). */
export async function isBeingBuilt(dir: string): Promise<boolean> {
  const pid = await lockOwner(`${dir}.lock`);
  return pid !== undefined && pid !== process.pid && isAlive(pid);
}

async function acquire(lock: string, options: { log?: (line: string) => void; pollMs?: number }): Promise<void> {
  let told = false;
  for (;;) {
    try {
      const handle = await open(lock, "wx");
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const pid = await lockOwner(lock);
    if (pid !== undefined && !isAlive(pid)) {
      // A builder that died: its lock and its .partial are left over. Take over — only the lock
      // judged, read again just before the rm (another builder may have taken it meanwhile).
      if ((await lockOwner(lock)) === pid) await rm(lock, { force: true });
      continue;
    }
    if (!told) {
      options.log?.(`waiting for process ${pid ?? "?"}, which is building ${dir(lock)}`);
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
  }
}

function dir(lock: string): string {
  return lock.slice(0, -".lock".length);
}

/**
 * `work()` while holding `TARGET.lock` (waiting for another process that holds it): for cache
 * state that is updated in place, such as a private apt's lists.
 */
export async function withCacheLock<T>(target: string, work: () => Promise<T>, options: Omit<CacheBuildOptions, "stamp" | "keepFailed"> = {}): Promise<T> {
  await mkdir(dirname(target), { recursive: true });
  const lock = `${target}.lock`;
  await acquire(lock, options);
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * DIR, built by `build(partial)` unless it is complete already (its stamp exists). `build` fills
 * `partial` (an empty directory) and writes the stamp last. Returns whether this call built it.
 */
export async function buildCached(target: string, build: (partial: string) => Promise<void>, options: CacheBuildOptions): Promise<boolean> {
  if (existsSync(join(target, options.stamp))) return false;
  return withCacheLock(target, async () => {
    // Another process may have finished while this one waited.
    if (existsSync(join(target, options.stamp))) return false;
    const partial = `${target}.partial`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    try {
      await build(partial);
    } catch (error) {
      if (!options.keepFailed) await rm(partial, { recursive: true, force: true });
      throw error;
    }
    if (!existsSync(join(partial, options.stamp))) throw new Error(`cache build of ${target} wrote no ${options.stamp}`);
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
    return true;
  }, options);
}
