/**
 * Debian chroots for the package test, built with mmdebstrap from Debian's own packages.
 *
 * The tree is made once per (suite, variant, package list, dpkg options) and kept as a tarball
 * outside the repository, in ~/.cache/bootctl-ts-chroots/<suite>-<key>.tar; each test run extracts
 * a fresh copy. The mirror is read from this machine's apt sources when a tree must be built
 * (never written into the repository).
 *
 * Commands run inside with chroot(8) in a private mount namespace (unshare(1)): the tree bound on
 * itself (so grub-probe finds the device of /), /boot bound on itself (a mount point, as bootctl's
 * ESP discovery wants it), /proc, /sys and /dev. The mounts end with the command.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { hostMirror as archiveMirror } from "../../qemu-tests/lib/realos/apt.ts";

export interface ChrootSpec {
  suite: string;
  packages: readonly string[];
  /** apt options for this suite's build (mmdebstrap --aptopt), e.g. the development suite's Valid-Until override. */
  aptOptions?: readonly string[];
}

const VARIANT = "minbase";
const DPKG_OPTIONS = [
  "path-exclude=/usr/share/man/*",
  "path-exclude=/usr/share/locale/*",
  "path-exclude=/usr/share/doc/*",
  "path-include=/usr/share/doc/*/copyright",
];

export const CHROOT_CACHE = path.join(homedir(), ".cache", "bootctl-ts-chroots");

export function chrootKey(spec: ChrootSpec): string {
  // aptOptions joins the key only when given, so the keys of existing caches stay as they were.
  const apt = spec.aptOptions?.length ? { apt: [...spec.aptOptions] } : {};
  const inputs = JSON.stringify({ suite: spec.suite, variant: VARIANT, packages: [...spec.packages].sort(), dpkg: DPKG_OPTIONS, ...apt });
  return `${spec.suite}-${createHash("sha256").update(inputs).digest("hex").slice(0, 16)}`;
}

/**
 * The first Debian mirror URI apt on this machine uses for `suite` (deb822 or one-line sources);
 * for a suite the host does not track (Debian 13 or the development suite on a Debian 12 host),
 * the URI of its main (not security) archive, which carries every suite.
 */
export function hostMirror(suite: string): string {
  // The QEMU suite's reading of the host's sources gives the main archive (realos/apt.ts); it
  // throws when the host has none.
  return mirrorOf(suite) ?? archiveMirror().debian;
}

function mirrorOf(suite: string): string | undefined {
  const files: string[] = [];
  if (existsSync("/etc/apt/sources.list")) files.push("/etc/apt/sources.list");
  const dir = "/etc/apt/sources.list.d";
  if (existsSync(dir)) for (const name of readdirSync(dir).sort()) files.push(path.join(dir, name));
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".sources")) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "mi").exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
        if (field("Types").includes("deb") && field("Suites").includes(suite) && field("URIs")[0]) return field("URIs")[0]!;
      }
    } else if (file.endsWith(".list")) {
      for (const line of text.split("\n")) {
        const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
        if (m && m[2] === suite) return m[1]!;
      }
    }
  }
  return undefined;
}

/** The cached tarball for `spec`, built first when missing. Returns its path and whether it was built now. */
export function cachedChrootTarball(spec: ChrootSpec): { tarball: string; built: boolean } {
  const tarball = path.join(CHROOT_CACHE, `${chrootKey(spec)}.tar`);
  if (existsSync(tarball)) return { tarball, built: false };
  mkdirSync(CHROOT_CACHE, { recursive: true });
  const partial = `${tarball}.partial-${process.pid}`;
  const r = spawnSync("mmdebstrap", [
    `--variant=${VARIANT}`, "--mode=root", "--quiet",
    `--include=${spec.packages.join(",")}`,
    ...DPKG_OPTIONS.map((o) => `--dpkgopt=${o}`),
    ...(spec.aptOptions ?? []).map((o) => `--aptopt=${o}`),
    "--format=tar", spec.suite, partial, hostMirror(spec.suite),
  ], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) {
    rmSync(partial, { force: true });
    throw new Error(`mmdebstrap ${spec.suite} failed (exit ${r.status}): ${r.stderr.trim().split("\n").slice(-5).join(" | ")}`);
  }
  renameSync(partial, tarball);
  return { tarball, built: true };
}

export function extractChroot(tarball: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync("tar", ["-xf", tarball, "-C", dir], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tar -xf ${tarball}: ${r.stderr}`);
}

export interface ChrootResult {
  status: number;
  stdout: string;
  stderr: string;
}

const MOUNTS = 'set -e; C="$1"; shift; mount --bind "$C" "$C"; mount --bind "$C/boot" "$C/boot"; '
  + 'mount -t proc proc "$C/proc"; mount -t sysfs sysfs "$C/sys"; mount --rbind /dev "$C/dev"; exec chroot "$C" "$@"';

/** Run argv inside the chroot (see above), with a plain root environment plus `env`. */
export function inChroot(dir: string, argv: readonly string[], env: Record<string, string> = {}): ChrootResult {
  const r = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", MOUNTS, "sh", dir, ...argv], {
    encoding: "utf8",
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8", HOME: "/root", DEBIAN_FRONTEND: "noninteractive", ...env },
    maxBuffer: 64 << 20,
  });
  return { status: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Remove an extracted chroot, refusing while anything is still mounted below it. */
export function removeChroot(dir: string): void {
  const mounted = readFileSync("/proc/self/mountinfo", "utf8").split("\n").some((line) => {
    const point = line.split(" ")[4];
    return point !== undefined && (point === dir || point.startsWith(dir + "/"));
  });
  if (mounted) throw new Error(`${dir} still has mounts; not removing it`);
  rmSync(dir, { recursive: true, force: true });
}
