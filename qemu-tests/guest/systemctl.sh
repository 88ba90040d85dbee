#!/bin/sh
# /bin/systemctl of the test guest: the two jobs the boot-success service asks systemd for.
# `systemctl reboot` (bootctl-ts-boot-failure.service after marking the entry bad) reboots the
# machine the way systemd would after stopping everything: the ESP is unmounted (or made
# read-only) and synced first, then the VM resets (QEMU exits: -no-reboot). Every call is
# reported on the console as BTQ:SYSTEMCTL=ARGS so the host sees what the service asked for.
echo "BTQ:SYSTEMCTL=$*" >/dev/console
case "$1" in
  reboot|poweroff)
    read u rest </proc/uptime
    echo "BTQ:RESULT=$1 up=$u by=systemctl" >/dev/console
    cd /
    umount /efi 2>/dev/null || { sync; mount -o remount,ro /efi; }
    sync
    if [ "$1" = reboot ]; then reboot -f; else poweroff -f; fi
    while :; do sleep 3600; done ;;
  *)
    echo "systemctl: $1 is not supported in the test guest" >&2
    exit 1 ;;
esac
