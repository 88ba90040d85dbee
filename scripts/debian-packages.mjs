// The Debian packages the test suites drive as reference tools, and a check that installs the
// missing ones (as root: `apt-get update` once, then `apt-get install -y --no-install-recommends`).
import { spawnSync } from "node:child_process";

/** Commands our differential tests run, and the package that ships each. */
export const FAST_PACKAGES = [
  "systemd", // systemd-analyze compare-versions
  "grub-common", // grub-editenv, grub-script-check
  "grub-emu", // grub-emu, to see what GRUB boots
  "systemd-boot", // bootctl list --json
  "efibootmgr", // efibootmgr -v on a directory of variables
  "efivar", // efivar -p: the Loader* variables read back after a killed write
  "strace", // fault injection against the real CLI
  "e2fsprogs", // chattr, for efivarfs immutable flags
  "util-linux", // mount --bind for bootctl's ESP checks; unshare for the package test's chroot
  "gdisk", // sgdisk: GPT reader differential, and the disk images of the grub-emu tests
  "mtools", // mformat/mcopy: the FAT images grub-emu boots from
  "ovmf", // OVMF_VARS*.fd: the variable-store reader and writer tests read Debian's images
  "systemd-boot-efi", // systemd-bootx64.efi and linuxx64.efi.stub: PE/UKI reader tests
  "grub-efi-amd64-bin", // grubx64.efi images: PE reader against objdump
  "binutils", // objdump/objcopy: PE reader differential
  "mmdebstrap", // the Debian 12 chroot the .deb is installed into (test/package/deb.test.ts)
  "lintian", // checks the .deb (test/package/deb.test.ts)
  "groff-base", // groff: warnings on bootctl-ts(1) (test/cli/help.test.ts)
  "zsh", // the zsh completion run in zsh (test/cli/help.test.ts)
  "fish", // the fish completion run through fish's complete -C (test/cli/help.test.ts)
  "prometheus-node-exporter", // its textfile collector reads the metrics file (test/differential/prometheus-node-exporter.test.ts)
  "prometheus", // promtool check metrics lints the metrics file (same test)
];

export const QEMU_PACKAGES = ["qemu-system-x86", "dosfstools", "busybox-static"];

export function missingPackages(packages) {
  return packages.filter((name) => {
    const r = spawnSync("dpkg-query", ["-W", "-f=${db:Status-Status}", name], { encoding: "utf8" });
    return r.status !== 0 || r.stdout.trim() !== "installed";
  });
}

/** Installs what is missing, or explains how. Returns true when everything is present. */
export function ensurePackages(packages) {
  const missing = missingPackages(packages);
  if (missing.length === 0) return true;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(" ")}`;
  if (process.getuid?.() !== 0) {
    console.error(`bootctl-ts tests need Debian packages that are missing: ${missing.join(", ")}`);
    console.error(`Run as root: ${command}`);
    return false;
  }
  console.error(`Installing Debian packages for the tests: ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update"], { stdio: "inherit", env });
  if (update.status !== 0) return false;
  const install = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { stdio: "inherit", env });
  return install.status === 0 && missingPackages(missing).length === 0;
}
