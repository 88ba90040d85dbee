/**
 * The GRUB half of boot counting (contract: ops/grub-counting.ts and grub/README.md), as GRUB
 * script for stock GRUB 2.06+: no `increment`/`decrement` (Fedora-only commands), so tries count
 * down through an if/elif ladder over fixed values. It must run after `load_env` and after the
 * 00_header logic that consumes `next_entry` (which sets `boot_once`: a one-shot boot is not a
 * try), and before the menu entries.
 *
 * The fragment only decides; the menu entries bootctl-ts renders (ops/grub-render.ts) act:
 * - with a trial, `default` becomes the fallback, and `bootctl_pick` names the trial when it has a
 *   try left; the line bootctl-ts renders after the trial's own `menuentry` moves `default` to
 *   it. A trial that has no menu entry (grub.cfg not regenerated since `add`) therefore boots the
 *   fallback, not GRUB's entry 0 (normal/menu.c takes entry 0 for an unknown `default`);
 * - the record of the boot (`bootctl_booted`) is cleared here and saved by the entry that runs,
 *   together with the trial's lowered `bootctl_tries` when that entry is the picked trial, in one
 *   `save_env` before its kernel is loaded (a kernel that never returns still used its try). A
 *   regular menu entry runs in grub.cfg's variable context (normal/menu.c: only submenus open a
 *   new one), so it sees `bootctl_record`, `bootctl_pick` and `bootctl_left`.
 * `save_env` writes to `$bootctl_envfile` when set (grub-mkstandalone images, where `$prefix` is a
 * memdisk whose writes are lost), else to `$prefix/grubenv` like 00_header.
 *
 * grub/bootctl-counting.cfg (a fragment for static configs) and grub/09_bootctl_counting (a
 * grub.d generator) are this text; test/ops/grub-counting-script.test.ts keeps them in sync.
 */
import { MAX_GRUB_TRIES } from "./grub-counting.ts";

export function grubCountingScript(maxTries: number = MAX_GRUB_TRIES): string {
  const ladder: string[] = [];
  for (let n = maxTries; n >= 1; n--) {
    ladder.push(`    ${n === maxTries ? "if" : "elif"} [ "\${bootctl_tries}" = "${n}" ]; then`);
    ladder.push(`      set bootctl_left=${n - 1}`);
  }
  return `# bootctl-ts boot counting for GRUB 2.06+ (see grub/README.md in bootctl-ts).
# Runs after load_env and after next_entry was handled, before the menu entries. Variables:
# bootctl_trial, bootctl_tries, bootctl_fallback (set by bootctl-ts add), bootctl_booted (saved by
# the menu entry that runs), bootctl_state (set by bootctl-ts bless-boot, cleared here at the next
# boot). With a trial, default is the fallback; the trial's own menu entry (bootctl-ts grub render)
# takes over when bootctl_pick names it and saves its lowered tries (bootctl_left) when it runs.
set bootctl_save=
set bootctl_record=
set bootctl_pick=
set bootctl_left=
if [ -n "\${bootctl_envfile}" ]; then
  set bootctl_file="\${bootctl_envfile}"
else
  set bootctl_file="\${prefix}/grubenv"
fi
if [ -n "\${bootctl_state}" ]; then
  set bootctl_state=
  set bootctl_save=1
fi
if [ -n "\${bootctl_trial}" ]; then
  if [ -n "\${bootctl_booted}" ]; then
    set bootctl_booted=
    set bootctl_save=1
  fi
  set bootctl_record="\${bootctl_file}"
  if [ -z "\${boot_once}" ]; then
${ladder.join("\n")}
    fi
    if [ -n "\${bootctl_left}" ]; then
      set bootctl_pick="\${bootctl_trial}"
    fi
    if [ -n "\${bootctl_fallback}" ]; then
      set default="\${bootctl_fallback}"
    fi
  fi
fi
if [ -n "\${bootctl_save}" ]; then
  save_env -f "\${bootctl_file}" bootctl_booted bootctl_state
fi
`;
}

/** The grub.d generator: a shell script that prints the fragment (grub-mkconfig runs it). */
export function grubCountingGenerator(maxTries: number = MAX_GRUB_TRIES): string {
  return `#!/bin/sh
# grub.d generator installed by bootctl-ts: boot counting with fallback (see grub/README.md).
# Numbered 09 so it runs after 00_header (load_env, next_entry) and before the menu entries
# (20_bootctl-ts renders the entries that pick the trial and record the boot).
set -e
cat <<'BOOTCTL_TS_EOF'
${grubCountingScript(maxTries)}BOOTCTL_TS_EOF
`;
}
