/**
 * The test initramfs: busybox-static with its applet links, the kernel modules the guest needs
 * (virtio-blk, vfat, efivarfs are modules in Debian's kernels, none built in; ext4 is built into
 * the cloud kernel), the /init from guest/init.sh, a `systemctl` stand-in (guest/systemctl.sh), and the mount points and merged-/usr links that
 * let the host's unmodified /usr/bin/node run from the runtime disk.
 * About 1.3 MB gzipped; built once per run.
 */
import { readFile, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { writeNewc, type CpioMember } from "./cpio.ts";
import { execText } from "./exec.ts";
import { initScript, SYSTEMCTL_SCRIPT_PATH } from "./guest-init.ts";
import { modulesInLoadOrder, type GuestKernel } from "./kernel.ts";
import { BUSYBOX } from "./paths.ts";

/** Loaded at start, in dependency order: the ESP disk, FAT with its code pages, efivarfs. */
export const BASE_MODULES = ["virtio_pci", "virtio_blk", "vfat", "nls_cp437", "nls_ascii", "efivarfs"] as const;
/** Loaded by the hang-wd step only (the cloud kernel has no i6300esb). */
export const WATCHDOG_MODULES = ["softdog"] as const;

export interface InitramfsInfo {
  path: string;
  bytes: number;
  modules: string[];
}

export async function buildInitramfs(kernel: GuestKernel, outPath: string): Promise<InitramfsInfo> {
  const base = await modulesInLoadOrder(kernel, BASE_MODULES);
  const watchdog = (await modulesInLoadOrder(kernel, WATCHDOG_MODULES)).filter((m) => !base.some((b) => b.name === m.name));
  const applets = (await execText(BUSYBOX, ["--list"]))
    .split("\n")
    .map((a) => a.trim())
    // `busybox --list` names busybox itself: linking it would replace the binary with a self-link.
    .filter((a) => a !== "" && a !== "busybox" && /^[\w.[-]+$/.test(a));

  const members: CpioMember[] = [];
  for (const dir of ["bin", "dev", "etc", "proc", "sys", "tmp", "run", "efi", "mnt", "mnt/rt", "usr", "app", "lib", "lib/modules"]) {
    members.push({ kind: "dir", path: dir, mode: dir === "tmp" ? 0o1777 : 0o755 });
  }
  members.push({ kind: "chardev", path: "dev/console", major: 5, minor: 1 });
  members.push({ kind: "chardev", path: "dev/null", major: 1, minor: 3, mode: 0o666 });
  // Merged-/usr links: the dynamic loader and glibc of the bind-mounted /usr are found where an
  // unmodified host binary expects them, so /proc/self/exe stays /usr/bin/node.
  members.push({ kind: "symlink", path: "lib64", target: "usr/lib64" });
  members.push({ kind: "symlink", path: "lib/x86_64-linux-gnu", target: "../usr/lib/x86_64-linux-gnu" });
  members.push({ kind: "file", path: "bin/busybox", data: await readFile(BUSYBOX), mode: 0o755 });
  for (const applet of applets) members.push({ kind: "symlink", path: `bin/${applet}`, target: "busybox" });
  members.push({ kind: "symlink", path: "sbin", target: "bin" });
  for (const m of [...base, ...watchdog]) {
    members.push({ kind: "file", path: `lib/modules/${m.name}.ko`, data: await readFile(m.path) });
  }
  members.push({ kind: "file", path: "lib/modules/base.order", data: base.map((m) => m.name).join("\n") + "\n" });
  members.push({ kind: "file", path: "lib/modules/watchdog.order", data: watchdog.map((m) => m.name).join("\n") + "\n" });
  members.push({ kind: "file", path: "init", data: await initScript(), mode: 0o755 });
  // systemd's `systemctl reboot`, as the boot-failure service calls it (guest/systemctl.sh).
  members.push({ kind: "file", path: "bin/systemctl", data: await readFile(SYSTEMCTL_SCRIPT_PATH), mode: 0o755 });

  const archive = gzipSync(writeNewc(members), { level: 6 });
  await writeFile(outPath, archive);
  return { path: outPath, bytes: archive.length, modules: base.map((m) => m.name) };
}
