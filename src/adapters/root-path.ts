/**
 * Confining paths to a root directory.
 *
 * Every adapter works "under a root": the real `/`, an image mounted at `--root`, an ESP given
 * with `--esp-path`, or a temporary directory in tests. The rules, applied before any I/O:
 *
 * - A relative path is taken relative to the root. An absolute path must already lie inside the
 *   root (an "absolute jump" elsewhere is refused, not re-rooted: callers that hold a path *inside
 *   an image*, such as `/boot/grub/grubenv`, join it to the root with `inRoot()` first).
 * - `..` may not climb above the root (checked lexically, before any symlink could be involved).
 * - No component *below* the root may be a symbolic link (like systemd's `CHASE_PROHIBIT_SYMLINKS`
 *   for the ESP): a symlink on a FAT ESP can only have been planted, and following it could write
 *   anywhere. The root itself is trusted as given.
 * - The one exception is where a partition is mounted (`/efi`, `/boot`, `/boot/efi`, `--esp-path`):
 *   links on the way there are followed as bootctl's `chase()` follows them under `--root`
 *   (`followLinksInRoot`), as long as they stay inside the root.
 */
import { lstatSync, readlinkSync } from "node:fs";
import * as path from "node:path";
import { BootctlError, errnoOf } from "../errors.ts";

export class PathEscapeError extends BootctlError {
  constructor(readonly root: string, readonly requested: string) {
    super("E_PATH_ESCAPE", `refusing path outside ${root}: ${requested}`);
  }
}

export class SymlinkRefusedError extends BootctlError {
  constructor(readonly link: string, target?: string) {
    super("E_SYMLINK", target === undefined ? `refusing to follow symbolic link: ${link}` : `refusing to follow symbolic link: ${link} -> ${target} (it leads out of the root)`);
  }
}

/** The root as an absolute, normalised path without a trailing slash (except for `/`). */
export function normaliseRoot(root: string): string {
  return path.resolve(root);
}

/**
 * Join a path that is meant *inside the image* (absolute or relative, like `/boot/grub/grubenv`)
 * to the root. `..` components may not climb above the root.
 */
export function inRoot(root: string, imagePath: string): string {
  const base = normaliseRoot(root);
  const relative = imagePath.replace(/^\/+/, "");
  return confine(base, relative);
}

/**
 * Resolve `target` against `root` and check that it stays inside. Returns the absolute path.
 * Pure (no I/O): it catches `..` and absolute jumps, not symlinks; see `refuseSymlinks`.
 */
export function confine(root: string, target: string): string {
  const base = normaliseRoot(root);
  if (target.includes("\0")) throw new PathEscapeError(base, target.replace(/\0/g, "\\0"));
  const resolved = path.resolve(base, target);
  if (!isInside(base, resolved)) throw new PathEscapeError(base, target);
  return resolved;
}

/** True when `candidate` is `base` or lies below it (both absolute and normalised). */
export function isInside(base: string, candidate: string): boolean {
  if (candidate === base) return true;
  const prefix = base.endsWith(path.sep) ? base : base + path.sep;
  return candidate.startsWith(prefix);
}

/** The components of `absolute` below `root`, each as an absolute path, shallowest first. */
function componentsBelow(root: string, absolute: string): string[] {
  const base = normaliseRoot(root);
  const rel = path.relative(base, absolute);
  if (rel === "") return [];
  const out: string[] = [];
  let current = base;
  for (const part of rel.split(path.sep)) {
    current = path.join(current, part);
    out.push(current);
  }
  return out;
}

/**
 * Refuse if any existing component of `absolute` below `root` is a symbolic link. Components
 * that do not exist yet are fine (the path may be about to be created); the walk stops at the
 * first missing one.
 */
export async function refuseSymlinks(root: string, absolute: string): Promise<void> {
  refuseSymlinksSync(root, absolute);
}

/** `refuseSymlinks` for synchronous code: the rule itself (a few lstat(2) calls, no promises). */
export function refuseSymlinksSync(root: string, absolute: string): void {
  for (const component of componentsBelow(root, absolute)) {
    let isLink: boolean;
    try {
      isLink = lstatSync(component).isSymbolicLink();
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === "ENOENT" || errno === "ENOTDIR") return;
      throw err;
    }
    if (isLink) throw new SymlinkRefusedError(component);
  }
}

/** `confine` followed by `refuseSymlinks`: the check every adapter runs before touching a path. */
export async function resolveSafe(root: string, target: string): Promise<string> {
  const absolute = confine(root, target);
  await refuseSymlinks(root, absolute);
  return absolute;
}

/** As many links as the kernel follows in one lookup (MAXSYMLINKS). */
const MAX_LINK_HOPS = 40;

/**
 * Resolve the symbolic links of a path inside the root as systemd's `chase()` does with a root
 * directory (src/basic/chase.c): a link's absolute target is taken from the root's `/`, a
 * relative one from the link's directory. Unlike `chase()`, which stops `..` at the root, a link
 * whose target climbs above the root's `/` is refused (SymlinkRefusedError): it was written to
 * point out of the tree. Components that do not exist end the walk (the rest is appended as
 * given). Returns the resolved absolute path on this machine, inside the root.
 */
export function followLinksInRoot(root: string, absolute: string): string {
  const base = normaliseRoot(root);
  let pending = path.relative(base, confine(base, absolute)).split(path.sep).filter((p) => p !== "");
  let current = base;
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    const candidate = path.join(current, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(candidate).isSymbolicLink();
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === "ENOENT" || errno === "ENOTDIR") return path.join(candidate, ...pending);
      throw err;
    }
    if (!isLink) {
      current = candidate;
      continue;
    }
    if (++hops > MAX_LINK_HOPS) throw new BootctlError("E_LINK_LOOP", `cannot resolve ${absolute}: too many levels of symbolic links`);
    const target = readlinkSync(candidate);
    const from = target.startsWith("/") ? [] : path.relative(base, current).split(path.sep).filter((p) => p !== "");
    for (const step of target.split("/")) {
      if (step === "" || step === ".") continue;
      if (step === "..") {
        if (from.length === 0) throw new SymlinkRefusedError(candidate, target);
        from.pop();
      } else from.push(step);
    }
    pending = [...from, ...pending];
    current = base;
  }
  return current;
}

/** The words an error about a path argument adds under `--root` after the typed path: " under --root ROOT". */
export function underRoot(root: string): string {
  const base = normaliseRoot(root);
  return base === "/" ? "" : ` under --root ${base}`;
}

/**
 * The hint at the end of such an error when the user typed the path of the file on this machine
 * (`ROOT/boot/grub/grub.cfg`, which inside the root is `ROOT/ROOT/boot/...`): the path they meant.
 */
export function rootPathHint(root: string, typed: string): string {
  const base = normaliseRoot(root);
  if (base === "/" || !typed.startsWith(base + "/")) return "";
  return ` (paths under --root are inside it: did you mean ${typed.slice(base.length)}?)`;
}
