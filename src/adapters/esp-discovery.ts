/**
 * Finding the ESP and the XBOOTLDR partition under a root, like bootctl's `find_esp_and_warn()`
 * and `find_xbootldr_and_warn()` (src/shared/find-esp.c), within what an unprivileged library can
 * check:
 *
 * - Explicit `--esp-path`/`--boot-path` (inside the root) win; they must be directories.
 * - Otherwise the ESP is the first of `/efi`, `/boot`, `/boot/efi` that qualifies and XBOOTLDR is
 *   `/boot` when it qualifies and is not the ESP.
 * - Symbolic links on the way to a partition (`/boot/efi` -> `../efi`) are followed inside the
 *   root as bootctl's `chase()` follows them; one that leads out of the root is refused
 *   (root-path.ts `followLinksInRoot`). Below the partition no link is followed.
 * - "Qualifies": on the running system (root `/`) the directory must be a mount point, an ESP must
 *   be a FAT file system (statfs f_type MSDOS_SUPER_MAGIC, as find-esp.c's verify_esp() checks:
 *   an ext4 `/boot` of a Fedora-style GRUB system is XBOOTLDR, never the ESP), and where
 *   udev's database tells the partition type it must be the ESP type
 *   (`c12a7328-f81f-11d2-ba4b-00a0c93ec93b`) resp. XBOOTLDR (`bc13c2ff-59e6-4262-a352-b275fd6f7172`)
 *   (`SYSTEMD_RELAX_ESP_CHECKS=1` / `SYSTEMD_RELAX_XBOOTLDR_CHECKS=1` skip these checks, as in
 *   bootctl). In an image tree (another root) there are no mounts to inspect: the ESP is the
 *   first candidate that holds `EFI/` (where firmware looks for loaders); when none does, the
 *   first that holds `loader/` (kernel-install's layout before a loader is installed), except a
 *   `/boot` beside GRUB's directory (`/boot/grub`, `/boot/grub2`): that is the `$BOOT` of a GRUB
 *   system (Fedora's ext4 `/boot` with its `loader/entries`), XBOOTLDR, not an ESP. XBOOTLDR
 *   qualifies when it holds `loader/`.
 * - An ESP and XBOOTLDR that are the same directory, or (auto-detected) the same file system,
 *   are one: XBOOTLDR is dropped.
 */
import { readFileSync, statfsSync, statSync, type Stats } from "node:fs";
import * as path from "node:path";
import { BootctlError, errnoOf, hasErrno } from "../errors.ts";
import { confine, followLinksInRoot, normaliseRoot, rootPathHint, underRoot } from "./root-path.ts";
import { ESP_TYPE_GUID, XBOOTLDR_TYPE_GUID } from "../formats/efi/guids.ts";


export interface BootPartition {
  /** Absolute path on this machine. */
  path: string;
  /** The path inside the root (what the user sees, e.g. `/boot/efi`). */
  inRoot: string;
  dev: number;
  ino: number;
  /** Partition type GUID when known (udev database), else undefined. */
  partitionType?: string;
}

export interface DiscoveredPartitions {
  esp: BootPartition | undefined;
  xbootldr: BootPartition | undefined;
  warnings: string[];
}

