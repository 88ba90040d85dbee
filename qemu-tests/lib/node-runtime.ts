/**
 * Node.js inside the guest (measured: the fastest of an initramfs, 9p, virtiofs and a disk): the host's own
 * /usr/bin/node with its glibc libraries and e2fsprogs' chattr/lsattr (efivarfs files are
 * immutable; busybox-static has no chattr), laid out as a merged-/usr tree on a read-only ext4
 * disk made by `mke2fs -d` (no mount, no loop device). The cloud kernel has ext4 built in.
 *
 * Two disks: the runtime (about 140 MB, cached outside the repository and keyed by the node
 * binary, so it is built once per Node version) and the app (dist/ of this checkout, a few MB,
 * built each run). Boots that do not run Node do not attach them and pay nothing.
 */
import { createHash } from "node:crypto";
import { existsSync, realpathSync } from "node:fs";
import { copyFile, cp, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { SuiteError } from "./errors.ts";
import { POWERCUT_HOOK_PATH } from "./guest-init.ts";
import { exec, execText } from "./exec.ts";
import { cacheDir, REPO_ROOT } from "./paths.ts";
import type { Drive } from "./qemu.ts";

const TOOLS = ["/usr/bin/chattr", "/usr/bin/lsattr"];
const MKE2FS = "mke2fs";

async function librariesOf(binaries: readonly string[]): Promise<string[]> {
  const libs = new Set<string>();
  for (const bin of binaries) {
    const out = await execText("ldd", [bin]);
    for (const line of out.split("\n")) {
      const m = /=>\s+(\/\S+)/.exec(line);
      if (m?.[1]) libs.add(m[1]);
    }
  }
  return [...libs].sort();
}

async function dirMiB(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return Math.ceil(bytes / (1024 * 1024));
}

async function makeExt4(tree: string, image: string, label: string): Promise<void> {
  // 20 % slack plus room for metadata; no journal (the disk is only ever read).
  const size = Math.max(8, Math.ceil((await dirMiB(tree)) * 1.2) + 16);
  await rm(image, { force: true });
  await exec(MKE2FS, ["-q", "-t", "ext4", "-O", "^has_journal", "-L", label, "-d", tree, "-F", image, `${size}M`]);
}

export interface NodeRuntime {
  image: string;
  nodeVersion: string;
  /** True when this run built the image (false: reused from the cache). */
  built: boolean;
}

/** The runtime disk for the host's node, from the cache or built now. */
export async function nodeRuntime(): Promise<NodeRuntime> {
  const node = realpathSync(process.execPath);
  const st = await stat(node);
  const key = createHash("sha256")
    .update(JSON.stringify([node, st.size, st.mtimeMs, process.version, ...TOOLS]))
    .digest("hex")
    .slice(0, 16);
  const root = join(cacheDir(), "node-runtime");
  const image = join(root, `node-${process.version}-${key}.img`);
  if (existsSync(image)) return { image, nodeVersion: process.version, built: false };
  await mkdir(root, { recursive: true });
  const tree = join(root, `tree-${key}`);
  await rm(tree, { recursive: true, force: true });
  const usrBin = join(tree, "usr", "bin");
  const usrLib = join(tree, "usr", "lib", "x86_64-linux-gnu");
  const usrLib64 = join(tree, "usr", "lib64");
  for (const d of [usrBin, usrLib, usrLib64]) await mkdir(d, { recursive: true });
  await copyFile(node, join(usrBin, "node"));
  for (const tool of TOOLS) {
    if (!existsSync(tool)) throw new SuiteError("E_QEMU_NODE", `${tool} is missing (package e2fsprogs)`);
    await copyFile(tool, join(usrBin, basename(tool)));
  }
  for (const lib of await librariesOf([node, ...TOOLS])) await copyFile(lib, join(usrLib, basename(lib)));
  await copyFile("/lib64/ld-linux-x86-64.so.2", join(usrLib64, "ld-linux-x86-64.so.2"));
  const partial = `${image}.partial`;
  await makeExt4(tree, partial, "noderuntime");
  await rename(partial, image);
  await rm(tree, { recursive: true, force: true });
  return { image, nodeVersion: process.version, built: true };
}

/** The app disk: this checkout's dist/ (the built bundles) at /dist and the power-cut hook at /qemu, mounted as /app in the guest. */
export async function appImage(outPath: string, scratchDir: string): Promise<string> {
  const dist = join(REPO_ROOT, "dist");
  if (!existsSync(join(dist, "cli.cjs"))) throw new SuiteError("E_QEMU_NODE", "dist/cli.cjs is missing: run `node scripts/build.mjs` first");
  const tree = join(scratchDir, "app-tree");
  await rm(tree, { recursive: true, force: true });
  await mkdir(tree, { recursive: true });
  // Timestamps kept: the code cache is only used for the bundle it was made for (size, mtime).
  await cp(dist, join(tree, "dist"), { recursive: true, preserveTimestamps: true });
  // The suite's own guest-side Node code (the power-cut hook), at /app/qemu.
  await mkdir(join(tree, "qemu"), { recursive: true });
  await copyFile(POWERCUT_HOOK_PATH, join(tree, "qemu", "powercut-hook.cjs"));
  await makeExt4(tree, outPath, "bootctlapp");
  await rm(tree, { recursive: true, force: true });
  return outPath;
}

/** The extra drives of a boot that runs Node: runtime as /dev/vdb, app as /dev/vdc. */
export function nodeDrives(runtime: NodeRuntime, app: string): Drive[] {
  return [
    { file: runtime.image, readonly: true },
    { file: app, readonly: true },
  ];
}
