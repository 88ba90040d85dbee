/**
 * The real tools of three Debian generations, as oracles for the differential tests:
 *
 *   debian12  bookworm  systemd 252, GRUB 2.06   the host itself (CI runs Debian 12)
 *   debian13  trixie    systemd 257, GRUB 2.12   a chroot
 *   sid       sid       systemd 262, GRUB 2.14   a chroot (the development suite)
 *
 * A chroot is built once with mmdebstrap from Debian's packages (test/package/debian-chroot.ts:
 * the tarball cached in ~/.cache/bootctl-ts-chroots/, keyed by suite and package list), and
 * extracted once beside it into `<key>.d/` (qemu-tests/lib/cache-build.ts: one builder at a time
 * across processes, the directory whole or absent). Tools run in it with chroot(8) in a private
 * mount namespace, with the test's own directories bound into it at the same paths, so a path a
 * test passes means the same file inside (as the brief's recipe for a newer bootctl says).
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildCached } from "../../qemu-tests/lib/cache-build.ts";
import { CHROOT_CACHE, cachedChrootTarball, chrootKey, extractChroot, type ChrootSpec } from "../package/debian-chroot.ts";

export type Generation = "debian12" | "debian13" | "sid";

export interface GenerationInfo {
  id: Generation;
  suite: string;
  /** What the suite ships, for test names; the tests read the real version from the tool. */
  systemd: string;
  grub: string;
  /** apt.conf lines for this suite only (mmdebstrap --aptopt writes each into apt.conf.d, so apt.conf syntax: `Name "value"`); the development suite's metadata is past Valid-Until. */
  aptOptions: readonly string[];
}

export const GENERATIONS: readonly GenerationInfo[] = [
  { id: "debian12", suite: "bookworm", systemd: "252", grub: "2.06", aptOptions: [] },
  { id: "debian13", suite: "trixie", systemd: "257", grub: "2.12", aptOptions: [] },
  { id: "sid", suite: "sid", systemd: "262", grub: "2.14", aptOptions: ['Acquire::Check-Valid-Until "false"'] },
];

export function generation(id: Generation): GenerationInfo {
  return GENERATIONS.find((g) => g.id === id)!;
}

/** The host runs Debian 12: its tools are that generation's (the suites install them there). */
function isHost(id: Generation): boolean {
  return id === "debian12";
}

const STAMP = ".bootctl-ts-extracted";

/**
 * The root of `id`'s tools with `packages` installed: "/" for the host's generation, else the
 * extracted chroot (built and extracted on first use; later calls and other processes reuse it).
 */
export async function referenceRoot(id: Generation, packages: readonly string[]): Promise<string> {
  if (isHost(id)) return "/";
  const info = generation(id);
  const spec: ChrootSpec = { suite: info.suite, packages, aptOptions: info.aptOptions };
  const dir = path.join(CHROOT_CACHE, `${chrootKey(spec)}.d`);
  await buildCached(dir, async (partial) => {
    const { tarball } = cachedChrootTarball(spec);
    extractChroot(tarball, partial);
    writeFileSync(path.join(partial, STAMP), `${info.suite}\n`);
  }, { stamp: STAMP });
  return dir;
}

export interface ReferenceResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface ReferenceRunOptions {
  env?: Record<string, string>;
  /** Host directories (absolute) bound into the chroot at the same path; the host's run ignores it. */
  binds?: readonly string[];
  input?: string | Buffer;
  encoding?: "utf8" | "latin1";
}

// In a private mount namespace: each bind target created in the chroot, bound (read-write) at the
// same path, then /proc, /sys and /dev, then chroot. The mounts end with the command.
const RUN = 'set -e; C="$1"; n="$2"; shift 2; i=0; while [ "$i" -lt "$n" ]; do d="$1"; shift; '
  + 'mkdir -p "$C$d"; mount --bind "$d" "$C$d"; i=$((i+1)); done; '
  + 'mount -t proc proc "$C/proc"; mount -t sysfs sysfs "$C/sys"; mount --rbind /dev "$C/dev"; exec chroot "$C" "$@"';

/** argv run by `root`'s tools (from referenceRoot): directly on the host, else in the chroot. */
export function runReference(root: string, argv: readonly string[], options: ReferenceRunOptions = {}): ReferenceResult {
  const env = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8", HOME: "/root", ...options.env };
  const common = { encoding: options.encoding ?? "utf8", input: options.input, maxBuffer: 256 << 20 } as const;
  const r = root === "/"
    ? spawnSync(argv[0]!, argv.slice(1), { ...common, env: { ...process.env, ...options.env } })
    : spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", RUN, "sh", root, String(options.binds?.length ?? 0), ...(options.binds ?? []), ...argv], { ...common, env });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Whether `root` has `file` (an absolute path inside it): e.g. to tell that a tool is shipped. */
export function referenceHas(root: string, file: string): boolean {
  return existsSync(path.join(root, file));
}
