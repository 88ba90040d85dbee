/**
 * What every scenario shares in one run, prepared once and on first use: the guest kernel
 * (cached), the initramfs, the GRUB image, and the Node runtime and app disks (only when a
 * scenario boots Node). Concurrent scenarios await the same promises.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { buildStandaloneGrub } from "./grub.ts";
import { buildInitramfs, type InitramfsInfo } from "./initramfs.ts";
import { guestKernel, type GuestKernel } from "./kernel.ts";
import { appImage, nodeDrives, nodeRuntime, type NodeRuntime } from "./node-runtime.ts";
import { assetsDir } from "./paths.ts";
import type { Drive } from "./qemu.ts";
import { realOsAssets, type RealOsAssets } from "./realos/assets.ts";

export interface Assets {
  kernel: GuestKernel;
  initramfs: InitramfsInfo;
  /** The standalone GRUB EFI image. */
  grubEfi(): Promise<string>;
  /** Extra drives for boots that run Node in the guest. */
  nodeDrives(): Promise<Drive[]>;
  nodeRuntime(): Promise<NodeRuntime>;
  /** Real Debian guests (built and installed on first use, cached across runs). */
  realos: RealOsAssets;
}

export type AssetLog = (line: string) => void;

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= make());
}

async function timed<T>(log: AssetLog, what: string, make: () => Promise<T>, describe: (value: T) => string): Promise<T> {
  const t0 = Date.now();
  const value = await make();
  log(`${what}: ${describe(value)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return value;
}

export async function prepareAssets(log: AssetLog): Promise<Assets> {
  const dir = assetsDir();
  await mkdir(dir, { recursive: true });
  const kernel = await timed(log, "guest kernel", guestKernel, (k) =>
    `${k.package} ${k.version} (${k.release}) in ${k.dir}${k.fromCacheOnly ? " [mirror unreachable: cached copy]" : ""}`);
  const initramfs = await timed(log, "initramfs", () => buildInitramfs(kernel, join(dir, "initrd.img")), (i) =>
    `${(i.bytes / 1e6).toFixed(2)} MB, modules ${i.modules.join(" ")}`);
  const grubEfi = once(() => timed(log, "GRUB image", () => buildStandaloneGrub(join(dir, "grubx64.efi"), dir), (p) => p));
  const runtime = once(() => timed(log, "Node runtime disk", nodeRuntime, (r) => `${r.nodeVersion} ${r.built ? "built" : "cached"}: ${r.image}`));
  const app = once(() => timed(log, "app disk", () => appImage(join(dir, "app.img"), dir), (p) => p));
  return {
    kernel,
    initramfs,
    grubEfi,
    nodeRuntime: runtime,
    nodeDrives: once(async () => nodeDrives(await runtime(), await app())),
    realos: realOsAssets(log),
  };
}