export interface DiscoveryOptions {
  root: string;
  espPath?: string | undefined;
  bootPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

interface FoundDir {
  abs: string;
  /** The resolved path inside the root. */
  inRoot: string;
  st: Stats;
}

function statDir(root: string, inRoot: string): FoundDir | undefined {
  const base = normaliseRoot(root);
  const abs = followLinksInRoot(base, confine(base, inRoot.replace(/^\/+/, "")));
  let st: Stats;
  try {
    st = statSync(abs);
  } catch (err) {
    if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") return undefined;
    throw err;
  }
  if (!st.isDirectory()) return undefined;
  const rel = path.relative(base, abs);
  return { abs, inRoot: "/" + rel.split(path.sep).join("/"), st };
}

function partition(found: FoundDir): BootPartition {
  const p: BootPartition = { path: found.abs, inRoot: found.inRoot, dev: found.st.dev, ino: found.st.ino };
  const type = udevPartitionType(found.st.dev);
  if (type !== undefined) p.partitionType = type;
  return p;
}

/** ID_PART_ENTRY_TYPE from udev's database for a device number, when readable. */
function udevPartitionType(dev: number): string | undefined {
  // Linux dev_t encoding (glibc gnu_dev_major/minor); JS shifts are 32-bit, hence the divisions.
  const major = (Math.floor(dev / 0x100) & 0xfff) | (Math.floor(dev / 0x100000000) & ~0xfff);
  const minor = (dev & 0xff) | (Math.floor(dev / 0x1000) & ~0xff);
  try {
    const db = readFileSync(`/run/udev/data/b${major}:${minor}`, "utf8");
    const m = /^E:ID_PART_ENTRY_TYPE=(.*)$/m.exec(db);
    return m ? m[1]!.toLowerCase() : undefined;
  } catch (err) {
    if (hasErrno(err, "ENOENT", "EACCES")) return undefined; // no udev database: the type is unknown
    throw err;
  }
}

/** True when `abs` is a mount point (per /proc/self/mountinfo). */
function isMountPoint(abs: string): boolean {
  try {
    const info = readFileSync("/proc/self/mountinfo", "utf8");
    return info.split("\n").some((line) => {
      const mountPoint = line.split(" ")[4];
      return mountPoint !== undefined && mountPoint.replace(/\\040/g, " ") === abs;
    });
  } catch (err) {
    if (hasErrno(err, "ENOENT")) return false; // no /proc (a chroot without it)
    throw err;
  }
}

/** statfs f_type of FAT file systems (linux/magic.h MSDOS_SUPER_MAGIC), the only one an ESP may have. */
const MSDOS_SUPER_MAGIC = 0x4d44;

function isFat(abs: string): boolean {
  return statfsSync(abs).type === MSDOS_SUPER_MAGIC;
}

function qualifies(found: FoundDir, kind: "esp" | "xbootldr", relax: boolean): boolean {
  if (relax) return true;
  if (!isMountPoint(found.abs)) return false;
  if (kind === "esp" && !isFat(found.abs)) return false;
  const type = udevPartitionType(found.st.dev);
  if (type === undefined) return true;
  return type === (kind === "esp" ? ESP_TYPE_GUID : XBOOTLDR_TYPE_GUID);
}

/** The ESP of an image tree (see the header): EFI/ first, else loader/ but not a GRUB system's /boot. */
function imageEsp(root: string): FoundDir | undefined {
  const found = ESP_CANDIDATES.map((c) => ({ candidate: c, dir: statDir(root, c) }));
  const withEfi = found.find((f) => f.dir && statDirQuiet(path.join(f.dir.abs, "EFI")));
  if (withEfi) return withEfi.dir;
  const grubSystem = ["/boot/grub", "/boot/grub2"].some((g) => statDir(root, g) !== undefined);
  const withLoader = found.find((f) => f.dir && statDirQuiet(path.join(f.dir.abs, "loader")) && !(grubSystem && f.candidate === "/boot"));
  return withLoader?.dir;
}

const ESP_CANDIDATES = ["/efi", "/boot", "/boot/efi"] as const;

function statDirQuiet(abs: string): boolean {
  try {
    return statSync(abs).isDirectory();
  } catch (err) {
    if (hasErrno(err, "ENOENT", "ENOTDIR")) return false;
    throw err;
  }
}

function explicit(root: string, given: string, flag: string): BootPartition {
  const found = statDir(root, given);
  if (!found) throw new BootctlError("E_NO_BOOT_PARTITION", `${flag} ${given}: no such directory${underRoot(root) || " under /"}${rootPathHint(root, given)}`);
  return partition(found);
}

export function discoverBootPartitions(options: DiscoveryOptions): DiscoveredPartitions {
  const env = options.env ?? process.env;
  const relaxEsp = /^(1|yes|y|true|t|on)$/i.test(env.SYSTEMD_RELAX_ESP_CHECKS ?? "");
  const relaxXbootldr = /^(1|yes|y|true|t|on)$/i.test(env.SYSTEMD_RELAX_XBOOTLDR_CHECKS ?? "");
  const warnings: string[] = [];
  const root = options.root;
  let esp: BootPartition | undefined;
  let xbootldr: BootPartition | undefined;
  const auto = options.espPath === undefined && options.bootPath === undefined;

  const image = normaliseRoot(root) !== "/";
  if (options.espPath !== undefined) esp = explicit(root, options.espPath, "--esp-path");
  else if (image) {
    const found = imageEsp(root);
    if (found) esp = partition(found);
  } else {
    for (const candidate of ESP_CANDIDATES) {
      const found = statDir(root, candidate);
      if (found && qualifies(found, "esp", relaxEsp)) {
        esp = partition(found);
        break;
      }
    }
  }
  if (options.bootPath !== undefined) xbootldr = explicit(root, options.bootPath, "--boot-path");
  else {
    const found = statDir(root, "/boot");
    const ok = found && (image ? statDirQuiet(path.join(found.abs, "loader")) : qualifies(found, "xbootldr", relaxXbootldr));
    if (found && ok && found.abs !== esp?.path) xbootldr = partition(found);
  }
  if (esp?.partitionType !== undefined && esp.partitionType !== ESP_TYPE_GUID && !relaxEsp) {
    warnings.push(`${esp.inRoot}: partition type ${esp.partitionType} is not the EFI System Partition type`);
  }
  if (esp && xbootldr) {
    const sameDir = esp.dev === xbootldr.dev && esp.ino === xbootldr.ino;
    const sameFs = auto && normaliseRoot(root) === "/" && esp.dev === xbootldr.dev;
    if (sameDir || sameFs) xbootldr = undefined;
  }
  return { esp, xbootldr, warnings };
}
