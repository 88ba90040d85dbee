/**
 * A guest release's base disk: the cached root tree, customised (qemu-tests/guest/realos/
 * customize.sh), with the bootctl-ts package installed by `dpkg -i` inside it (its maintainer
 * scripts run: deb-systemd-helper with the package's preset, dpkg-divert of systemd's
 * kernel-install plugin) and the update kernel's .deb placed at /var/cache/btq/, written as an
 * ext4 file system into a GPT partition labelled "root" of a sparse raw file by `mke2fs -d` (no
 * loop device, no mount). Cached under <cache>/realos/image-<os>-<key>/ keyed by the tree, the
 * customisation files, the package's content and the update kernel; made read-only, since every
 * machine's qcow2 overlay reads through to it.
 */
import { createHash } from "node:crypto";
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildCached, isBeingBuilt } from "../cache-build.ts";
import { exec } from "../exec.ts";
import { REPO_ROOT } from "../paths.ts";
import type { BootctlDeb } from "./package-deb.ts";
import { realosCache, treePackageVersion, type RootTree } from "./rootfs.ts";
import type { UpdateKernel } from "./update-kernel.ts";

export const GUEST_DIR = join(REPO_ROOT, "qemu-tests", "guest", "realos");
/** The guests' machine id (fixed: see customize.sh). It starts with a digit, as 10 in 16 do. */
export const MACHINE_ID = "5d1e0c2f8a7b4e6d9c3b2a1f0e9d8c7b";
export const ROOT_FS_UUID = "0f6d2c4e-3b1a-4c5d-9e8f-7a6b5c4d3e2f";
export const BOOT_FS_UUID = "7c3e9a1b-5d2f-4e6a-8b0c-1d2e3f4a5b6c";
const MiB = 1024 * 1024;
const BOOT_MIB = 384;
const ROOT_MIB = 2048;
/**
 * The disk: GPT, partition 1 "boot" (/boot, ext4) at 1 MiB, partition 2 "root" (/, ext4) after
 * it. A separate /boot is the layout Debian's installer makes for GRUB on encrypted or LVM roots;
 * here it is also what bootctl-ts's kernel-install plugin needs today: it writes an entry's
 * `linux`/`initrd` paths relative to $BOOT, which is right only when $BOOT is the root of its own
 * file system (systemd's 90-loaderentry.install strips the mount point instead: a /boot
 * directory on the root file system gets /boot/… paths).
 */
export const BOOT_OFFSET = MiB;
export const ROOT_OFFSET = (1 + BOOT_MIB) * MiB;
export const ROOT_SIZE = ROOT_MIB * MiB;

/** The root file system of an image: ext4 (every scenario but the snapshot ones), or btrfs. */
export type RootFsType = "ext4" | "btrfs";

/**
 * How the host finds a guest path on the root partition: its file system, and on btrfs the
 * subvolumes mounted below / (mount point → subvolume id; a path under none of them is in the
 * top-level subvolume, id 5).
 */
export interface RootLayout {
  fs: RootFsType;
  subvolumes?: Readonly<Record<string, number>>;
}

/** Where a guest path lives on the disk: the boot partition for /boot/…, else the root partition. */
export function partitionOf(path: string): { offset: number; inner: string } {
  if (path === "/boot" || path.startsWith("/boot/")) return { offset: BOOT_OFFSET, inner: path.slice("/boot".length) || "/" };
  return { offset: ROOT_OFFSET, inner: path };
}
/** Where the update kernel's .deb lies in the guest. */
export const GUEST_DEB_DIR = "/var/cache/btq";

export interface GuestImage {
  tree: RootTree;
  key: string;
  dir: string;
  /** The read-only raw disk (GPT: "boot" at BOOT_OFFSET, "root" at ROOT_OFFSET). */
  raw: string;
  /** The tree's kernel, for direct kernel boots (provisioning). */
  vmlinuz: string;
  /** /etc/kernel/cmdline of the image (its loader entries' command line). */
  cmdline: string;
  /** The command line of a direct kernel boot (ext4: no initrd, the kernel finds its root by partition label; btrfs: with `initrd`). */
  directCmdline: string;
  /** The initrd of a direct kernel boot (btrfs roots: the kernel has btrfs as a module); none for ext4. */
  initrd?: string;
  rootFs: RootFsType;
  update: UpdateKernel;
  /** The update kernel's .deb inside the guest. */
  updateDebInGuest: string;
  bootctlVersion: string;
  nodeVersion: string;
  built: boolean;
  buildMs: number;
}

interface ImageInfo {
  key: string;
  cmdline: string;
  updateDebInGuest: string;
  bootctlVersion: string;
  buildMs: number;
}

async function filesKey(dir: string): Promise<string> {
  const hash = createHash("sha256");
  for (const name of (await readdir(dir)).sort()) hash.update(`${name}\0`).update(await readFile(join(dir, name))).update("\0");
  return hash.digest("hex");
}

