#!/bin/sh
# /init of the bootctl-ts QEMU test guest. The contract (command line, steps, markers, disks)
# is documented in qemu-tests/lib/guest-init.ts; keep the two in step.
export PATH=/bin:/usr/bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
set -f  # words from the command line are never glob-expanded
mark() { echo "BTQ:$1"; }
up() { read u rest </proc/uptime; echo "$u"; }
mark "INIT_START=$(up)"

T_entry=unknown
T_do=poweroff
for w in $(cat /proc/cmdline); do
  case "$w" in
    test.entry=*) T_entry=${w#test.entry=} ;;
    test.do=*) T_do=${w#test.do=} ;;
  esac
done

while read -r m; do
  insmod "/lib/modules/$m.ko" || mark "STEP_ERROR=insmod $m"
done </lib/modules/base.order
mount -t efivarfs efivarfs /sys/firmware/efi/efivars || mark "STEP_ERROR=efivarfs"

LOADER_GUID=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
EFI_GLOBAL_GUID=8be4df61-93ca-11d2-aa0d-00e098032b8c
efistr() { f=/sys/firmware/efi/efivars/$1-$2; [ -f "$f" ] && tail -c +5 "$f" | tr -d '\000'; }
efiu16() { f=/sys/firmware/efi/efivars/$1-$2; [ -f "$f" ] && tail -c +5 "$f" | od -An -tx2 | tr -d ' \n'; }

mark "BOOTED=$T_entry"
mark "LOADER_ENTRY_SELECTED=$(efistr LoaderEntrySelected $LOADER_GUID)"
mark "LOADER_BOOT_COUNT_PATH=$(efistr LoaderBootCountPath $LOADER_GUID)"
mark "LOADER_ENTRY_ONESHOT=$(efistr LoaderEntryOneShot $LOADER_GUID)"
mark "LOADER_ENTRY_DEFAULT=$(efistr LoaderEntryDefault $LOADER_GUID)"
mark "BOOT_CURRENT=$(efiu16 BootCurrent $EFI_GLOBAL_GUID)"

waitdev() { i=0; while [ ! -b "$1" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; [ -b "$1" ]; }
ESP_RW=0
if waitdev /dev/vda1 && mount -t vfat -o ro /dev/vda1 /efi; then mark "ESP=mounted"; else mark "ESP=missing"; fi
need_rw() {
  [ "$ESP_RW" = 1 ] && return 0
  mount -o remount,rw /efi && ESP_RW=1
}
NODE_OK=0
need_node() {
  [ "$NODE_OK" = 1 ] && return 0
  waitdev /dev/vdb && mount -t ext4 -o ro /dev/vdb /mnt/rt && mount -o bind /mnt/rt/usr /usr \
    && waitdev /dev/vdc && mount -t ext4 -o ro /dev/vdc /app || { mark "STEP_ERROR=node runtime disks"; return 1; }
  NODE_OK=1
  mark "NODE_READY=$(up)"
}
bootctl_ts() { need_node && need_rw && /usr/bin/node /app/dist/cli.cjs "$@"; }

finish() {
  mark "RESULT=$1 up=$(up)"
  cd /
  umount /app /usr /mnt/rt 2>/dev/null
  umount /efi 2>/dev/null || { sync; mount -o remount,ro /efi; }
  sync
}


step_node_version() {
  need_node || return 1
  mark "NODE_VERSION=$(/usr/bin/node --version 2>&1)"
  mark "CLI_VERSION=$(/usr/bin/node /app/dist/cli.cjs --version 2>&1) up=$(up)"
}

# Runs one bootctl-ts program (cli.cjs or service.cjs) with Node; its output becomes CLI_OUT lines.
# CLI_BEGIN names the program and its arguments, CLI_RC ends the run. With BTQ_CUT set (the clicut
# step), the power-cut hook (qemu-tests/guest/powercut-hook.cjs) is preloaded.
run_node_program() {
  prog=$1; shift
  need_node && need_rw || return 1
  mark "CLI_BEGIN=$prog $* up=$(up)"
  if [ -n "$BTQ_CUT" ]; then
    BTQ_CUT="$BTQ_CUT" /usr/bin/node --require /app/qemu/powercut-hook.cjs "/app/dist/$prog" "$@" >/tmp/cli.out 2>&1
  else
    /usr/bin/node "/app/dist/$prog" "$@" >/tmp/cli.out 2>&1
  fi
  rc=$?
  while IFS= read -r l; do mark "CLI_OUT=$l"; done </tmp/cli.out
  mark "CLI_RC=$rc"
  return $rc
}

step_cli() { run_node_program cli.cjs "$@"; }

# What the boot-success units do (src/service/units.ts): bootctl-ts-health.service runs the
# checks before boot-complete.target; when it succeeds, bootctl-ts-bless.service marks the boot
# good; when it fails, OnFailure= starts bootctl-ts-boot-failure.service (on-failure), which may
# reboot through systemctl.
step_boot_complete() {
  if run_node_program service.cjs health; then
    mark "BOOT_COMPLETE=reached"
    run_node_program service.cjs mark-good
  else
    mark "BOOT_COMPLETE=health-failed"
    run_node_program service.cjs on-failure
  fi
}
step_svc() { run_node_program service.cjs "$@"; }

# The power-cut variant: the cut point comes from /efi/bootctl-test/cut.txt (written by the host
# before the boot), e.g. "before:rename:1"; "none" or no file runs without a cut.
step_clicut() {
  spec=none
  [ -f /efi/bootctl-test/cut.txt ] && spec=$(cat /efi/bootctl-test/cut.txt)
  mark "CUT_SPEC=$spec"
  if [ "$spec" = none ]; then run_node_program cli.cjs "$@"; else BTQ_CUT=$spec run_node_program cli.cjs "$@"; fi
}

# Installs a required health check (the service's /etc/bootctl-ts/checks/required.d/NAME in the
# guest's root, the initramfs) that exits with RC.
step_check() {
  mkdir -p /etc/bootctl-ts/checks/required.d
  printf '#!/bin/sh\necho "check %s exits %s"\nexit %s\n' "$1" "$2" "$2" >"/etc/bootctl-ts/checks/required.d/$1"
  chmod 755 "/etc/bootctl-ts/checks/required.d/$1"
  mark "CHECK_INSTALLED=$1 rc=$2"
}

# A system that fails its first boot only: when /efi/bootctl-test/NAME exists it is removed and
# the guest reboots before anything marks the boot good; otherwise nothing happens.
step_fail_once() {
  f=/efi/bootctl-test/$1
  if [ -f "$f" ]; then
    need_rw && rm -f "$f" && sync
    mark "FAIL_ONCE=$1"
    finish reboot
    reboot -f
    while :; do sleep 3600; done
  fi
  mark "FAIL_ONCE=passed"
}

step_hang_wd() {
  while read -r m; do
    if [ "$m" = softdog ]; then insmod /lib/modules/softdog.ko soft_margin="$1"; else insmod "/lib/modules/$m.ko"; fi
  done </lib/modules/watchdog.order
  exec 3>/dev/watchdog
  finish "hang-wd"
  while :; do sleep 3600; done
}

# Split the step list on ',' (and a step's arguments on ':'); globbing is off (set -f above).
IFS_SAVE=$IFS
IFS=,
set -- $T_do
IFS=$IFS_SAVE
for step in "$@"; do
  name=${step%%:*}
  args=""
  [ "$name" != "$step" ] && args=${step#*:}
  case "$name" in
    poweroff) finish poweroff; poweroff -f ;;
    reboot) finish reboot; reboot -f ;;
    panic) finish panic; echo 1 >/proc/sys/kernel/sysrq; echo c >/proc/sysrq-trigger ;;
    hang) finish hang; while :; do sleep 3600; done ;;
    freeze) mark "FROZEN=$(up)"; while :; do sleep 3600; done ;;
    hang-wd) step_hang_wd "$args" ;;
    node-version) step_node_version ;;
    cli) IFS=:; set -- $args; IFS=$IFS_SAVE; step_cli "$@" ;;
    svc) IFS=:; set -- $args; IFS=$IFS_SAVE; step_svc "$@" ;;
    clicut) IFS=:; set -- $args; IFS=$IFS_SAVE; step_clicut "$@" ;;
    check) IFS=:; set -- $args; IFS=$IFS_SAVE; step_check "$@" ;;
    fail-once) step_fail_once "$args" ;;
    boot-complete) step_boot_complete ;;
    script)
      s=/efi/bootctl-test/$args.sh
      if [ -f "$s" ]; then . "$s"; mark "SCRIPT_RC=$?"; else mark "STEP_ERROR=no script $s"; fi ;;
    *) mark "STEP_ERROR=unknown step $step" ;;
  esac
done
finish poweroff
poweroff -f
