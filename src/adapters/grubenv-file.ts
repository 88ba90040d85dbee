/**
 * The grubenv file on disk: where it is, reading it, updating it crash-safely, and what the
 * file system under it lets GRUB do at boot.
 *
 * Write strategy (util/editenv.c `grub_util_create_envblk_file()`, grub-core/commands/loadenv.c `save_env`) — temp file + fsync + rename + directory
 * fsync (`atomicReplace`), never an in-place rewrite:
 * - GRUB does not need the file to keep its inode or sectors between boots: `save_env` re-derives
 *   the file's blocklist through the file system driver at every boot, then rewrites those
 *   sectors. grub-editenv's own `create` renames a new file into place, and Fedora's
 *   grub2-set-bootflag replaces grubenv by rename too.
 * - grub-editenv `set`/`unset` open the file with O_TRUNC and then write: killed between the two,
 *   the block is empty and every variable is lost. A rewrite in place without O_TRUNC avoids the
 *   empty file but a 1024-byte block spans two 512-byte sectors, so a power cut can still tear it
 *   into half old, half new bytes. Only a rename gives "old or new" after a crash at any point.
 * - The size never changes: the codec serializes to exactly the block's size (1024 for a block
 *   grub-editenv created, 100 or 2048 if someone made it so), and the new file is written in one
 *   piece and fsynced before the rename, so it is a plain non-sparse file GRUB can write.
 *
 * Paths: a FILE argument that is absolute is a path inside the image (joined to the root); a
 * relative one is taken from the current directory without `--root`, and from the image's `/`
 * under it (as a process chrooted there reads it; never climbing out of it). Symbolic
 * links are followed the way grub-editenv follows them, but resolved *inside* the root (a link
 * to `/boot/efi/EFI/fedora/grubenv` in an image means that path in the image) and never out of
 * it; durable-fs then sees a path without links.
 */
import { constants } from "node:fs";
import { lstat, readdir, readFile, readlink, realpath, stat, statfs } from "node:fs/promises";
import { GRUBENV_MAX, readBounded } from "./bounded-read.ts";
import * as path from "node:path";
import { BootctlError, FileError, ParseError, describeErrno, errnoOf, hasErrno } from "../errors.ts";
import {
  DEFAULT_GRUBENV_SIZE, createGrubenv, parseGrubenv, serializeGrubenv, type GrubenvBlock,
} from "../formats/grubenv.ts";
import { atomicReplace, type StepSeam } from "./durable-fs.ts";
import { PathEscapeError, confine, inRoot, isInside, normaliseRoot } from "./root-path.ts";
import { withBootLock } from "./boot-lock.ts";

/** Where GRUB installations keep the block, in the order bootctl-ts looks (inside the root):
 * Debian/Ubuntu (`grub-editenv`'s DEFAULT_DIRECTORY), Fedora/openSUSE (`grub2-editenv`). */
export const DEFAULT_GRUBENV_PATHS = ["/boot/grub/grubenv", "/boot/grub2/grubenv"] as const;
/** ESP mount points searched for `EFI/<vendor>/grubenv` when no --esp-path is given. */
export const DEFAULT_ESP_PATHS = ["/boot/efi", "/efi", "/boot"] as const;

const MAX_LINK_HOPS = 40;

export interface GrubenvLocation {
  /** Absolute path on this machine, inside the root, with no symbolic link below the root. */
  path: string;
  /** The same path as seen inside the image (`/boot/grub/grubenv`). */
  imagePath: string;
  /** True when it came from the defaults rather than a FILE argument. */
  isDefault: boolean;
  exists: boolean;
}

async function lstatOrUndefined(p: string) {
  try {
    return await lstat(p);
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === "ENOENT" || errno === "ENOTDIR") return undefined;
    throw new FileError("E_READ", `cannot read ${p}: ${describeErrno(errno)}`, p, err);
  }
}

/**
 * Resolve every symbolic link in `absolute` (already inside `root`) as if `root` were `/`:
 * absolute link targets are joined to the root, `..` never climbs above it. Components that do
 * not exist are kept as they are (the file may be about to be created).
 */