async function run(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  await exec(command, args, env ? { env: { ...process.env, ...env } } : {});
}

/**
 * Writes `tree` (with its /boot, moved out of it) into a GPT disk image at `raw`: /boot as ext4,
 * the root as ext4 (`mke2fs -d`) or btrfs. For btrfs, `mkfs.btrfs --rootdir` writes the tree into
 * a file of the partition's size (btrfs-progs 6.2 has no offset option, and no --subvol: the tree
 * lands in the top-level subvolume; provision.ts makes the snapshot subvolumes in the guest),
 * which dd then puts at the partition's offset (a plain file copy, sparse, no loop device).
 */
export async function writeRootDisk(tree: string, bootTree: string, raw: string, rootFs: RootFsType = "ext4", scratch = `${raw}.d`): Promise<void> {
  await rm(raw, { force: true });
  await writeFile(raw, "");
  await truncate(raw, (1 + BOOT_MIB + ROOT_MIB + 1) * MiB);
  // Partition types: Linux file system for /boot (not XBOOTLDR: systemd-boot would then look for
  // its entries there, on ext4), root (x86-64) for /.
  await exec("sfdisk", ["-q", raw], {
    input: `label: gpt\nstart=2048, size=${BOOT_MIB}MiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=boot\nsize=${ROOT_MIB}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name=root\n`,
  });
  // The size is required with -E offset (mke2fs would size the fs from the whole file).
  await exec("mke2fs", ["-q", "-t", "ext4", "-L", "boot", "-U", BOOT_FS_UUID, "-E", `offset=${BOOT_OFFSET}`, "-d", bootTree, "-F", raw, `${BOOT_MIB}M`]);
  if (rootFs === "ext4") {
    await exec("mke2fs", ["-q", "-t", "ext4", "-L", "root", "-U", ROOT_FS_UUID, "-E", `offset=${ROOT_OFFSET}`, "-d", tree, "-F", raw, `${ROOT_MIB}M`]);
    return;
  }
  await mkdir(scratch, { recursive: true });
  const part = join(scratch, "root-btrfs.raw");
  await rm(part, { force: true });
  await writeFile(part, "");
  await truncate(part, ROOT_MIB * MiB);
  await exec("mkfs.btrfs", ["-q", "-f", "-L", "root", "-U", ROOT_FS_UUID, "--rootdir", tree, part]);
  await exec("btrfs", ["check", "--readonly", part]);
  await exec("dd", [`if=${part}`, `of=${raw}`, "bs=1M", `seek=${ROOT_OFFSET / MiB}`, "conv=notrunc,sparse", "status=none"]);
  await rm(part, { force: true });
}

/** tiny-initramfs's configuration in a btrfs image (see guestImage). */
const BTRFS_TIRFS_CONF = "# bootctl-ts QEMU test: btrfs root (a module of the cloud kernel)\nAUTO_MODULES=no\nINCLUDE_MODULES=btrfs\nMICROCODE=no\n";

