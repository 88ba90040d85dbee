/**
 * What systemd-boot will boot, attempt after attempt (pure simulation).
 *
 * Each attempt follows sd-boot (src/boot/boot.c `config_select_default_entry()`, `config_entry_bump_counters()`; docs/AUTOMATIC_BOOT_ASSESSMENT.md):
 *  1. sort the entries (`boot_entry_compare`: entries without tries left go last);
 *  2. pick: `LoaderEntryOneShot` (then deleted) → `LoaderEntryDefault` → loader.conf `default`
 *     (`@saved` = the entry booted last) → the first entry; patterns match the first entry in
 *     sorted order, case-insensitively;
 *  3. a counted entry is renamed before the kernel starts: LEFT−1 (saturating at 0), DONE+1;
 *  4. the boot either succeeds — the boot-success service renames the file to its good name
 *     and it stays the default — or fails, having used up one try.
 * The simulation stops at the first success that is not a one-shot boot, when the entry that
 * failed has no counter or was already bad (the loader would boot it again: our bootloop guard
 * stops rebooting there), or after `maxAttempts`.
 * Each attempt carries the standing of its entry before it boots (model/known-good.ts): a success
 * is only "boots fine" for an entry known to boot; for any other it is the plan's assumption, and
 * the summary says when the entry a trial falls back to is not known to boot.
 * Entry ids are matched without their counters (current systemd; sd-boot before v259 included
 * the counter in the id, which only matters for exact, non-glob default names).
 */
import type { BootEntry } from "../model/boot-entry.ts";
import { nextAttemptName, tryExtractTries, type BootCounter } from "../model/boot-counter.ts";
import { sortBootEntries } from "../model/entry-order.ts";
import { selectDefault, type DefaultReason } from "../model/select-default.ts";
import { entryStanding, type Standing, type StandingKind } from "../model/known-good.ts";

export interface SdBootState {
  entries: readonly BootEntry[];
  oneShot?: string | undefined;
  defaultVariable?: string | undefined;
  defaultPattern?: string | undefined;
  /** The entry booted last (`@saved`), as an id. */
  lastBooted?: string | undefined;
}

/** Which attempts fail: a number of first attempts, or every boot of a counted entry. */
export type FailurePlan = { kind: "first"; count: number } | { kind: "counted" };

export interface PredictedAttempt {
  attempt: number;
  id: string;
  title: string;
  reason: DefaultReason;
  /** File name before and after the rename sd-boot does before booting. */
  fileBefore: string;
  fileAfter: string;
  tries: BootCounter | undefined;
  outcome: "success" | "failure";
  /** True when this attempt boots another entry than the first attempt did. */
  fallback: boolean;
  /** The entry's standing before this boot (model/known-good.ts): only "good" is known to boot. */
  standing: StandingKind;
  /** Why it has that standing, in words. */
  standingReason: string;
}

export interface Prediction {
  attempts: PredictedAttempt[];
  /** How the sequence ends. */
  end: "blessed" | "no-fallback-left" | "limit";
  /** The entry that boots from then on (blessed, or the last one that failed). */
  finalId: string | undefined;
  summary: string;
}

function fileName(entry: BootEntry): string {
  return entry.path.slice(entry.path.lastIndexOf("/") + 1);
}

function withFile(entry: BootEntry, name: string, tries: BootCounter | undefined): BootEntry {
  return { ...entry, path: entry.path.slice(0, entry.path.lastIndexOf("/") + 1) + name, tries };
}

/**
 * The summary of a boot that succeeds and stays: "boots successfully" only for an entry known to
 * boot; otherwise the success is the failure plan's assumption, and the summary says so.
 */
export function successSummary(title: string, standing: Standing, markedGood: string | undefined): string {
  const marked = markedGood === undefined ? "" : ` and is marked good${markedGood}`;
  if (standing.kind === "good") return `${title} boots successfully${marked}; it stays the default`;
  return `${title} boots as assumed${marked}, but it is not known to boot (${standing.reason}); it stays the default`;
}

/**
 * What the summary adds about the fallback: the first attempt that boots another entry than the
 * first one did, when that entry is not known to boot; and when no attempt reached a known-good
 * entry, that there is none.
 */
