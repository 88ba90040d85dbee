# Shared by the test's guest scripts (sourced). Markers go to the serial console, where the
# host reads them while the machine runs (qemu-tests/lib/serial.ts), and to the journal.
# printf, not echo: dash's echo reads backslashes (LoaderBootCountPath is \loader\entries\…).
mark() {
  printf 'BTQ:%s\n' "$1" >/dev/ttyS0 2>/dev/null || true
  printf 'BTQ:%s\n' "$1"
}
up() { cut -d' ' -f1 /proc/uptime; }
# A value the host passed with -fw_cfg name=opt/btq/NAME (empty when absent).
fwcfg() {
  f=/sys/firmware/qemu_fw_cfg/by_name/opt/btq/$1/raw
  # The module is loaded at boot (modules-load.d/btq.conf); only wait while it is not there yet.
  if [ ! -d /sys/firmware/qemu_fw_cfg ]; then
    modprobe qemu_fw_cfg 2>/dev/null || true
    i=0; while [ ! -d /sys/firmware/qemu_fw_cfg/by_name ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done
  fi
  [ -e "$f" ] && cat "$f"
  return 0
}
LOADER_GUID=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
EFI_GLOBAL_GUID=8be4df61-93ca-11d2-aa0d-00e098032b8c
# efivarfs files cannot seek (tail -c +5 on them fails with ESPIPE): read them through a pipe.
efistr() { f=/sys/firmware/efi/efivars/$1-$2; [ -f "$f" ] && cat "$f" | tail -c +5 | tr -d '\000'; return 0; }
efiu16() { f=/sys/firmware/efi/efivars/$1-$2; [ -f "$f" ] && cat "$f" | tail -c +5 | od -An -tx2 | tr -d ' \n'; return 0; }
