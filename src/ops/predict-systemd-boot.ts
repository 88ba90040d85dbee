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
 * failed has no counter (the loader would boot it again: our bootloop guard stops rebooting
 * there), or after `maxAttempts`.
 * Entry ids are matched without their counters (current systemd; sd-boot before v259 included
 * the counter in the id, which only matters for exact, non-glob default names).
 */
import type { BootEntry } from "../model/boot-entry.ts";
import { nextAttemptName, tryExtractTries, type BootCounter } from "../model/boot-counter.ts";
import { sortBootEntries } from "../model/entry-order.ts";
import { selectDefault, type DefaultReason } from "../model/select-default.ts";

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

export function predictSystemdBoot(state: SdBootState, failures: FailurePlan, maxAttempts = 64): Prediction {
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
    const record: PredictedAttempt = {
      attempt, id: entry.id, title: entry.showTitle ?? entry.title ?? entry.id, reason: pick.reason, fileBefore: before, fileAfter: after,
      tries, outcome: fails ? "failure" : "success", fallback: attempts.length > 0 && attempts[0]!.id !== entry.id,
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
      return { attempts, end: "blessed", finalId: entry.id, summary: `${record.title} boots successfully${entry.tries ? " and is marked good" : ""}; it stays the default` };
    }
    if (!entry.tries && !oneShotBoot) {
      return { attempts, end: "no-fallback-left", finalId: entry.id, summary: `${record.title} has no boot counter: the loader would boot it again; the bootloop guard stops rebooting` };
    }
    if (index >= 0) entries[index] = withFile(entry, after, tries);
  }
  return { attempts, end: "limit", finalId: attempts.at(-1)?.id, summary: `still failing after ${maxAttempts} attempts` };
}
