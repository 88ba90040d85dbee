/**
 * What GRUB will boot, attempt after attempt, under bootctl-ts boot counting (pure simulation of
 * grub/bootctl-counting.cfg after the standard 00_header logic, with the menu entries `grub
 * render` makes; ops/grub-counting.ts has the contract):
 *  1. `next_entry` set → that entry boots once (00_header clears it before booting; no try used);
 *  2. a trial → `default` is the fallback (else saved_entry); with tries ≥ 1 and a menu entry of
 *     its own, the trial takes over, and its entry saves tries − 1 when it runs;
 *  3. otherwise `saved_entry` (GRUB_DEFAULT=saved) or the first entry.
 * With `menu` (the ids in grub.cfg, in order) an id GRUB has no entry for boots the first entry
 * (normal/menu.c), and a trial without an entry is never picked; without it every id is assumed
 * to exist. A successful trial boot is marked good by the service (saved_entry = trial, counting
 * ends). The simulation stops at the first success that is not a one-shot, or when an entry
 * without a counter fails (the bootloop guard stops rebooting), or after `maxAttempts`. The script
 * simulation also stops at a failed boot that left the grubenv as it was (the next boot would be
 * the same again).
 * Each attempt carries the standing of the entry it boots (model/known-good.ts, from the grubenv
 * before that boot): the fallback is known to boot unless it is the trial or `bootctl_bad` lists it.
 */
import { successSummary, withFallbackNotes, type FailurePlan, type Prediction, type PredictedAttempt } from "./predict-systemd-boot.ts";
import { grubIdStanding, type GrubCountingFacts, type Standing } from "../model/known-good.ts";
import type { Script } from "../formats/grubcfg/ast.ts";
import { createGrubenv, isValidVariableName, loadEnvView, parseGrubenv, setVariable, type GrubenvBlock } from "../formats/grubenv.ts";
import { evaluateGrubScript, type EvalOptions } from "../model/grub-eval.ts";
import { MAX_GRUB_TRIES, countingStateOfEnv, planGrubBless } from "./grub-counting.ts";

export interface GrubBootState {
  trial?: string | undefined;
  tries?: number | undefined;
  fallback?: string | undefined;
  savedEntry?: string | undefined;
  nextEntry?: string | undefined;
  /** What boots without any of the above (GRUB's `default`, usually entry 0). */
  firstEntry: string;
  /** The menu entry ids of grub.cfg, in order, when known. */
  menu?: readonly string[] | undefined;
  /** `bootctl_bad`: earlier trials that ended without being marked good. */
  bad?: readonly string[] | undefined;
  /** `bootctl_state` of the current boot. */
  mark?: "good" | "bad" | undefined;
}

/** An entry GRUB boots because none is chosen (no `default`): not one we can judge. */
const FIRST_ENTRY: Standing = { kind: "unknown", reason: "GRUB's first menu entry, whichever that is" };

export function predictGrub(start: GrubBootState, failures: FailurePlan, maxAttempts = 64): Prediction {
  return withFallbackNotes(simulateGrub(start, failures, maxAttempts));
}

function simulateGrub(start: GrubBootState, failures: FailurePlan, maxAttempts: number): Prediction {
  const s = { ...start };
  const menu = start.menu;
  const exists = (id: string) => menu === undefined || menu.includes(id);
  /** What GRUB boots for `default` = id: that entry, or entry 0 when there is none. */
  const resolve = (id: string) => (exists(id) ? id : (menu?.[0] ?? id));
  const attempts: PredictedAttempt[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let id: string;
    let reason: PredictedAttempt["reason"];
    let counted = false;
    let oneShot = false;
    let triesAfter: number | undefined;
    const facts: GrubCountingFacts = { trial: s.trial, tries: s.tries, bad: s.bad, mark: attempt === 1 ? s.mark : undefined };
    if (s.nextEntry) {
      id = resolve(s.nextEntry);
      s.nextEntry = undefined;
      reason = "oneshot-variable";
      oneShot = true;
    } else if (s.trial !== undefined && (s.tries ?? 0) >= 1 && (s.tries ?? 0) <= MAX_GRUB_TRIES && exists(s.trial)) {
      s.tries = (s.tries ?? 1) - 1;
      triesAfter = s.tries;
      id = s.trial;
      reason = "default-variable";
      counted = true;
    } else if (s.trial !== undefined) {
      id = resolve(s.fallback ?? s.savedEntry ?? s.firstEntry);
      reason = "default-variable";
    } else {
      id = resolve(s.savedEntry ?? s.firstEntry);
      reason = s.savedEntry ? "default-variable" : "first-entry";
    }
    const fails = failures.kind === "first" ? attempt <= failures.count : counted;
    const tries = counted ? { left: triesAfter!, done: attempt } : undefined;
    const standing = grubIdStanding(id, facts);
    attempts.push({
      attempt, id, title: id, reason, fileBefore: id, fileAfter: id, tries,
      outcome: fails ? "failure" : "success", fallback: attempts.length > 0 && attempts[0]!.id !== id,
      standing: standing.kind, standingReason: standing.reason,
    });
    if (!fails && oneShot) continue;
    if (!fails) {
      if (counted) {
        s.savedEntry = id;
        s.trial = undefined;
      }
      return { attempts, end: "blessed", finalId: id, summary: successSummary(id, standing, counted ? " (saved_entry)" : undefined) };
    }
    if (!counted && !oneShot) {
      return { attempts, end: "no-fallback-left", finalId: id, summary: `${id} has no boot counter: GRUB would boot it again; the bootloop guard stops rebooting` };
    }
  }
  return { attempts, end: "limit", finalId: attempts.at(-1)?.id, summary: `still failing after ${maxAttempts} attempts` };
}

