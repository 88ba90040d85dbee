/**
 * The Debian packages the QEMU suite drives, and the check that installs the missing ones.
 * The install policy (apt-get as root, an explanation otherwise) is the project's shared one in
 * scripts/debian-packages.mjs; this list adds what the suite needs beyond its QEMU_PACKAGES.
 */
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "./paths.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** Every package the suite runs a program or reads a file from, and what for. */
export const SUITE_PACKAGES: readonly string[] = [
  "qemu-system-x86", // qemu-system-x86_64 (TCG)
  "ovmf", // OVMF_CODE_4M.fd / OVMF_VARS_4M.fd
  "systemd-boot-efi", // systemd-bootx64.efi, copied to the ESP as BOOTX64.EFI
  "grub-efi-amd64-bin", // x86_64-efi modules for grub-mkstandalone
  "grub-common", // grub-mkstandalone, grub-editenv, grub-script-check
  "mtools", // mmd mcopy mren mdel mdir: the ESP without loop devices or mounts
  "dosfstools", // mkfs.vfat --offset, fsck.vfat
  "gdisk", // sgdisk: the GPT on a plain file
  "busybox-static", // the guest initramfs userland
  "e2fsprogs", // mke2fs -d (the Node runtime disk), chattr/lsattr copied into the guest
  "systemd", // systemd-analyze: the reference output for verbs run inside the guest; journalctl --file reads the real guests' journals
  "mmdebstrap", // the real Debian guests' root trees (lib/realos/rootfs.ts)
  "qemu-utils", // qemu-img: qcow2 overlays over the read-only guest images, flattening them to read the disk back
  "fdisk", // sfdisk: the real guests' GPT (boot and root partitions) on a plain file
  "btrfs-progs", // mkfs.btrfs --rootdir (the snapshot scenario's btrfs root), btrfs restore (its journal read back)
  "sbsigntool", // sbsign: UKIs and systemd-boot signed with ovmf's snakeoil key (Secure Boot scenario)
  "openssl", // the snakeoil key's password taken off for sbsign
  "binutils", // objcopy/objdump: unified kernel images on systemd-stub (lib/uki.ts)
];

interface DebianPackagesModule {
  ensurePackages(packages: readonly string[]): boolean;
  missingPackages(packages: readonly string[]): string[];
}

/**
 * Installs the missing packages through the shared helper (root), or prints the command to run.
 * Returns true when every package is present.
 */
export async function ensureSuitePackages(): Promise<boolean> {
  // A computed specifier: the helper is plain JavaScript without type declarations.
  const specifier = pathToFileURL(join(REPO_ROOT, "scripts", "debian-packages.mjs")).href;
  const shared = (await import(specifier)) as DebianPackagesModule;
  return shared.ensurePackages(SUITE_PACKAGES);
}

/** The installed version of a package, for the run header ("" when not installed). */
export function packageVersion(name: string): string {
  const r = spawnSync("dpkg-query", ["-W", "-f=${Version}", name], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : "";
}
