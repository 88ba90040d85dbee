/**
 * A machine installed the way Debian installs a boot loader, once per image and loader, and kept
 * read-only for every scenario of that loader ("variant"): the base image (as a qcow2 overlay)
 * and a fresh ESP are booted once with QEMU's direct kernel boot (no loader on the disk yet),
 * and the guest runs the distribution's own installation steps:
 *
 * - systemd-boot: systemd-boot's postinst as on its first installation (`bootctl install`, then
 *   `kernel-install add` of every installed kernel, which runs bootctl-ts's plugin with
 *   /etc/kernel/tries = 3);
 * - grub: `grub-install --removable --no-nvram` (Debian's signed shim and GRUB, as grub-install
 *   picks them when shim-signed and grub-efi-amd64-signed are installed), the kernel's entry
 *   through kernel-install (see VARIANT_SCRIPTS), and `update-grub`, which runs bootctl-ts's
 *   generators /etc/grub.d/09_bootctl_counting and 20_bootctl-ts (told where the entries are by
 *   GRUB_BOOTCTL_TS_ARGS: without it, `grub render` in the booted system looked on the ESP only
 *   and rendered no entry, while the generator said "Adding Boot Loader Specification entries").
 *
 * Cached in <image dir>/variant-<name>-<key>/: root.qcow2 (backed by the image's root.raw),
 * esp.raw, the provisioning boot's console log and journal.
 */
import { createHash } from "node:crypto";
import { chmod, copyFile, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildCached } from "../cache-build.ts";
import { createEspDisk } from "../disk.ts";
import { SuiteError } from "../errors.ts";
import { exec } from "../exec.ts";
import { describeEnd, Machine, markerValue } from "../qemu.ts";
import { OVMF_CODE } from "../paths.ts";
import { formatEntry, readGuestPaths, readJournalDir } from "./journal.ts";
import { ROOT_FS_UUID, type GuestImage, type RootLayout } from "./image.ts";

export type LoaderName = "systemd-boot" | "grub";
/**
 * A loader's installed system, or (`+updated`) that system after its first boot (the installed
 * kernel counted and blessed) in which the release's update kernel was installed with dpkg -i:
 * the starting point of the scenarios that are about what follows an update, so that they do
 * not each pay for an installation under TCG.
 */
export type VariantName = LoaderName | `${LoaderName}+updated`;

export const ESP_MIB = 256;

/**
 * The guest's provisioning steps (run by btq-action with `set -e`). GRUB on Debian: Debian's
 * kernel hooks call kernel-install only from systemd-boot's zz-systemd-boot (when systemd-boot is
 * installed on the ESP), so a GRUB machine gets its Boot Loader Specification entries, and a
 * new kernel its trial, only through a hook that calls kernel-install before zz-update-grub
 * renders the menu: /etc/kernel/postinst.d/zz-bootctl-ts (named to sort between the two), plus
 * the entry-token directory /boot/<machine-id> that makes kernel-install pick /boot with the BLS
 * layout. The bootctl-ts package ships no such hook (yet); this is the administrator's part.
 */
