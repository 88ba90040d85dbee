/**
 * The GRUB half of boot counting (contract: ops/grub-counting.ts and grub/README.md), as GRUB
 * script for stock GRUB 2.06+: no `increment`/`decrement` (Fedora-only commands), so tries count
 * down through an if/elif ladder over fixed values. It must run after `load_env` and after the
 * 00_header logic that consumes `next_entry` (which sets `boot_once`): a one-shot boot is not a
 * try. The variables are saved before any entry runs, so a kernel that never returns still used
 * its try. `save_env` writes to `$bootctl_envfile` when set (grub-mkstandalone images, where
 * `$prefix` is a memdisk whose writes are lost), else to `$prefix/grubenv` like 00_header.
 *
 * grub/bootctl-counting.cfg (a fragment for static configs) and grub/09_bootctl_counting (a
 * grub.d generator) are this text; test/ops/grub-counting-script.test.ts keeps them in sync.
 */
import { MAX_GRUB_TRIES } from "./grub-counting.ts";

export function grubCountingScript(maxTries: number = MAX_GRUB_TRIES): string {
  const ladder: string[] = [];
  for (let n = maxTries; n >= 1; n--) {
    ladder.push(`  ${n === maxTries ? "if" : "elif"} [ "\${bootctl_tries}" = "${n}" ]; then`);
    ladder.push(`    set bootctl_tries=${n - 1}`);
  }
  return `# bootctl-ts boot counting for GRUB 2.06+ (see grub/README.md in bootctl-ts).
# Runs after load_env and after next_entry was handled. Variables: bootctl_trial, bootctl_tries,
# bootctl_fallback (set by bootctl-ts add), bootctl_booted (set here), bootctl_state (set by
# bootctl-ts bless-boot, cleared here at the next boot).
set bootctl_save=
if [ -n "\${bootctl_state}" ]; then
  set bootctl_state=
  set bootctl_save=1
fi
if [ -n "\${bootctl_trial}" -a -z "\${boot_once}" ]; then
  set bootctl_out=
${ladder.join("\n")}
  else
    set bootctl_tries=0
    set bootctl_out=1
  fi
  if [ -n "\${bootctl_out}" ]; then
    set default="\${bootctl_fallback}"
  else
    set default="\${bootctl_trial}"
  fi
  set bootctl_booted="\${default}"
  set bootctl_save=1
fi
if [ -n "\${bootctl_save}" ]; then
  if [ -n "\${bootctl_envfile}" ]; then
    save_env -f "\${bootctl_envfile}" bootctl_tries bootctl_booted bootctl_state
  else
    save_env bootctl_tries bootctl_booted bootctl_state
  fi
fi
`;
}

/** The grub.d generator: a shell script that prints the fragment (grub-mkconfig runs it). */
export function grubCountingGenerator(maxTries: number = MAX_GRUB_TRIES): string {
  return `#!/bin/sh
# grub.d generator installed by bootctl-ts: boot counting with fallback (see grub/README.md).
# Numbered 09 so it runs after 00_header (load_env, next_entry) and before the menu entries.
set -e
cat <<'BOOTCTL_TS_EOF'
${grubCountingScript(maxTries)}BOOTCTL_TS_EOF
`;
}
