/**
 * The real operating systems the suite boots: Debian 12 (bookworm) and Debian 13 (trixie, the
 * current stable), built from Debian's packages with mmdebstrap (minbase), systemd as PID 1.
 *
 * One package list per release serves every scenario of that release: both boot loaders'
 * packages are installed (Debian's hooks only act on the one the ESP has: zz-systemd-boot on
 * `bootctl is-installed`, zz-update-grub on /boot/grub/grub.cfg), the signed shim and GRUB for
 * Secure Boot, btrfs-progs for the snapshot scenarios.
 */

export type GuestOsId = "debian12" | "debian13";

export interface GuestOs {
  id: GuestOsId;
  /** For transcripts: "Debian 12 (bookworm)". */
  name: string;
  suite: string;
  /** The packages mmdebstrap adds to minbase (their dependencies come along). */
  packages: readonly string[];
  /** Node's version must be at least this (the bootctl-ts package's Depends: nodejs (>= 18.19)). */
  minNode: string;
}

/** What every guest release gets. */
const COMMON_PACKAGES = [
  "systemd", "systemd-sysv", "udev", // PID 1, udev for the ESP's device unit
  "linux-image-cloud-amd64", // the kernel Debian ships for VMs (NVMe and ext4 built in, LZ4)
  "nodejs", // bootctl-ts runs on Debian's Node
  "e2fsprogs", // fsck of the root
  // Debian's minimal initramfs generator in place of initramfs-tools (both provide
  // linux-initramfs-tool): the cloud kernel has NVMe and ext4 built in, and initramfs-tools'
  // mkinitramfs runs about 900 programs per kernel install, 106 s under TCG (measured), plus
  // about 7 s per boot to run its initrd; tiny-initramfs's init is one static C program.
  "tiny-initramfs",
  "systemd-boot", // bootctl, systemd-bless-boot, Debian's zz-systemd-boot kernel hook
  "grub-efi-amd64", // grub-install, update-grub (grub-mkconfig), Debian's zz-update-grub kernel hook
  "shim-signed", "grub-efi-amd64-signed", // Microsoft-signed shim → Debian-signed GRUB (Secure Boot)
  "btrfs-progs", // the snapshot scenarios' root file system
];

export const GUEST_OSES: Record<GuestOsId, GuestOs> = {
  debian12: { id: "debian12", name: "Debian 12 (bookworm)", suite: "bookworm", packages: COMMON_PACKAGES, minNode: "18.19.0" },
  debian13: { id: "debian13", name: "Debian 13 (trixie)", suite: "trixie", packages: COMMON_PACKAGES, minNode: "18.19.0" },
};

/** dpkg path filters: no manuals, documentation or translations in the guest (copyright kept). */
export const DPKG_OPTIONS = [
  "path-exclude=/usr/share/man/*", "path-exclude=/usr/share/doc/*", "path-exclude=/usr/share/locale/*",
  "path-include=/usr/share/doc/*/copyright",
];
