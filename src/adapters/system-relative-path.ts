/**
 * A directory of the running system as GRUB names it: the path relative to the root of the file
 * system it is on, as grub-mkconfig's `make_system_path_relative_to_its_root` prints it
 * (grub-mkrelpath; GRUB's grub-core/osdep/unix/relpath.c,
 * grub_make_system_path_relative_to_its_root): resolve the path, climb while the parent is on the
 * same device (st_dev) to find the mount point, keep the part below it, and on Linux put the
 * mount's root from /proc/self/mountinfo in front (a bind mount's source directory, or a btrfs
 * subvolume such as `/@/.snapshots/1/snapshot`).
 *
 * `/boot` on the root file system gives `/boot`; a `/boot` partition gives "" (its root). GRUB's own
 * 10_linux puts this before the kernel's path, and so does `grub render` on the running system.
 */
import { realpathSync, statSync } from "node:fs";
import * as path from "node:path";
import { hasErrno } from "../errors.ts";
import { parseMountinfo } from "./grubenv-file.ts";
import { readBoundedSync } from "./bounded-read.ts";

/** mountinfo grows with the mounts (containers): a cap well above any real machine's. */
const MOUNTINFO_MAX = 16 * 1024 * 1024;

export interface MountFacts {
  /** The text of /proc/self/mountinfo; undefined when there is none (not Linux, no /proc). */
  mountinfo: string | undefined;
}

function readMountinfo(): string | undefined {
  try {
    return readBoundedSync("/proc/self/mountinfo", MOUNTINFO_MAX, "mountinfo").toString("utf8");
  } catch (err) {
    if (hasErrno(err, "ENOENT", "EACCES")) return undefined;
    throw err;
  }
}

/** The mount point of the file system `real` (a resolved absolute path) is on: climb while st_dev stays. */
function mountPointOf(real: string): string {
  const dev = statSync(real).dev;
  let dir = real;
  for (;;) {
    const parent = path.dirname(dir);
    if (parent === dir || statSync(parent).dev !== dev) return dir;
    dir = parent;
  }
}

/**
 * `make_system_path_relative_to_its_root DIR` on this machine: "" for the root of a file system.
 * The mount is the innermost one holding the resolved path (the longest mount point that is a
 * prefix of it, the last line for a stacked one), so a bind mount names its source directory as
 * grub-mkrelpath does; without mountinfo, the st_dev climb alone.
 */
export function systemPathRelativeToItsRoot(dir: string, facts: MountFacts = { mountinfo: readMountinfo() }): string {
  const real = realpathSync(dir);
  const holds = (mountPoint: string) => mountPoint === "/" || real === mountPoint || real.startsWith(mountPoint + "/");
  let mountPoint: string | undefined;
  let mountRoot = "/";
  for (const m of facts.mountinfo === undefined ? [] : parseMountinfo(facts.mountinfo)) {
    if (!holds(m.mountPoint)) continue;
    if (mountPoint === undefined || m.mountPoint.length >= mountPoint.length) {
      mountPoint = m.mountPoint;
      mountRoot = m.root;
    }
  }
  mountPoint ??= mountPointOf(real);
  const below = mountPoint === "/" ? real : real.slice(mountPoint.length);
  // As relpath.c prints it: no trailing slash, so "" for the root of a file system.
  return path.posix.join(mountRoot, below === "" ? "/" : below).replace(/\/+$/, "");
}

/** The prefix `grub render` puts before a partition's paths: none for the root of a file system. */
export function grubPrefixOf(dir: string, facts?: MountFacts): string | undefined {
  const relative = systemPathRelativeToItsRoot(dir, facts);
  return relative === "" ? undefined : relative;
}