export async function resolveInRoot(root: string, absolute: string): Promise<string> {
  const base = normaliseRoot(root);
  let pending = path.relative(base, confine(base, absolute)).split(path.sep).filter((p) => p !== "");
  let current = base;
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    const candidate = path.join(current, part);
    const st = await lstatOrUndefined(candidate);
    if (!st) return path.join(candidate, ...pending);
    if (!st.isSymbolicLink()) {
      current = candidate;
      continue;
    }
    if (++hops > MAX_LINK_HOPS) throw new FileError("E_LINK_LOOP", `cannot resolve ${absolute}: too many levels of symbolic links`, absolute);
    // Resolve the target as a chroot would: relative to the link's directory inside the image,
    // absolute ones from the image's `/`, and `..` stopping at the image's `/`.
    const target = await readlink(candidate);
    const imageTarget = path.posix.resolve(imagePathOf(base, current), target);
    pending = [...imageTarget.split("/").filter((p) => p !== ""), ...pending];
    current = base;
  }
  return current;
}

function imagePathOf(root: string, absolute: string): string {
  const rel = path.relative(normaliseRoot(root), absolute);
  return "/" + rel.split(path.sep).join("/");
}

export interface LocateOptions {
  /** `--esp-path` (inside the root), if given. */
  espPath?: string | undefined;
  /** Directory relative FILE arguments are taken from when the root is `/` (default: process.cwd()). */
  cwd?: string;
}

/**
 * The grubenv to operate on. With `file` (grub-editenv's FILENAME, `-` meaning the default):
 * that file. Without: the first existing of `/boot/grub/grubenv`, `/boot/grub2/grubenv`, then a
 * single `EFI/<vendor>/grubenv` on the ESP; when none exists, the one whose directory exists
 * (grub, then grub2), else `/boot/grub/grubenv` (and creating it fails like grub-editenv's).
 */
export async function locateGrubenv(root: string, file: string | undefined, options: LocateOptions = {}): Promise<GrubenvLocation> {
  const base = normaliseRoot(root);
  const finish = async (absolute: string, isDefault: boolean): Promise<GrubenvLocation> => {
    const resolved = await resolveInRoot(base, absolute);
    const st = await lstatOrUndefined(resolved);
    return { path: resolved, imagePath: imagePathOf(base, resolved), isDefault, exists: st !== undefined };
  };
  if (file !== undefined && file !== "-") {
    if (file === "") throw new BootctlError("E_GRUBENV_PATH", "empty file name");
    // Under --root, as a process chrooted there reads it (adapters/grub-cfg-file.ts).
    const absolute = file.startsWith("/") || base !== "/" ? inRoot(base, file) : path.resolve(options.cwd ?? process.cwd(), file);
    if (!isInside(base, absolute)) throw new PathEscapeError(base, file);
    return finish(absolute, false);
  }
  for (const candidate of DEFAULT_GRUBENV_PATHS) {
    const location = await finish(inRoot(base, candidate), true);
    if (location.exists) return location;
  }
  const espCopies = await findEspCopies(base, options.espPath);
  if (espCopies.length === 1) return finish(espCopies[0]!, true);
  if (espCopies.length > 1) {
    throw new BootctlError("E_GRUBENV_AMBIGUOUS", `no /boot/grub/grubenv or /boot/grub2/grubenv, and several on the ESP (${espCopies.map((p) => imagePathOf(base, p)).join(", ")}); name one as FILE`);
  }
  for (const candidate of DEFAULT_GRUBENV_PATHS) {
    const dir = await lstatOrUndefined(await resolveInRoot(base, inRoot(base, path.posix.dirname(candidate))));
    if (dir?.isDirectory()) return finish(inRoot(base, candidate), true);
  }
  return finish(inRoot(base, DEFAULT_GRUBENV_PATHS[0]), true);
}

async function findEspCopies(base: string, espPath: string | undefined): Promise<string[]> {
  const esps = espPath !== undefined ? [espPath] : [...DEFAULT_ESP_PATHS];
  const found = new Set<string>();
  for (const esp of esps) {
    const efiDir = await resolveInRoot(base, inRoot(base, path.posix.join(esp.startsWith("/") ? esp : "/" + esp, "EFI")));
    let vendors: string[];
    try {
      vendors = await readdir(efiDir);
    } catch (err) {
      if (hasErrno(err, "ENOENT", "ENOTDIR")) continue; // no such ESP here
      throw new FileError("E_READ", `cannot read ${efiDir}: ${describeErrno(errnoOf(err))}`, efiDir, err);
    }
    for (const vendor of vendors.sort()) {
      const candidate = path.join(efiDir, vendor, "grubenv");
      const st = await lstatOrUndefined(candidate);
      if (st?.isFile()) found.add(candidate);
    }
  }
  return [...found];
}