/**
 * The same question answered by running the system's own grub.cfg, boot after boot, through the
 * GRUB evaluator (model/grub-eval.ts: checked against grub-emu): whatever counting scheme the
 * config carries (ours, greenboot's, RAUC's) decides each boot. Between boots: a failure changes
 * nothing more; a success of a counted trial is marked good as the service would
 * (ops/grub-counting.ts). Counted = the entry that ran is the one bootctl_trial names (and the boot
 * was not a one-shot); what it saved is read back from the evaluated boot.
 */
export function predictGrubScript(script: Script, grubenv: ReadonlyMap<string, string>, failures: FailurePlan, maxAttempts = 64, evalOptions: EvalOptions = {}): Prediction & { warnings: string[] } {
  const { warnings, ...prediction } = simulateGrubScript(script, grubenv, failures, maxAttempts, evalOptions);
  return { ...withFallbackNotes(prediction), warnings };
}

function simulateGrubScript(script: Script, grubenv: ReadonlyMap<string, string>, failures: FailurePlan, maxAttempts: number, evalOptions: EvalOptions): Prediction & { warnings: string[] } {
  let env = new Map(grubenv);
  // Other environment files (load_env/save_env -f, Mender's and RAUC's own) persist between boots as the grubenv does.
  let files: Record<string, ReadonlyMap<string, string>> = { ...(evalOptions.files ?? {}) };
  const attempts: PredictedAttempt[] = [];
  const warnings = new Set<string>();
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const before = env;
    const trialBefore = env.get("bootctl_trial") || undefined;
    const facts = countingStateOfEnv(env);
    const oneShot = Boolean(env.get("next_entry"));
    const result = evaluateGrubScript(script, { ...evalOptions, files, grubenv: env });
    for (const w of result.warnings) warnings.add(w);
    const grubenvPath = [...result.files.entries()].find(([, m]) => m === result.grubenv)?.[0];
    files = Object.fromEntries([...result.files].filter(([p]) => p !== grubenvPath).map(([p, m]) => [p, new Map(m)]));
    env = new Map(result.grubenv ?? env);
    const chosen = result.chosen;
    const id = chosen ? (chosen.id ?? chosen.titlePath.join(">")) : "0";
    const title = chosen ? chosen.titlePath.join(" > ") : "(first entry)";
    const counted = trialBefore !== undefined && id === trialBefore && !oneShot;
    const tries = counted && env.get("bootctl_tries") !== undefined ? { left: Number(env.get("bootctl_tries")), done: attempt } : undefined;
    const fails = failures.kind === "first" ? attempt <= failures.count : counted;
    const standing = chosen ? grubIdStanding(id, facts) : FIRST_ENTRY;
    attempts.push({
      attempt, id, title, reason: oneShot ? "oneshot-variable" : counted || trialBefore !== undefined || env.get("saved_entry") ? "default-variable" : "first-entry",
      fileBefore: id, fileAfter: id, tries, outcome: fails ? "failure" : "success",
      fallback: attempts.length > 0 && attempts[0]!.id !== id,
      standing: standing.kind, standingReason: standing.reason,
    });
    if (!fails && oneShot) continue;
    if (!fails) {
      if (counted) env = loadEnvView(planGrubBless(blockOf(env), "good").after);
      return { attempts, end: "blessed", finalId: id, summary: successSummary(title, standing, counted ? " (saved_entry)" : undefined), warnings: [...warnings] };
    }
    if (!counted && !oneShot) {
      return { attempts, end: "no-fallback-left", finalId: id, summary: `${title} has no boot counter: GRUB would boot it again; the bootloop guard stops rebooting`, warnings: [...warnings] };
    }
    // A failed boot that changed nothing in the grubenv: every later boot is this one again (a
    // trial out of tries that is also what GRUB falls back to, or a grub.cfg that never lowers
    // the tries). The service's bootloop guard sees the same entry next and stops rebooting.
    if (!oneShot && sameEnv(before, env)) {
      return { attempts, end: "no-fallback-left", finalId: id, summary: `${title} boots again at every attempt (the failed boot changed nothing in the grubenv): the bootloop guard stops rebooting`, warnings: [...warnings] };
    }
  }
  return { attempts, end: "limit", finalId: attempts.at(-1)?.id, summary: `still failing after ${maxAttempts} attempts`, warnings: [...warnings] };
}

function sameEnv(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, value] of a) if (b.get(name) !== value) return false;
  return true;
}

function blockOf(env: ReadonlyMap<string, string>): GrubenvBlock {
  let block = parseGrubenv(createGrubenv());
  for (const [name, value] of env) if (isValidVariableName(name)) block = setVariable(block, name, value);
  return block;
}
