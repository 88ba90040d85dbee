/**
 * Where the suite keeps things. Nothing it downloads or builds is written into the tracked tree:
 * - the cache (guest kernel, Node runtime image) lives outside the repository, in
 *   $BOOTCTL_TS_QEMU_CACHE, else $XDG_CACHE_HOME/bootctl-ts-qemu, else ~/.cache/bootctl-ts-qemu,
 *   else <tmpdir>/bootctl-ts-qemu-cache;
 * - per-run work (images, serial logs, transcripts) lives in the gitignored `.qemu-work/` at the
 *   repository root, or in $BOOTCTL_TS_QEMU_WORK.
 */
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export function cacheDir(): string {
  const explicit = process.env["BOOTCTL_TS_QEMU_CACHE"];
  if (explicit) return resolve(explicit);
  const xdg = process.env["XDG_CACHE_HOME"];
  if (xdg) return join(resolve(xdg), "bootctl-ts-qemu");
  const home = homedir();
  if (home && home !== "/") return join(home, ".cache", "bootctl-ts-qemu");
  return join(tmpdir(), "bootctl-ts-qemu-cache");
}

export function workDir(): string {
  const explicit = process.env["BOOTCTL_TS_QEMU_WORK"];
  return explicit ? resolve(explicit) : join(REPO_ROOT, ".qemu-work");
}

/** Shared build products of one run (initramfs, GRUB image, app disk). */
export function assetsDir(): string {
  return join(workDir(), "assets");
}

/** One directory per scenario: disk, VARS, serial logs, transcript. */
export function resultsDir(): string {
  return join(workDir(), "results");
}

/** Firmware and loader binaries from Debian's packages. */
export const OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";
export const OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd";
export const SYSTEMD_BOOT_EFI = "/usr/lib/systemd/boot/efi/systemd-bootx64.efi";
export const BUSYBOX = "/bin/busybox";