export interface LoadedGrubenv {
  block: GrubenvBlock;
  bytes: Buffer;
}

/** Read and parse the block at `file`; undefined when it does not exist. Parse errors carry the
 * file name. */
export async function readGrubenvFile(file: string): Promise<LoadedGrubenv | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readBounded(file, GRUBENV_MAX, "a grubenv");
  } catch (err) {
    if (err instanceof FileError) throw err;
    const errno = errnoOf(err);
    if (errno === "ENOENT") return undefined;
    throw new FileError("E_READ", `cannot read ${file}: ${describeErrno(errno)}`, file, err);
  }
  try {
    return { block: parseGrubenv(bytes), bytes };
  } catch (err) {
    if (err instanceof ParseError) throw err.inFile(file);
    throw err;
  }
}

export interface GrubenvWriteOptions {
  seam?: StepSeam;
}

/** Write `block` to `file` under `root` crash-safely (see the module comment). The block's size
 * is kept; a block that no longer fits throws E_GRUBENV_TOO_SMALL before anything is touched. */
export async function writeGrubenvFile(root: string, file: string, block: GrubenvBlock, options: GrubenvWriteOptions = {}): Promise<void> {
  const bytes = serializeGrubenv(block);
  await atomicReplace(root, file, bytes, options.seam ? { seam: options.seam } : {});
}

export interface GrubenvEditResult {
  path: string;
  /** The file did not exist and was (or, with dryRun, would be) created, as grub-editenv does. */
  created: boolean;
  /** Content before; undefined when the file did not exist. */
  before: GrubenvBlock | undefined;
  after: GrubenvBlock;
  /** True when the bytes on disk change (or would change). */
  changed: boolean;
  /** True when the file was written (false for dry runs and for no-op edits of existing files). */
  written: boolean;
}

export interface GrubenvEditOptions extends GrubenvWriteOptions {
  dryRun?: boolean;
  /**
   * Write even when the bytes do not change. grub-editenv rewrites the file on every set/unset;
   * bootctl-ts skips the write by default (same bytes, fewer writes to the ESP).
   */
  alwaysWrite?: boolean;
}

/**
 * Read (a missing file counts as a fresh `create`d block, as grub-editenv does), apply `edit`,
 * and write the result in one crash-safe step. Any error from `edit` (a bad name, a block too
 * small) is thrown before anything is written.
 */
export async function editGrubenvFile(root: string, file: string, edit: (block: GrubenvBlock) => GrubenvBlock, options: GrubenvEditOptions = {}): Promise<GrubenvEditResult> {
  // Read, edit and write under the directory's lock: two writers never lose each other's change.
  return options.dryRun ? editUnlocked(root, file, edit, options) : withBootLock(path.dirname(file), () => editUnlocked(root, file, edit, options));
}

async function editUnlocked(root: string, file: string, edit: (block: GrubenvBlock) => GrubenvBlock, options: GrubenvEditOptions): Promise<GrubenvEditResult> {
  const loaded = await readGrubenvFile(file);
  const start = loaded?.block ?? parseGrubenv(createGrubenv(DEFAULT_GRUBENV_SIZE));
  const after = edit(start);
  const newBytes = serializeGrubenv(after);
  const changed = loaded === undefined || !newBytes.equals(loaded.bytes);
  const write = !options.dryRun && (changed || options.alwaysWrite === true);
  if (write) await atomicReplace(root, file, newBytes, options.seam ? { seam: options.seam } : {});
  return { path: file, created: loaded === undefined, before: loaded?.block, after, changed, written: write };
}

/** `grub-editenv FILE create`: a fresh 1024-byte block, replacing any existing file. */
export async function createGrubenvFile(root: string, file: string, options: GrubenvEditOptions = {}): Promise<GrubenvEditResult> {
  let before: GrubenvBlock | undefined;
  let beforeBytes: Buffer | undefined;
  try {
    const loaded = await readGrubenvFile(file);
    before = loaded?.block;
    beforeBytes = loaded?.bytes;
  } catch (err) {
    if (!(err instanceof ParseError)) throw err; // an invalid block is simply replaced
    beforeBytes = Buffer.alloc(0);
  }
  const bytes = createGrubenv(DEFAULT_GRUBENV_SIZE);
  const existed = beforeBytes !== undefined;
  const changed = !existed || !bytes.equals(beforeBytes!);
  if (!options.dryRun) await atomicReplace(root, file, bytes, options.seam ? { seam: options.seam } : {});
  return { path: file, created: !existed, before, after: parseGrubenv(bytes), changed, written: !options.dryRun };
}

