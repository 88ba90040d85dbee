/**
 * What to do when this boot failed its health checks (pure).
 *
 * - Booted with counting (the loader told us which counted entry it booted): mark it bad, then
 *   reboot, so the loader picks the next entry (systemd's AUTOMATIC_BOOT_ASSESSMENT FAQ:
 *   "mark bad right away" + `FailureAction=reboot`).
 * - Bootloop guard: rebooting helps only if it changes what boots next. When the entry that
 *   failed is not counted (it is the fallback, the last known good entry), or was already bad, the
 *   next boot would be the same entry: stop rebooting and say why.
 * - `bootctl-ts.reboot=0` on the kernel command line disables the reboot (debugging, kiosks).
 */
import type { BlessState } from "./bless-boot.ts";

export interface FailureFacts {
  /** bless-boot status of this boot before acting. */
  state: BlessState;
  /** The kernel command line (/proc/cmdline). */
  cmdline: string;
}

export interface FailureDecision {
  markBad: boolean;
  reboot: boolean;
  /** Why, in one line, for the journal and `status`. */
  reason: string;
  /** True when the bootloop guard stopped the reboot. */
  guard: boolean;
}

/** `bootctl-ts.reboot=0|no|false|off` (last occurrence wins, as the kernel's own parameters). */
export function rebootDisabledByCmdline(cmdline: string): boolean {
  let disabled = false;
  for (const word of cmdline.trim().split(/\s+/)) {
    const m = /^bootctl-ts\.reboot=(.*)$/.exec(word);
    if (m) disabled = ["0", "no", "false", "off", "n"].includes(m[1]!.toLowerCase());
  }
  return disabled;
}

export function decideOnFailure(facts: FailureFacts): FailureDecision {
  const disabled = rebootDisabledByCmdline(facts.cmdline);
  switch (facts.state) {
    case "indeterminate":
      return disabled
        ? { markBad: true, reboot: false, guard: false, reason: "health checks failed; entry marked bad; reboot disabled by bootctl-ts.reboot=0" }
        : { markBad: true, reboot: true, guard: false, reason: "health checks failed; entry marked bad; rebooting so the boot loader falls back" };
    case "dirty":
      return { markBad: false, reboot: false, guard: true, reason: "health checks failed on an entry that was already out of tries; the boot loader has nothing better to boot: not rebooting (bootloop guard)" };
    case "clean":
    case "good":
      return { markBad: false, reboot: false, guard: true, reason: "health checks failed on an entry without boot counting (the fallback entry): rebooting would boot it again: not rebooting (bootloop guard)" };
    case "bad":
      return { markBad: false, reboot: false, guard: true, reason: "health checks failed and this entry is already marked bad: not rebooting (bootloop guard)" };
  }
}