export function withFallbackNotes(prediction: Prediction): Prediction {
  const notes: string[] = [];
  const fallback = prediction.attempts.find((a) => a.fallback);
  if (fallback && fallback.standing !== "good") notes.push(`it falls back to ${fallback.title}, which is not known to boot: ${fallback.standingReason}`);
  if (prediction.attempts.length > 0 && !prediction.attempts.some((a) => a.standing === "good")) notes.push("no entry is known to boot");
  const summary = noFallbackWarning(prediction) === undefined ? prediction.summary : `no fallback: ${prediction.summary}`;
  return notes.length === 0 ? { ...prediction, summary } : { ...prediction, summary: `${summary}. Note: ${notes.join("; ")}` };
}

/**
 * The warning for a counted entry with nothing to fall back to: it boots first, the boots fail
 * as planned, and no attempt ever boots another entry (the loader's choice once its tries are
 * used up is the same entry). Undefined otherwise.
 */
export function noFallbackWarning(prediction: Prediction): string | undefined {
  const first = prediction.attempts[0];
  if (first === undefined || first.tries === undefined || prediction.end === "blessed") return undefined;
  if (prediction.attempts.some((a) => a.fallback)) return undefined;
  return `no fallback: ${first.title} is the only entry the loader would boot; once its tries are used up it boots again (keep an entry that is known to boot)`;
}

export function predictSystemdBoot(state: SdBootState, failures: FailurePlan, maxAttempts = 64): Prediction {
  return withFallbackNotes(simulateSystemdBoot(state, failures, maxAttempts));
}

function simulateSystemdBoot(state: SdBootState, failures: FailurePlan, maxAttempts: number): Prediction {
  let entries = [...state.entries];
  let oneShot = state.oneShot;
  let lastBooted = state.lastBooted;
  const attempts: PredictedAttempt[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const sorted = sortBootEntries(entries);
    const pick = selectDefault(sorted, { oneShot, default: state.defaultVariable, defaultPattern: state.defaultPattern, selected: lastBooted });
    if (!pick) return { attempts, end: "no-fallback-left", finalId: undefined, summary: "there is no boot entry" };
    if (pick.reason === "oneshot-variable") oneShot = undefined;
    else if (oneShot !== undefined) oneShot = undefined; // sd-boot deletes the variable when it reads it
    const entry = pick.entry;
    const before = fileName(entry);
    const after = nextAttemptName(before) ?? before;
    const tries = entry.tries ? tryExtractTries(after)?.counter : undefined;
    const fails = failures.kind === "first" ? attempt <= failures.count : entry.tries !== undefined;
    const standing = entryStanding(entry);
    const record: PredictedAttempt = {
      attempt, id: entry.id, title: entry.showTitle ?? entry.title ?? entry.id, reason: pick.reason, fileBefore: before, fileAfter: after,
      tries, outcome: fails ? "failure" : "success", fallback: attempts.length > 0 && attempts[0]!.id !== entry.id,
      standing: standing.kind, standingReason: standing.reason,
    };
    attempts.push(record);
    if (pick.reason !== "oneshot-variable") lastBooted = entry.id;
    const index = entries.indexOf(entry);
    // A one-shot boot does not decide the next one: the default boots after it either way.
    const oneShotBoot = pick.reason === "oneshot-variable";
    if (!fails && oneShotBoot) {
      if (index >= 0 && entry.tries) entries[index] = withFile(entry, entry.id, undefined);
      continue;
    }
    if (!fails) {
      if (index >= 0) entries[index] = withFile(entry, entry.id, undefined);
      return { attempts, end: "blessed", finalId: entry.id, summary: successSummary(record.title, standing, entry.tries ? "" : undefined) };
    }
    if (!entry.tries && !oneShotBoot) {
      return { attempts, end: "no-fallback-left", finalId: entry.id, summary: `${record.title} has no boot counter: the loader would boot it again; the bootloop guard stops rebooting` };
    }
    if (standing.kind === "bad" && !oneShotBoot) {
      // A bad entry is picked only when nothing that is not bad is left (bad entries sort last) or
      // a default pins it: the service's bootloop guard finds the same entry next (ops/boot-failure.ts).
      return { attempts, end: "no-fallback-left", finalId: entry.id, summary: `${record.title} is bad (no tries left) and the loader would boot it again: the bootloop guard stops rebooting` };
    }
    if (index >= 0) entries[index] = withFile(entry, after, tries);
  }
  return { attempts, end: "limit", finalId: attempts.at(-1)?.id, summary: `still failing after ${maxAttempts} attempts` };
}