// ---------------------------------------------------------------------------------------------
// File-system facts: can GRUB's save_env rewrite this block at boot? (grub-core/commands/loadenv.c: save_env writes only blocks of an existing file, and refuses files it cannot map to raw sectors)

/** statfs f_type values (linux/magic.h) for the file systems a /boot or ESP can be on. */
const FS_MAGIC: Record<number, string> = {
  0xef53: "ext2/ext3/ext4",
  0x4d44: "vfat",
  0x9123683e: "btrfs",
  0x2fc12fc1: "zfs",
  0x58465342: "xfs",
  0xf2f52010: "f2fs",
  0x2011bab0: "exfat",
  0x5346544e: "ntfs",
  0x7366746e: "ntfs3",
  0x52654973: "reiserfs",
  0x3153464a: "jfs",
  0x482b: "hfsplus",
  0x3434: "nilfs2",
  0x15013346: "udf",
  0xca451a4e: "bcachefs",
  0x73717368: "squashfs",
  0xe0f5e1e2: "erofs",
  0x9660: "iso9660",
  0x28cd3d45: "cramfs",
  0x01021994: "tmpfs",
  0x858458f6: "ramfs",
  0x794c7630: "overlay",
  0x6969: "nfs",
  0xff534d42: "cifs",
  0xfe534d42: "smb2",
  0x01021997: "9p",
  0x65735546: "fuse",
};

type Verdict = { canWrite: boolean | null; reason: string };

const VERIFIED = "GRUB's save_env rewrites the file's sectors through this file system (verified with GRUB 2.06)";

function fsVerdict(type: string): Verdict {
  switch (type) {
    case "ext2": case "ext3": case "ext4": case "ext2/ext3/ext4": case "vfat": case "msdos":
      return { canWrite: true, reason: VERIFIED };
    case "btrfs":
      return { canWrite: false, reason: "btrfs: GRUB's save_env fails (\"sparse file not allowed\"; checksummed copy-on-write data)" };
    case "zfs":
      return { canWrite: false, reason: "zfs: GRUB's save_env cannot write a checksumming file system" };
    case "bcachefs":
      return { canWrite: false, reason: "bcachefs: GRUB has no driver for it" };
    case "squashfs": case "erofs": case "iso9660": case "cramfs":
      return { canWrite: false, reason: `${type}: read-only file system` };
    case "tmpfs": case "ramfs": case "overlay": case "nfs": case "nfs4": case "cifs": case "smb2": case "smb3": case "9p": case "fuse": case "virtiofs":
      return { canWrite: false, reason: `${type}: not a file system on a disk GRUB can write (an image being prepared? the facts of the final disk are unknown here)` };
    default:
      return { canWrite: null, reason: `${type}: whether GRUB's save_env can write here is not verified` };
  }
}

export interface BlockLayer {
  /** "lvm", "dm-crypt", "md-raid", "multipath", "device-mapper", "loop", "partition", "disk". */
  kind: string;
  /** Kernel name (dm-0, md127, sda2, loop3) or mapper name when known. */
  name: string;
  /** MAJ:MIN */
  device: string;
  /** Extra detail: RAID level, dm UUID prefix, loop backing file. */
  detail?: string;
}

export interface GrubenvFilesystemFacts {
  /** File-system type: from mountinfo when the mount was found, else from the statfs magic. */
  type: string;
  /** statfs f_type as hex. */
  magic: string;
  /** MAJ:MIN of the file system (st_dev). */
  device: string;
  mountPoint?: string;
  /** The mount's source (a /dev path for disk file systems). */
  source?: string;
  /** Block layers under the file system, top first, as far as sysfs shows them. */
  stack: BlockLayer[];
  /** True: GRUB can update the block at boot; false: it cannot; null: unknown. */
  grubCanWrite: boolean | null;
  /** Why, one entry per fact that decided or qualified it. */
  reasons: string[];
  /** One line for humans. */
  summary: string;
}

