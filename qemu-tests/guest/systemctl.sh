#!/bin/sh
# /bin/systemctl of the test guest: the two jobs the boot-success service asks systemd for.
# `systemctl reboot` (bootctl-ts-boot-failure.service after marking the entry bad) reboots the
# machine the way systemd would after stopping everything: the ESP is unmounted (or made
# read-only) and synced first, then the VM resets (QEMU exits: -no-reboot). Every call is
# reported on the console as BTQ:SYSTEMCTL=ARGS so the host sees what the service asked for.
if [ "$1" = show ]; then
  # A query, not a job, so it is not reported: answered as systemctl(1) answers for units that
  # are not loaded (this guest has no bootctl-ts-checks.target): one block per unit, the asked
  # properties with Id= and LoadState=not-found, the others empty, exit 0.
  props=; units=
  for a in "$@"; do
    case "$a" in --property=*) props=${a#--property=} ;; show|-*) ;; *) units="$units $a" ;; esac
  done
  sep=
  for u in $units; do
    [ -z "$sep" ] || echo; sep=1
    IFS=,
    for p in $props; do
      case "$p" in Id) echo "Id=$u" ;; LoadState) echo "LoadState=not-found" ;; *) echo "$p=" ;; esac
    done
    unset IFS
  done
  exit 0
fi
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
