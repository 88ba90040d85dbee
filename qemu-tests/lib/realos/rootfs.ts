/**
 * The root tree of a guest release: `mmdebstrap --variant=minbase --include=… --format=directory`
 * from the release's main archive (its security and point updates are what the update scenarios
 * install later), cached under <cache>/realos/tree-<os>-<key>/root/ where the key hashes every input
 * (suite, mirror lines, package list, dpkg options). About 25 s on a quiet machine,
 * 3–4 min when other jobs load both cores; a cached tree costs nothing.
 *
 * The tree itself is never changed: images are made from a copy (image.ts).
 */
import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildCached } from "../cache-build.ts";
import { SuiteError } from "../errors.ts";
import { exec } from "../exec.ts";
import { cacheDir } from "../paths.ts";
import { hostMirror } from "./apt.ts";
import { DPKG_OPTIONS, type GuestOs } from "./guest-os.ts";

/** Next to the tree (not in it: the tree is copied into images as it is). */
const STAMP = "tree.json";

export interface RootTree {
  os: GuestOs;
  dir: string;
  key: string;
  /** The kernel release the tree boots (uname -r), e.g. 6.1.0-50-cloud-amd64. */
  kernelRelease: string;
  /** Its binary package and version, e.g. linux-image-6.1.0-50-cloud-amd64 6.1.176-1. */
  kernelPackage: string;
  kernelVersion: string;
  nodeVersion: string;
  built: boolean;
  buildMs: number;
}

export function realosCache(): string {
  return join(cacheDir(), "realos");
}

function mmdebstrapArgs(os: GuestOs, mirrorLine: string, out: string): string[] {
  return [
    "--variant=minbase", `--include=${os.packages.join(",")}`,
    ...DPKG_OPTIONS.map((o) => `--dpkgopt=${o}`),
    "--format=directory", os.suite, out, mirrorLine,
  ];
}

/** dpkg's status of one package in a tree ("" when not installed). */
export async function treePackageVersion(tree: string, name: string): Promise<string> {
  const status = await readFile(join(tree, "var/lib/dpkg/status"), "utf8");
  for (const stanza of status.split("\n\n")) {
    if (new RegExp(`^Package: ${name.replace(/[.+]/g, "\\$&")}$`, "m").test(stanza) && /^Status: install ok installed$/m.test(stanza)) {
      return /^Version: (\S+)$/m.exec(stanza)?.[1] ?? "";
    }
  }
  return "";
}

async function describe(os: GuestOs, dir: string, key: string, built: boolean, buildMs: number): Promise<RootTree> {
  const boot = await readdir(join(dir, "boot"));
  const image = boot.find((f) => f.startsWith("vmlinuz-"));
  if (!image) throw new SuiteError("E_QEMU_REALOS", `${dir}/boot holds no kernel`);
  const kernelRelease = image.slice("vmlinuz-".length);
  const kernelPackage = `linux-image-${kernelRelease}`;
  return {
    os, dir, key, kernelRelease, kernelPackage,
    kernelVersion: await treePackageVersion(dir, kernelPackage),
    nodeVersion: await treePackageVersion(dir, "nodejs"),
    built, buildMs,
  };
}

/** The release's root tree, from the cache or built now. */
export async function rootTree(os: GuestOs, log: (line: string) => void): Promise<RootTree> {
  const mirror = hostMirror();
  const mirrorLine = `deb ${mirror.debian} ${os.suite} main`;
  const key = createHash("sha256").update(JSON.stringify({ v: 1, args: mmdebstrapArgs(os, mirrorLine, "OUT") })).digest("hex").slice(0, 16);
  const root = realosCache();
  const base = join(root, `tree-${os.id}-${key}`);
  const dir = join(base, "root");
  let buildMs = 0;
  const built = await buildCached(base, async (partial) => {
    log(`${os.name}: mmdebstrap ${os.packages.join(" ")} (not cached yet)`);
    const t0 = Date.now();
    await exec("mmdebstrap", mmdebstrapArgs(os, mirrorLine, join(partial, "root")));
    buildMs = Date.now() - t0;
    await writeFile(join(partial, STAMP), JSON.stringify({ os: os.id, key, builtAt: new Date().toISOString(), buildMs }) + "\n");
  }, { stamp: STAMP, log });
  if (!built) return describe(os, dir, key, false, 0);
  return describe(os, dir, key, true, buildMs);
}
