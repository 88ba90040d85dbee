/**
 * What to do when this boot failed its health checks (pure).
 *
 * - Booted with counting (the loader told us which counted entry it booted): mark it bad, then
 *   reboot, so the loader picks the next entry (systemd's AUTOMATIC_BOOT_ASSESSMENT FAQ:
 *   "mark bad right away" + `FailureAction=reboot`).
 * - Bootloop guard: rebooting helps only if it changes what boots next. The caller works out,
 *   after marking bad, which entry the loader would boot next (`nextBoot`); when that is the
 *   entry that just failed — the fallback itself failed, or nothing else is left — stop rebooting
 *   and say why. (A counter at 0 alone does not tell: systemd-boot lowers the counter before
 *   booting, so the last try of a good deployment also runs with 0 tries left.)
 * - `bootctl-ts.reboot=0` on the kernel command line disables the reboot (debugging, kiosks).
 */
import { fnmatchCasefold } from "../model/fnmatch.ts";
import { tryExtractTries } from "../model/boot-counter.ts";
import type { BlessState } from "./bless-boot.ts";

export interface FailureFacts {
  /** bless-boot status of this boot before acting. */
  state: BlessState;
  /** The kernel command line (/proc/cmdline). */
  cmdline: string;
  /**
   * Whether the next boot (after marking this one bad) would start another entry: "other",
   * "same", "unknown" (not worked out, e.g. a dry run), or "error" (it could not be worked out:
   * `nextBootError` says why, e.g. a symbolic link out of the ESP that was refused).
   */
  nextBoot: "other" | "same" | "unknown" | "error";
  nextBootError?: string;
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

/** A boot that ran with counting: the loader named a counted entry (systemd-boot) or a trial (GRUB). */
export function wasCounted(state: BlessState): boolean {
  return state === "indeterminate" || state === "dirty";
}

export function decideOnFailure(facts: FailureFacts): FailureDecision {
  const markBad = wasCounted(facts.state);
  const marked = markBad ? "entry marked bad; " : "";
  if (facts.nextBoot === "error") {
    // Not knowing what boots next, a reboot could start the failed entry again and again.
    return { markBad, reboot: false, guard: true, reason: `health checks failed; ${marked}cannot tell what the boot loader starts next (${facts.nextBootError ?? "unknown error"}): not rebooting (bootloop guard)` };
  }
  const changesNextBoot = facts.nextBoot === "other" || (facts.nextBoot === "unknown" && markBad);
  if (!changesNextBoot) {
    const why = markBad
      ? "the boot loader would start the same entry again (nothing else is left to fall back to)"
      : "this entry has no boot counter (it is the fallback): the boot loader would start it again";
    return { markBad, reboot: false, guard: true, reason: `health checks failed; ${marked}${why}: not rebooting (bootloop guard)` };
  }
  if (rebootDisabledByCmdline(facts.cmdline)) {
    return { markBad, reboot: false, guard: false, reason: `health checks failed; ${marked}reboot disabled by bootctl-ts.reboot=0` };
  }
  return { markBad, reboot: true, guard: false, reason: `health checks failed; ${marked}rebooting so the boot loader falls back` };
}

/**
 * systemd-boot, after the failed entry was marked bad: would the next boot start another entry?
 * Worked out from file names alone (the early-boot service does not parse UKIs): the failed entry
 * now sorts last (no tries left), so another entry boots when one exists that is not bad — unless
 * a default pattern pins the failed entry (an exact LoaderEntryDefault or loader.conf `default`
 * that matches no other entry; sd-boot's first match in sorted order then finds only it).
 */
export function nextBootFromNames(failedId: string, entryFileNames: readonly string[], defaultPatterns: readonly string[]): "other" | "same" {
  const others: string[] = [];
  for (const name of entryFileNames) {
    const parsed = tryExtractTries(name);
    if (!parsed || parsed.stripped.toLowerCase() === failedId.toLowerCase()) continue;
    if (parsed.counter?.left === 0) continue;
    others.push(parsed.stripped);
  }
  if (others.length === 0) return "same";
  for (const pattern of defaultPatterns) {
    if (pattern.startsWith("@")) continue;
    if (fnmatchCasefold(pattern, failedId) && !others.some((id) => fnmatchCasefold(pattern, id))) return "same";
  }
  return "other";
}
