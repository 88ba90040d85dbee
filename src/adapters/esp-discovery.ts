/**
 * Finding the ESP and the XBOOTLDR partition under a root, like bootctl's `find_esp_and_warn()`
 * and `find_xbootldr_and_warn()` (src/shared/find-esp.c), within what an unprivileged library can
 * check:
 *
 * - Explicit `--esp-path`/`--boot-path` (inside the root) win; they must be directories and no
 *   component below the root may be a symbolic link.
 * - Otherwise the ESP is the first of `/efi`, `/boot`, `/boot/efi` that qualifies and XBOOTLDR is
 *   `/boot` when it qualifies and is not the ESP.
 * - "Qualifies": on the running system (root `/`) the directory must be a mount point, and where
 *   udev's database tells the partition type it must be the ESP type
 *   (`c12a7328-f81f-11d2-ba4b-00a0c93ec93b`) resp. XBOOTLDR (`bc13c2ff-59e6-4262-a352-b275fd6f7172`)
 *   (`SYSTEMD_RELAX_ESP_CHECKS=1` / `SYSTEMD_RELAX_XBOOTLDR_CHECKS=1` skip these checks, as in
 *   bootctl). In an image tree (another root) there are no mounts to inspect: a directory
 *   qualifies when it holds `loader/` or `EFI/` (ESP) resp. `loader/` (XBOOTLDR).
 * - An ESP and XBOOTLDR that are the same directory, or (auto-detected) the same file system,
 *   are one: XBOOTLDR is dropped.
 */
import { readFileSync, statSync, type Stats } from "node:fs";
import * as path from "node:path";
import { BootctlError, errnoOf, hasErrno } from "../errors.ts";
import { confine, normaliseRoot, refuseSymlinksSync } from "./root-path.ts";
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

function statDir(root: string, inRoot: string): { abs: string; st: Stats } | undefined {
  const abs = confine(root, inRoot.replace(/^\/+/, ""));
  refuseSymlinksSync(root, abs);
  let st: Stats;
  try {
    st = statSync(abs);
  } catch (err) {
    if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") return undefined;
    throw err;
  }
  return st.isDirectory() ? { abs, st } : undefined;
}

function partition(abs: string, inRoot: string, st: Stats): BootPartition {
  const p: BootPartition = { path: abs, inRoot: inRoot.startsWith("/") ? inRoot : "/" + inRoot, dev: st.dev, ino: st.ino };
  const type = udevPartitionType(st.dev);
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

function qualifies(root: string, found: { abs: string; st: Stats }, kind: "esp" | "xbootldr", relax: boolean): boolean {
  if (normaliseRoot(root) !== "/") {
    const has = (name: string) => statDirQuiet(path.join(found.abs, name));
    return kind === "esp" ? has("loader") || has("EFI") : has("loader");
  }
  if (relax) return true;
  if (!isMountPoint(found.abs)) return false;
  const type = udevPartitionType(found.st.dev);
  if (type === undefined) return true;
  return type === (kind === "esp" ? ESP_TYPE_GUID : XBOOTLDR_TYPE_GUID);
}

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
  if (!found) throw new BootctlError("E_NO_BOOT_PARTITION", `${flag} ${given}: no such directory under ${normaliseRoot(root)}`);
  return partition(found.abs, given, found.st);
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

  if (options.espPath !== undefined) esp = explicit(root, options.espPath, "--esp-path");
  else {
    for (const candidate of ["/efi", "/boot", "/boot/efi"]) {
      const found = statDir(root, candidate);
      if (found && qualifies(root, found, "esp", relaxEsp)) {
        esp = partition(found.abs, candidate, found.st);
        break;
      }
    }
  }
  if (options.bootPath !== undefined) xbootldr = explicit(root, options.bootPath, "--boot-path");
  else {
    const found = statDir(root, "/boot");
    if (found && qualifies(root, found, "xbootldr", relaxXbootldr) && found.abs !== esp?.path) {
      xbootldr = partition(found.abs, "/boot", found.st);
    }
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