export async function guestImage(tree: RootTree, deb: BootctlDeb, update: UpdateKernel, log: (line: string) => void, rootFs: RootFsType = "ext4"): Promise<GuestImage> {
  const updateDeb = update.deb.slice(update.deb.lastIndexOf("/") + 1);
  // An ext4 image keeps the key it had before btrfs images existed (no rebuild of cached images).
  const inputs = { v: 1, tree: tree.key, guest: await filesKey(GUEST_DIR), deb: deb.contentKey, update: updateDeb, root: [BOOT_MIB, ROOT_MIB, ROOT_FS_UUID, BOOT_FS_UUID, MACHINE_ID], ...(rootFs === "ext4" ? {} : { rootFs, initramfs: BTRFS_TIRFS_CONF }) };
  const key = createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
  const flavour = rootFs === "ext4" ? tree.os.id : `${tree.os.id}-${rootFs}`;
  const dir = join(realosCache(), `image-${flavour}-${key}`);
  const describe = async (info: ImageInfo, built: boolean): Promise<GuestImage> => ({
    tree, key, dir, raw: join(dir, "root.raw"), vmlinuz: join(dir, "vmlinuz"), cmdline: info.cmdline, update, rootFs,
    // tiny-initramfs finds the root by UUID only (its init: "only /dev/, 0xMAJMIN and UUID= are supported").
    directCmdline: rootFs === "ext4" ? "root=PARTLABEL=root rw rootwait console=ttyS0 quiet panic=1" : `root=UUID=${ROOT_FS_UUID} rootfstype=btrfs rw console=ttyS0 quiet panic=1`,
    ...(rootFs === "ext4" ? {} : { initrd: join(dir, "initrd.img") }),
    updateDebInGuest: info.updateDebInGuest, bootctlVersion: info.bootctlVersion, nodeVersion: tree.nodeVersion, built, buildMs: info.buildMs,
  });
  const built = await buildCached(dir, async (partial) => {
    const t0 = Date.now();
    const root = join(partial, "tree");
    log(`${tree.os.name}: building the base image (bootctl-ts ${deb.version}, update kernel ${update.package})`);
    await exec("cp", ["-a", tree.dir, root]);
    await run("bash", [join(GUEST_DIR, "customize.sh"), root], { BTQ_MACHINE_ID: MACHINE_ID, BTQ_GUEST_DIR: GUEST_DIR, BTQ_ROOT_FSTYPE: rootFs, BTQ_ROOT_UUID: ROOT_FS_UUID, BTQ_BOOT_PARTITION: "1" });
    if (rootFs === "btrfs") {
      // Debian's cloud kernel has btrfs as a module (CONFIG_BTRFS_FS=m), so the initrd must load it.
      // tiny-initramfs's automatic detection looks at the running system's / (the host's here), so
      // the module is named as its configuration allows (mktirfs(8): INCLUDE_MODULES, "useful if
      // … one wants to create an image for a different computer"); the guest's later kernels get
      // it too. Then the installed kernel's initrd is made again.
      await mkdir(join(root, "etc", "tiny-initramfs"), { recursive: true });
      await writeFile(join(root, "etc", "tiny-initramfs", "tiny-initramfs.conf"), BTRFS_TIRFS_CONF);
      await run("chroot", [root, "mktirfs", "-o", `/boot/initrd.img-${tree.kernelRelease}`, tree.kernelRelease]);
      await copyFile(join(root, "boot", `initrd.img-${tree.kernelRelease}`), join(partial, "initrd.img"));
    }
    // The package as a user installs it: dpkg -i inside the system (maintainer scripts included).
    await copyFile(deb.path, join(root, "tmp", "bootctl-ts.deb"));
    await run("chroot", [root, "dpkg", "-i", "/tmp/bootctl-ts.deb"]);
    await rm(join(root, "tmp", "bootctl-ts.deb"));
    const bootctlVersion = await treePackageVersion(root, "bootctl-ts");
    await mkdir(join(root, GUEST_DEB_DIR.slice(1)), { recursive: true });
    await copyFile(update.deb, join(root, GUEST_DEB_DIR.slice(1), updateDeb));
    await copyFile(join(root, "boot", `vmlinuz-${tree.kernelRelease}`), join(partial, "vmlinuz"));
    const cmdline = (await readFile(join(root, "etc", "kernel", "cmdline"), "utf8")).trim();
    const bootTree = join(partial, "boot-tree");
    await rename(join(root, "boot"), bootTree);
    await mkdir(join(root, "boot"));
    await mkdir(join(bootTree, "efi"), { recursive: true });
    await writeRootDisk(root, bootTree, join(partial, "root.raw"), rootFs, partial);
    for (const offset of rootFs === "btrfs" ? [BOOT_OFFSET] : [BOOT_OFFSET, ROOT_OFFSET]) await exec("e2fsck", ["-fn", `${join(partial, "root.raw")}?offset=${offset}`]);
    await rm(root, { recursive: true, force: true });
    await rm(bootTree, { recursive: true, force: true });
    await chmod(join(partial, "root.raw"), 0o444);
    const info: ImageInfo & { inputs: typeof inputs } = { inputs, key, cmdline, updateDebInGuest: `${GUEST_DEB_DIR}/${updateDeb}`, bootctlVersion, buildMs: Date.now() - t0 };
    await writeFile(join(partial, "image.json"), JSON.stringify(info, null, 2) + "\n");
  }, { stamp: "image.json", log });
  const info = JSON.parse(await readFile(join(dir, "image.json"), "utf8")) as ImageInfo;
  if (built) await pruneImages(flavour, dir);
  return describe(info, built);
}

/** Keeps the newest few images of a release (each about 0.5 GB); older keys are of older checkouts. */
async function pruneImages(flavour: string, keep: string, count = 3): Promise<void> {
  const root = realosCache();
  // image-debian13-<key> and image-debian13-btrfs-<key> are kept apart (a key is 16 hex digits;
  // DIR.partial and DIR.lock do not match).
  const names = (await readdir(root)).filter((n) => new RegExp(`^image-${flavour}-[0-9a-f]{16}$`).test(n));
  const dirs = [];
  // Another run may be building or using one of them: never the one being built.
  for (const n of names) if (!(await isBeingBuilt(join(root, n)))) dirs.push(join(root, n));
  const dated = await Promise.all(dirs.map(async (d) => ({ d, t: (await stat(d)).mtimeMs })));
  dated.sort((a, b) => b.t - a.t);
  for (const { d } of dated.slice(count)) if (d !== keep) await rm(d, { recursive: true, force: true });
}