export const VARIANT_SCRIPTS: Record<LoaderName, string> = {
  "systemd-boot": `mark "PROVISION=systemd-boot"
# As on systemd-boot's first installation: bootctl install, then kernel-install add of every kernel
# (dpkg's environment for a maintainer script, which dpkg-maintscript-helper reads).
DPKG_MAINTSCRIPT_PACKAGE=systemd-boot DPKG_MAINTSCRIPT_NAME=postinst /var/lib/dpkg/info/systemd-boot.postinst configure
ls -lR /boot/efi
`,
  grub: `mark "PROVISION=grub"
mkdir -p /etc/default/grub.d
cat >/etc/default/grub.d/btq.cfg <<'CFG'
GRUB_TIMEOUT=0
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX="console=ttyS0 panic=1"
# 20_bootctl-ts: the entries are in /boot/loader/entries ($BOOT), not on the ESP.
export GRUB_BOOTCTL_TS_ARGS="--boot-path=/boot"
CFG
# kernel-install: Boot Loader Specification entries in /boot (without this, systemd 257's
# kernel-install takes the ESP as $BOOT and, finding no entry-token directory there, the
# "other" layout, in which no plugin writes an entry).
printf 'layout=bls\nBOOT_ROOT=/boot\n' >/etc/kernel/install.conf
mkdir -p "/boot/$(cat /etc/machine-id)" /boot/loader/entries
cat >/etc/kernel/postinst.d/zz-bootctl-ts <<'HOOK'
#!/bin/sh
# Boot Loader Specification entry (and boot counting) for a new kernel through kernel-install,
# before zz-update-grub renders the menu.
set -e
command -v kernel-install >/dev/null || exit 0
exec kernel-install add "$1" "$2"
HOOK
cat >/etc/kernel/postrm.d/zz-bootctl-ts <<'HOOK'
#!/bin/sh
set -e
command -v kernel-install >/dev/null || exit 0
exec kernel-install remove "$1"
HOOK
chmod 755 /etc/kernel/postinst.d/zz-bootctl-ts /etc/kernel/postrm.d/zz-bootctl-ts
grub-install --target=x86_64-efi --efi-directory=/boot/efi --no-nvram --removable
update-grub
for k in /boot/vmlinuz-*; do /etc/kernel/postinst.d/zz-bootctl-ts "\${k#/boot/vmlinuz-}" "$k"; done
update-grub
ls -lR /boot/efi /boot/loader || true
cat /boot/grub/grubenv
grep -c "^menuentry --id='bls:" /boot/grub/grub.cfg
`,
};

/** The snapshot a btrfs variant's installed entry boots, and where the snapshots are (openSUSE's names). */
export const BTRFS_FIRST_SNAPSHOT = "@/.snapshots/1/snapshot";

/**
 * A btrfs image's first steps, before the loader's (run from the top-level subvolume, where
 * mkfs.btrfs --rootdir put the tree): the subvolume layout openSUSE's installer, snapper and
 * transactional-update use (openSUSE's "Btrfs subvolumes" and snapper's documentation):
 * `@`, `@/.snapshots` (snapper's, one `@/.snapshots/N/snapshot` per snapshot), `@/var` (not
 * part of any snapshot: logs and state survive a rollback; so the journal of a failed
 * snapshot's boot is still there after the fallback), and snapshot 1, a snapshot of the
 * installed system, which mounts `@/var` and `@/.snapshots` by fstab. The kernel command line
 * (/etc/kernel/cmdline, which kernel-install gives every entry) boots snapshot 1 by
 * `rootflags=subvol=`, as sdbootutil's entries do. Unlike MicroOS, snapshots stay writable (no
 * read-only root with an /etc overlay: Debian's systemd units expect a writable /etc) and the
 * top-level subvolume still holds the tree it was made from (mkfs.btrfs 6.2 cannot make
 * subvolumes). The ids of the subvolumes are reported (BTRFS_SUBVOL markers) for the host,
 * which reads the journal out of `@/var` with btrfs restore.
 */
const BTRFS_SNAPSHOT_SCRIPT = `mark "PROVISION=btrfs snapshots"
btrfs subvolume create /@
btrfs subvolume create /@/.snapshots
btrfs subvolume create /@/var
cp -a --reflink=always /var/. /@/var/
# This boot's journal stays where it is being written (the top level's /var, read from there).
find /@/var/log/journal -type f -delete
sed -i 's|$| rootfstype=btrfs rootflags=subvol=${BTRFS_FIRST_SNAPSHOT}|' /etc/kernel/cmdline
mkdir /@/.snapshots/1
btrfs subvolume snapshot / /@/.snapshots/1/snapshot
S=/@/.snapshots/1/snapshot
# A snapshot does not descend into subvolumes: @ is an empty directory in it; its /var is
# replaced by the @/var mount.
rmdir "$S/@"
find "$S/var" -mindepth 1 -delete
mkdir "$S/.snapshots"
cat >>"$S/etc/fstab" <<'FSTAB'
UUID=${ROOT_FS_UUID}  /var         btrfs  subvol=/@/var         0 0
UUID=${ROOT_FS_UUID}  /.snapshots  btrfs  subvol=/@/.snapshots  0 0
FSTAB
cat "$S/etc/fstab" /etc/kernel/cmdline
btrfs subvolume list /
for s in @/var @/.snapshots ${BTRFS_FIRST_SNAPSHOT}; do
  mark "BTRFS_SUBVOL=$s $(btrfs subvolume show "/$s" | sed -n 's/^[[:space:]]*Subvolume ID:[[:space:]]*//p')"
done
`;