export interface DetectOptions {
  /** Default `/proc/self/mountinfo`. */
  mountinfoPath?: string;
  /** Default `/sys`. */
  sysfsPath?: string;
}

export interface MountinfoEntry {
  device: string;
  root: string;
  mountPoint: string;
  fsType: string;
  source: string;
}

function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parse /proc/self/mountinfo (proc(5)). Malformed lines are skipped. */
export function parseMountinfo(text: string): MountinfoEntry[] {
  const out: MountinfoEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.split(" ");
    const dash = fields.indexOf("-");
    if (dash < 6 || fields.length < dash + 3) continue;
    out.push({
      device: fields[2]!,
      root: unescapeMountinfo(fields[3]!),
      mountPoint: unescapeMountinfo(fields[4]!),
      fsType: fields[dash + 1]!,
      source: unescapeMountinfo(fields[dash + 2]!),
    });
  }
  return out;
}

/** glibc's gnu_dev_major/gnu_dev_minor on a 64-bit dev_t. */
export function splitDev(dev: bigint): { major: number; minor: number } {
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

async function readTrimmed(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (err) {
    if (hasErrno(err, "ENOENT")) return undefined; // sysfs has no such attribute for this device
    throw err;
  }
}

/**
 * The block layers under device MAJ:MIN according to sysfs (`<sysfs>/dev/block/MAJ:MIN`):
 * device-mapper targets by their UUID prefix (`LVM-`, `CRYPT-`, `mpath-`), md arrays, loop
 * devices and partitions, following `slaves/` and partition parents down to the disks.
 */
export async function describeBlockStack(sysfsPath: string, device: string, depth = 0): Promise<BlockLayer[]> {
  if (depth > 8) return [];
  let dir: string;
  try {
    dir = await realpath(path.join(sysfsPath, "dev", "block", device));
  } catch (err) {
    if (hasErrno(err, "ENOENT", "ENOTDIR")) return []; // not a block device sysfs knows (tmpfs, overlay, no /sys)
    throw err;
  }
  const name = path.basename(dir);
  const layers: BlockLayer[] = [];
  const dmUuid = await readTrimmed(path.join(dir, "dm", "uuid"));
  const mdLevel = await readTrimmed(path.join(dir, "md", "level"));
  const loopBacking = await readTrimmed(path.join(dir, "loop", "backing_file"));
  const isPartition = (await readTrimmed(path.join(dir, "partition"))) !== undefined;
  if (dmUuid !== undefined) {
    const dmName = (await readTrimmed(path.join(dir, "dm", "name"))) ?? name;
    const kind = dmUuid.startsWith("LVM-") ? "lvm" : dmUuid.startsWith("CRYPT-") ? "dm-crypt" : /^(part\d+-)?mpath-/.test(dmUuid) ? "multipath" : "device-mapper";
    layers.push({ kind, name: dmName, device, detail: dmUuid.split("-").slice(0, kind === "dm-crypt" ? 2 : 1).join("-") });
  } else if (mdLevel !== undefined) {
    layers.push({ kind: "md-raid", name, device, detail: mdLevel });
  } else if (loopBacking !== undefined) {
    layers.push({ kind: "loop", name, device, detail: loopBacking });
  } else if (isPartition) {
    layers.push({ kind: "partition", name, device });
    const parentDev = await readTrimmed(path.join(path.dirname(dir), "dev"));
    if (parentDev) layers.push(...(await describeBlockStack(sysfsPath, parentDev, depth + 1)));
    return layers;
  } else {
    layers.push({ kind: "disk", name, device });
  }
  let slaves: string[] = [];
  try {
    slaves = (await readdir(path.join(dir, "slaves"))).sort();
  } catch (err) {
    if (!hasErrno(err, "ENOENT", "ENOTDIR")) throw err;
    slaves = []; // a partition or a disk without a slaves/ directory
  }
  for (const slave of slaves) {
    const slaveDev = await readTrimmed(path.join(dir, "slaves", slave, "dev"));
    if (slaveDev) layers.push(...(await describeBlockStack(sysfsPath, slaveDev, depth + 1)));
  }
  return layers;
}

/**
 * What the file system and block layers under `file` (or under its directory when it does not
 * exist yet) let GRUB do at boot. Reads statfs, the mount table and sysfs; decides from what it
 * can see and says "unknown" (null) rather than guess. Limits: an image under --root is judged
 * by where it is mounted now; a loop device hides the real disk; LVM/RAID/dm-crypt are only seen
 * through sysfs.
 */
export async function detectGrubenvFilesystem(file: string, options: DetectOptions = {}): Promise<GrubenvFilesystemFacts> {
  let target = file;
  for (;;) {
    try {
      await stat(target);
      break;
    } catch (err) {
      if (!hasErrno(err, "ENOENT", "ENOTDIR")) throw err;
      // Not there yet (a grubenv still to be created): its directory's file system decides.
      const parent = path.dirname(target);
      if (parent === target) break;
      target = parent;
    }
  }
  const fsStat = await statfs(target);
  const st = await stat(target, { bigint: true });
  const { major, minor } = splitDev(st.dev);
  const device = `${major}:${minor}`;
  const magic = "0x" + (fsStat.type >>> 0).toString(16);
  let type = FS_MAGIC[fsStat.type >>> 0] ?? `unknown (${magic})`;
  let mountPoint: string | undefined;
  let source: string | undefined;
  try {
    const mounts = parseMountinfo(await readFile(options.mountinfoPath ?? "/proc/self/mountinfo", "utf8")).filter((m) => m.device === device);
    const real = await realpath(target);
    const best = mounts.filter((m) => isInside(m.mountPoint, real)).sort((a, b) => b.mountPoint.length - a.mountPoint.length)[0] ?? mounts[0];
    if (best) {
      mountPoint = best.mountPoint;
      source = best.source;
      type = best.fsType;
    }
  } catch (err) {
    // No mount table (unusual container): the statfs magic is all we have.
    if (!hasErrno(err, "ENOENT")) throw err;
  }
  const sysfs = options.sysfsPath ?? "/sys";
  let stack = await describeBlockStack(sysfs, device);
  if (stack.length === 0 && source?.startsWith("/dev/")) {
    // btrfs and other multi-device file systems have an anonymous st_dev (0:NN): use the source.
    try {
      const devStat = await stat(source, { bigint: true });
      if ((Number(devStat.mode) & constants.S_IFMT) === constants.S_IFBLK) {
        const d = splitDev(devStat.rdev);
        stack = await describeBlockStack(sysfs, `${d.major}:${d.minor}`);
      }
    } catch (err) {
      // Source not visible here (container): stack stays unknown.
      if (!hasErrno(err, "ENOENT", "ENOTDIR", "EACCES")) throw err;
    }
  }
  const verdict = fsVerdict(type);
  let canWrite = verdict.canWrite;
  const reasons = [verdict.reason];
  for (const layer of stack) {
    if (layer.kind === "lvm" || layer.kind === "md-raid") {
      canWrite = false;
      reasons.push(`${layer.kind === "lvm" ? "LVM" : "md RAID"} (${layer.name}): GRUB's diskfilter cannot write ("diskfilter writes are not supported")`);
    } else if (layer.kind === "dm-crypt") {
      reasons.push(`encrypted (${layer.name}, ${layer.detail}): GRUB writes through cryptodisk only for LUKS it unlocked itself; not verified`);
      if (canWrite === true) canWrite = null;
    } else if (layer.kind === "multipath" || layer.kind === "device-mapper") {
      reasons.push(`device-mapper (${layer.name}): GRUB does not see this layer; what it writes is not verified`);
      if (canWrite === true) canWrite = null;
    } else if (layer.kind === "loop") {
      reasons.push(`loop device (${layer.detail ?? layer.name}): GRUB will see the disk behind the image, which is unknown here`);
      if (canWrite === true) canWrite = null;
    }
  }
  if (stack.length === 0 && canWrite === true) reasons.push("block device layers not visible (no sysfs entry): LVM/RAID/encryption not ruled out");
  const summary = canWrite === true
    ? "GRUB can update this environment block at boot"
    : canWrite === false
      ? "GRUB cannot update this environment block at boot"
      : "unknown whether GRUB can update this environment block at boot";
  const facts: GrubenvFilesystemFacts = { type, magic, device, stack, grubCanWrite: canWrite, reasons, summary };
  if (mountPoint !== undefined) facts.mountPoint = mountPoint;
  if (source !== undefined) facts.source = source;
  return facts;
}
