/**
 * The grub.d generators bootctl-ts installs into /etc/grub.d (grub-mkconfig runs every
 * executable there in name order and concatenates their standard output into grub.cfg):
 *
 * - 09_bootctl_counting: boot counting with fallback (grubCountingGenerator(), src/ops), after
 *   00_header and before the menu entries;
 * - 20_bootctl-ts: one menuentry per Boot Loader Specification entry, rendered by
 *   `bootctl-ts grub render`.
 *
 * grub/09_bootctl_counting and grub/20_bootctl-ts in the repository are these texts (kept equal by
 * test/install/templates.test.ts), for installing by hand. Templates only, no I/O.
 */
import { grubCountingGenerator } from "../ops/grub-counting-script.ts";

export const GRUB_GENERATOR_DIRECTORY = "/etc/grub.d";
export const COUNTING_GENERATOR = "09_bootctl_counting";
export const ENTRIES_GENERATOR = "20_bootctl-ts";
/** The installed CLI bundle (layout.ts CLI_INSTALL_PATH): present while bootctl-ts is installed. */
const CLI_BUNDLE = "/usr/lib/bootctl-ts/cli.cjs";

/**
 * 20_bootctl-ts. When it cannot produce the entries it was meant to (bootctl-ts missing, or
 * failing) it says so on stderr and exits non-zero: grub-mkconfig runs under `set -e`, so it stops
 * before replacing grub.cfg and the machine keeps booting the menu it had, instead of a new menu
 * without the entries (update-grub fails loudly; the kernel package that ran it reports the
 * failure). Two cases add nothing and exit 0, with a note on stderr: bootctl-ts removed (no
 * command and no /usr/lib/bootctl-ts/cli.cjs; the generator is a conffile and stays until purge),
 * and no Boot Loader Specification entries directory at all (installing bootctl-ts on a machine
 * that does not use such entries does not break update-grub).
 */
export function entriesGenerator(): string {
  return `#! /bin/sh
# grub.d generator (install as /etc/grub.d/20_bootctl-ts, mode 0755): one GRUB menu entry per
# Boot Loader Specification entry, in the same order as \`bootctl-ts list\`, rendered by
# \`bootctl-ts grub render\` (quoting as grub-mkconfig's grub_quote; the output is checked with
# the grub-script-check rules before it is printed).
#
# grub-mkconfig concatenates the standard output of every /etc/grub.d script into grub.cfg.new,
# under \`set -e\`. If bootctl-ts cannot be run or fails, this script fails, and grub-mkconfig
# stops and keeps the old grub.cfg instead of writing a menu without these entries. It adds
# nothing, and says so, when bootctl-ts was removed (no command and no
# ${CLI_BUNDLE}) or when there is no loader/entries directory in /efi, /boot or
# /boot/efi (and no GRUB_BOOTCTL_TS_ARGS).
#
# Settings (environment; grub-mkconfig passes on only the GRUB_* variables it knows, so set these
# in /etc/default/grub with \`export\`, e.g. \`export GRUB_BOOTCTL_TS_ARGS="--boot-path=/boot"\`):
#   BOOTCTL_TS            the bootctl-ts executable: one path, or a name looked up in PATH
#                         (default: bootctl-ts); never word-split, the same meaning as in the
#                         kernel-install plugin
#   GRUB_BOOTCTL_TS_ARGS  extra global options, e.g. "--esp-path=/efi --boot-path=/boot"
#   GRUB_BOOTCTL_TS_RENDER_ARGS  extra options of \`grub render\`, e.g. "--boot-uuid=<fs uuid>"
set -e

given="$BOOTCTL_TS"
BOOTCTL_TS="\${BOOTCTL_TS:-bootctl-ts}"

if ! command -v "$BOOTCTL_TS" >/dev/null 2>&1; then
  # Removed but not purged (this file is a conffile): nothing of bootctl-ts is left to run, and a
  # removed package must not break update-grub (as Debian Policy 9.3.2 asks of init scripts).
  if [ -z "$given" ] && [ ! -e ${CLI_BUNDLE} ]; then
    echo "$0: bootctl-ts is not installed (removed, this configuration file left); no Boot Loader Specification entries added" >&2
    exit 0
  fi
  echo "$0: error: $BOOTCTL_TS not found, so the Boot Loader Specification entries cannot be added; grub-mkconfig stops here (set BOOTCTL_TS, or remove $0)" >&2
  exit 1
fi

if [ -z "$GRUB_BOOTCTL_TS_ARGS" ] && [ ! -d /efi/loader/entries ] && [ ! -d /boot/loader/entries ] && [ ! -d /boot/efi/loader/entries ]; then
  echo "$0: no loader/entries directory in /efi, /boot or /boot/efi; no Boot Loader Specification entries to add" >&2
  exit 0
fi

echo "Adding Boot Loader Specification entries (bootctl-ts)" >&2
# Word splitting of the *_ARGS variables is intended (several options).
# shellcheck disable=SC2086
"$BOOTCTL_TS" --quiet $GRUB_BOOTCTL_TS_ARGS grub render $GRUB_BOOTCTL_TS_RENDER_ARGS || {
  status=$?
  echo "$0: error: $BOOTCTL_TS grub render failed (exit $status); grub-mkconfig stops here (options for it: GRUB_BOOTCTL_TS_ARGS, exported from /etc/default/grub)" >&2
  exit "$status"
}
`;
}

/** The generators as installed: file name → text. */
export function grubGenerators(): Record<string, string> {
  return {
    [COUNTING_GENERATOR]: grubCountingGenerator(),
    [ENTRIES_GENERATOR]: entriesGenerator(),
  };
}