export interface Variant {
  image: GuestImage;
  name: VariantName;
  dir: string;
  /** qcow2 over the image's root.raw, read-only: what every scenario's overlay reads through to. */
  overlay: string;
  /** The ESP after installation (raw GPT disk, partition "ESP" at 1 MiB), read-only: scenarios copy it. */
  esp: string;
  /** The NVRAM after installation (bootctl install adds "Linux Boot Manager"), read-only: scenarios copy it. */
  vars: string;
  /** Where the host finds guest paths on the root (btrfs: the subvolumes the installed system mounts). */
  layout: RootLayout;
  built: boolean;
  provisionMs: number;
}

/** The variant a `+updated` variant starts from. */
export function parentOf(name: VariantName): LoaderName | undefined {
  return name.endsWith("+updated") ? (name.slice(0, -"+updated".length) as LoaderName) : undefined;
}

/**
 * Provisions `name` (from `parent`, the variant `parentOf(name)` names, for a `+updated` one).
 * One caller per variant at a time: two concurrent builds of one variant share its .partial
 * directory (assets.ts hands out one promise per variant, parents included).
 */
export async function provisionVariant(image: GuestImage, name: VariantName, log: (line: string) => void, parent?: Variant): Promise<Variant> {
  if ((parentOf(name) === undefined) !== (parent === undefined) || (parent && parent.name !== parentOf(name))) {
    throw new SuiteError("E_QEMU_PROVISION", `variant ${name} needs ${parentOf(name) ?? "no parent"}, was given ${parent?.name ?? "none"}`);
  }
  const script = parent
    ? `mark "PROVISION=update"\ndpkg -i ${image.updateDebInGuest}\n`
    : `${image.rootFs === "btrfs" ? BTRFS_SNAPSHOT_SCRIPT : ""}${VARIANT_SCRIPTS[name as LoaderName]}`;
  // btrfs: the layout's version too (variant.json keeps the mount points of the subvolumes).
  const key = createHash("sha256").update(JSON.stringify({ v: 1, script, esp: ESP_MIB, parent: parent?.dir, ...(image.rootFs === "btrfs" ? { layout: 2 } : {}) })).digest("hex").slice(0, 12);
  const dir = join(image.dir, `variant-${name}-${key}`);
  const describe = (built: boolean, provisionMs: number, layout: RootLayout): Variant => ({ image, name, dir, overlay: join(dir, "root.qcow2"), esp: join(dir, "esp.raw"), vars: join(dir, "OVMF_VARS.fd"), layout, built, provisionMs });
  let provisionMs = 0;
  // The overlay names its backing file by absolute path; the directory moves, the backing does not.
  const built = await buildCached(dir, async (partial) => {
    const t0 = Date.now();
    log(`${image.tree.os.name}: ${parent ? `${name}: first boot of the installed system, dpkg -i ${image.update.package}` : `installing ${name}`} (provisioning boot)`);
    const overlay = join(partial, "root.qcow2");
    if (parent) await exec("qemu-img", ["create", "-q", "-f", "qcow2", "-b", parent.overlay, "-F", "qcow2", overlay]);
    else await exec("qemu-img", ["create", "-q", "-f", "qcow2", "-b", image.raw, "-F", "raw", overlay]);
    const espPath = join(partial, "esp.raw");
    if (parent) {
      await copyFile(parent.esp, espPath);
      await chmod(espPath, 0o644);
    } else await createEspDisk(espPath, partial, { espMiB: ESP_MIB });
    await writeFile(join(partial, "script.sh"), script);
    const machine = await Machine.create({
      dir: partial, disk: espPath, bus: "nvme", memoryMiB: 1024, timeoutMs: 400_000, prefix: "provision-",
      extraDrives: [{ file: overlay, format: "qcow2" }],
      ...(parent ? { firmware: { code: OVMF_CODE, varsTemplate: parent.vars } } : {}),
    });
    const result = await machine.boot({
      // The installed system boots through its loader; the installation itself, before there is one, directly.
      ...(parent ? {} : { kernel: { image: image.vmlinuz, append: image.directCmdline, ...(image.initrd ? { initrd: image.initrd } : {}) } }),
      fwCfg: [{ name: "opt/btq/script", file: join(partial, "script.sh") }],
    });
    const journalDir = join(partial, "journal");
    // The provisioning boot ran from the image's root as built (btrfs: the top-level subvolume).
    await readGuestPaths(overlay, ["/var/log/journal"], journalDir, partial, parent ? parent.layout : { fs: image.rootFs });
    const journal = await readJournalDir(journalDir);
    const lines = [...journal.boots.values()].flat().map(formatEntry);
    await writeFile(join(partial, "provision.journal.txt"), lines.join("\n") + "\n");
    await rm(journalDir, { recursive: true, force: true });
    const rc = markerValue(result, "SCRIPT_RC")?.split(" ")[0];
    if (result.timedOut || result.exitCode !== 0 || rc !== "0") {
      throw new SuiteError("E_QEMU_PROVISION", `${image.tree.os.name} ${name}: the provisioning boot failed (${describeEnd(result)}, script exit ${rc ?? "not reached"}); see ${partial}/provision-boot-1.console.txt and provision.journal.txt`);
    }
    const layout: RootLayout = parent ? parent.layout : { fs: image.rootFs, ...(image.rootFs === "btrfs" ? { subvolumes: btrfsSubvolumes(result.markers.filter((mk) => mk.key === "BTRFS_SUBVOL").map((mk) => mk.value), name) } : {}) };
    await rename(machine.vars, join(partial, "OVMF_VARS.fd"));
    await chmod(join(partial, "OVMF_VARS.fd"), 0o444);
    await chmod(overlay, 0o444);
    await chmod(espPath, 0o444);
    provisionMs = Date.now() - t0;
    await writeFile(join(partial, "variant.json"), JSON.stringify({ name, key, provisionMs, bootMs: result.durationMs, layout }, null, 2) + "\n");
  }, { stamp: "variant.json", log, keepFailed: true });
  const info = JSON.parse(await readFile(join(dir, "variant.json"), "utf8")) as { provisionMs: number; layout?: RootLayout };
  if (!built) provisionMs = info.provisionMs;
  return describe(built, provisionMs, info.layout ?? { fs: image.rootFs });
}

/** The mount points of the btrfs variant's subvolumes, from the guest's BTRFS_SUBVOL markers ("PATH ID"). */
function btrfsSubvolumes(values: readonly string[], name: string): Record<string, number> {
  const ids = new Map<string, number>();
  for (const value of values) {
    const m = /^(\S+) (\d+)\s*$/.exec(value);
    if (m?.[1] && m[2]) ids.set(m[1], Number(m[2]));
  }
  const root = ids.get(BTRFS_FIRST_SNAPSHOT);
  const v = ids.get("@/var");
  const snapshots = ids.get("@/.snapshots");
  if (root === undefined || v === undefined || snapshots === undefined) throw new SuiteError("E_QEMU_PROVISION", `btrfs ${name}: the provisioning boot reported no subvolume ids for ${BTRFS_FIRST_SNAPSHOT}, @/var and @/.snapshots`);
  // "/" is the installed system's root, snapshot 1 (what a scenario reads /etc or /boot's siblings from).
  return { "/": root, "/var": v, "/.snapshots": snapshots };
}
