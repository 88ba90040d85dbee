#!/bin/bash
# Turns a Debian root tree made by mmdebstrap into the QEMU suite's guest system (run on the
# host as root, on a copy of the cached tree; no mounts, no loop devices). Environment:
#   BTQ_MACHINE_ID   the fixed machine id (mmdebstrap leaves /etc/machine-id empty: every boot
#                    would be a first boot with a new id and a new journal directory)
#   BTQ_ROOT_FSTYPE  ext4 or btrfs (the fstab line for /)
#   BTQ_BOOT_PARTITION  1: /boot is a partition of its own (label "boot")
#   BTQ_ROOT_UUID    the root file system's UUID (the entries' root=UUID=: tiny-initramfs finds
#                    the root by UUID, not by partition label)
#   BTQ_GUEST_DIR    this directory (the units and scripts below are copied from it)
# Everything here is a setting a user could make on a real machine: masks of units the test
# machine has no use for (they only cost time under TCG), the test's own units, a journal on disk.
# The distribution's components (systemd, udev, kernel-install, update-grub, the kernel hooks)
# are left as Debian ships them.
set -euo pipefail
R=${1:?usage: customize.sh ROOT}
G=${BTQ_GUEST_DIR:?}

echo "${BTQ_MACHINE_ID:?}" >"$R/etc/machine-id"
echo guest >"$R/etc/hostname"
mkdir -p "$R/boot/efi" "$R/var/log/journal"
# Disks by partition label only: the two NVMe controllers probe asynchronously, so
# nvme0n1/nvme1n1 can swap from boot to boot.
case "${BTQ_ROOT_FSTYPE:-ext4}" in
  ext4) echo "PARTLABEL=root  /  ext4  rw,errors=remount-ro  0 1" >"$R/etc/fstab" ;;
  btrfs) echo "PARTLABEL=root  /  btrfs  rw  0 0" >"$R/etc/fstab" ;;
esac
# /boot on a partition of its own when the disk has one (lib/realos/image.ts says why).
if [ "${BTQ_BOOT_PARTITION:-0}" = 1 ]; then
  echo "PARTLABEL=boot  /boot  ext4  rw  0 2" >>"$R/etc/fstab"
fi
# The ESP where Debian mounts it; automounted so local-fs.target does not wait for udev to
# find it (the first access, e.g. by bless-boot or kernel-install, mounts it).
echo "PARTLABEL=ESP  /boot/efi  vfat  umask=0077,noauto,x-systemd.automount  0 2" >>"$R/etc/fstab"

# QEMU's -cpu qemu64 advertises SVM: udev would load kvm_amd, which fails under TCG.
printf 'blacklist kvm_amd\nblacklist kvm\n' >"$R/etc/modprobe.d/btq-no-kvm.conf"
# fw_cfg: the host's per-boot instructions (opt/btq/*) without touching any disk.
echo qemu_fw_cfg >"$R/etc/modules-load.d/btq.conf"

# Generators and units a headless test machine has no use for (about 4 s per boot under TCG).
# Kept: fstab, debug (systemd.mask=), run, bless-boot, getty is masked below with its units.
mkdir -p "$R/etc/systemd/system-generators"
for g in cryptsetup gpt-auto hibernate-resume integritysetup rc-local system-update sysv veritysetup getty ssh tpm2; do
  ln -sfn /dev/null "$R/etc/systemd/system-generators/systemd-$g-generator"
done
for u in dev-hugepages.mount dev-mqueue.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
  sys-fs-fuse-connections.mount sys-kernel-config.mount modprobe@configfs.service modprobe@dm_mod.service \
  modprobe@efi_pstore.service modprobe@fuse.service modprobe@loop.service modprobe@drm.service systemd-pstore.service \
  e2scrub_reap.service getty.target serial-getty@ttyS0.service getty@tty1.service apt-daily.timer \
  apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer systemd-tmpfiles-clean.timer \
  systemd-sysusers.service systemd-update-utmp.service systemd-update-utmp-runlevel.service systemd-binfmt.service \
  proc-sys-fs-binfmt_misc.automount systemd-boot-system-token.service systemd-boot-random-seed.service \
  systemd-tpm2-setup-early.service systemd-tpm2-setup.service systemd-pcrmachine.service \
  systemd-pcrphase.service systemd-pcrphase-sysinit.service systemd-pcrfs-root.service tpm2.target \
  systemd-firstboot.service systemd-networkd-wait-online.service; do
  ln -sfn /dev/null "$R/etc/systemd/system/$u"
done
ln -sfn /lib/systemd/system/multi-user.target "$R/etc/systemd/system/default.target"

# The test's own units and scripts (see each file).
install -d "$R/usr/local/lib/btq" "$R/etc/bootctl-ts/checks/required.d"
install -m 0755 "$G/btq-report" "$G/btq-action" "$G/btq-lib.sh" "$R/usr/local/lib/btq/"
install -m 0755 "$G/btq-check" "$R/etc/bootctl-ts/checks/required.d/50-btq-check"
install -m 0644 "$G/btq-report.service" "$G/btq-action.service" "$R/etc/systemd/system/"
systemctl --root="$R" --quiet enable btq-report.service btq-action.service

# Boot counting for every kernel kernel-install adds (kernel-install(8): /etc/kernel/tries), and
# the command line of its entries (/etc/kernel/cmdline). panic=1: a kernel that panics resets
# the machine (QEMU then exits: -no-reboot) instead of hanging until the host's timeout.
echo 3 >"$R/etc/kernel/tries"
echo "root=UUID=${BTQ_ROOT_UUID:?} rw console=ttyS0 quiet panic=1" >"$R/etc/kernel/cmdline"
# No processor microcode packages in the guest: nothing for tiny-initramfs to add.
if [ -f "$R/etc/tiny-initramfs/tiny-initramfs.conf" ]; then
  sed -i 's/^MICROCODE=.*/MICROCODE=no/' "$R/etc/tiny-initramfs/tiny-initramfs.conf"
fi
