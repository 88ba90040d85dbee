/**
 * What GRUB will boot, attempt after attempt, under bootctl-ts boot counting (pure simulation of
 * grub/bootctl-counting.cfg after the standard 00_header logic; ops/grub-counting.ts has the
 * contract):
 *  1. `next_entry` set → that entry boots once (00_header clears it before booting; no try used);
 *  2. a trial with tries ≥ 1 → tries − 1, the trial boots; with 0 tries → the fallback boots;
 *  3. otherwise `saved_entry` (GRUB_DEFAULT=saved) or the first entry.
 * A successful trial boot is marked good by the service (saved_entry = trial, counting ends). The
 * simulation stops at the first success that is not a one-shot, or when an entry without a
 * counter fails (the bootloop guard stops rebooting), or after `maxAttempts`.
 */
import type { FailurePlan, Prediction, PredictedAttempt } from "./predict-systemd-boot.ts";

export interface GrubBootState {
  trial?: string | undefined;
  tries?: number | undefined;
  fallback?: string | undefined;
  savedEntry?: string | undefined;
  nextEntry?: string | undefined;
  /** What boots without any of the above (GRUB's `default`, usually entry 0). */
  firstEntry: string;
}

export function predictGrub(start: GrubBootState, failures: FailurePlan, maxAttempts = 64): Prediction {
  const s = { ...start };
  const attempts: PredictedAttempt[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let id: string;
    let reason: PredictedAttempt["reason"];
    let counted = false;
    let oneShot = false;
    let triesAfter: number | undefined;
    if (s.nextEntry) {
      id = s.nextEntry;
      s.nextEntry = undefined;
      reason = "oneshot-variable";
      oneShot = true;
    } else if (s.trial !== undefined && (s.tries ?? 0) >= 1) {
      s.tries = (s.tries ?? 1) - 1;
      triesAfter = s.tries;
      id = s.trial;
      reason = "default-variable";
      counted = true;
    } else if (s.trial !== undefined) {
      s.tries = 0;
      id = s.fallback ?? s.savedEntry ?? s.firstEntry;
      reason = "default-variable";
    } else {
      id = s.savedEntry ?? s.firstEntry;
      reason = s.savedEntry ? "default-variable" : "first-entry";
    }
    const fails = failures.kind === "first" ? attempt <= failures.count : counted;
    const tries = counted ? { left: triesAfter!, done: attempt } : undefined;
    attempts.push({
      attempt, id, title: id, reason, fileBefore: id, fileAfter: id, tries,
      outcome: fails ? "failure" : "success", fallback: attempts.length > 0 && attempts[0]!.id !== id,
    });
    if (!fails && oneShot) continue;
    if (!fails) {
      if (counted) {
        s.savedEntry = id;
        s.trial = undefined;
      }
      return { attempts, end: "blessed", finalId: id, summary: `${id} boots successfully${counted ? " and is marked good (saved_entry)" : ""}; it stays the default` };
    }
    if (!counted && !oneShot) {
      return { attempts, end: "no-fallback-left", finalId: id, summary: `${id} has no boot counter: GRUB would boot it again; the bootloop guard stops rebooting` };
    }
  }
  return { attempts, end: "limit", finalId: attempts.at(-1)?.id, summary: `still failing after ${maxAttempts} attempts` };
}
