/**
 * "Known to boot": the one rule for which entry a new deployment may fall back to, on both boot
 * loaders. `add` uses it to choose the fallback it records (GRUB: `bootctl_fallback`) or to warn
 * that there is none; `predict` uses it to say whether the entry a boot lands on is known good.
 *
 * The standing of an entry, from the Boot Loader Specification's "Boot counting" (an entry without
 * a counter is good: `systemd-bless-boot good` removes it; `+0`/`+0-DONE` is bad) and, on GRUB,
 * where counting lives in the grubenv instead of file names, the contract of grub/README.md:
 *
 *   bad      the file name's counter has no tries left (`+0`, `+0-DONE`: marked bad, or sd-boot used
 *            the last try); GRUB: it is the trial (`bootctl_trial`) and the trial is marked bad
 *            (`bootctl_state=bad`) or out of tries (`bootctl_tries` not 1–9: the counting fragment
 *            never picks it again), or `bootctl_bad` lists it (an earlier trial that ended without
 *            being marked good);
 *   pending  a trial not marked good yet, with tries left: a counter `+LEFT[-DONE]` with LEFT ≥ 1
 *            (untried when DONE is 0 or absent; else tried DONE times, none of them marked good);
 *            GRUB: the trial with tries left;
 *   good     everything else: no counter in its name and, on GRUB, neither the trial nor listed in
 *            `bootctl_bad`. Only a good entry is "known to boot".
 *
 * "Newest" is the boot menu's order (model/entry-order.ts: systemd's `boot_entry_compare`, sort-key,
 * machine-id, version descending), the order in which the loader itself offers the entries.
 */
import { counterState, type BootCounter } from "./boot-counter.ts";
import type { BootEntry } from "./boot-entry.ts";
import { sortBootEntries } from "./entry-order.ts";
import { grubBareName, grubEntryId, grubIdNames } from "./grub-entry-id.ts";
import { grubStrtoul } from "./grub-default.ts";
import { GRUB_MAX_TRIES } from "./grub-tries.ts";

/** The grubenv's counting facts (ops/grub-counting.ts reads them; grub/README.md defines them). */
export interface GrubCountingFacts {
  /** `bootctl_trial`: GRUB id of the deployment on trial. */
  trial?: string | undefined;
  /** `bootctl_tries`: tries left for the trial, when it is a number. */
  tries?: number | undefined;
  /** `bootctl_state`: the mark of the current boot. */
  mark?: "good" | "bad" | undefined;
  /** `bootctl_bad`: GRUB ids of earlier trials that ended without being marked good. */
  bad?: readonly string[] | undefined;
}


/** `unknown`: an id that names no entry we can judge (GRUB's entry 0 when nothing else exists). */
export type StandingKind = "good" | "pending" | "bad" | "unknown";

export interface Standing {
  kind: StandingKind;
  /** Why, in words for messages ("an untried trial (+3)", "out of tries (bootctl_tries=0)"). */
  reason: string;
}

/** What is judged: an entry's id (its file name without the counter) and the counter of its name. */
export interface JudgedEntry {
  id: string;
  tries: BootCounter | undefined;
}

const GOOD: Standing = { kind: "good", reason: "known to boot" };

function counterStanding(tries: BootCounter): Standing {
  const text = `+${tries.left}${tries.done === undefined ? "" : `-${tries.done}`}`;
  if (counterState(tries) === "bad") return { kind: "bad", reason: `bad: no tries left (${text})` };
  const done = tries.done ?? 0;
  return done === 0
    ? { kind: "pending", reason: `an untried trial (${text})` }
    : { kind: "pending", reason: `a trial tried ${done} time${done === 1 ? "" : "s"} and not marked good (${text})` };
}

/** The standing of a GRUB menu entry id under the grubenv's counting facts. */
export function grubIdStanding(id: string, facts: GrubCountingFacts): Standing {
  if (facts.trial !== undefined && id === facts.trial) {
    if (facts.mark === "bad") return { kind: "bad", reason: "the trial, marked bad (bootctl_state=bad)" };
    const tries = facts.tries;
    if (tries === undefined || tries < 1 || tries > GRUB_MAX_TRIES) {
      return { kind: "bad", reason: `the trial, out of tries (bootctl_tries=${tries ?? "unset"})` };
    }
    return { kind: "pending", reason: `the trial (bootctl_trial), not marked good, ${tries} tr${tries === 1 ? "y" : "ies"} left` };
  }
  if (facts.bad?.includes(id)) return { kind: "bad", reason: "an earlier trial that ended without being marked good (bootctl_bad)" };
  return GOOD;
}

/**
 * The standing of a boot entry. `grub` (the grubenv's facts) applies on GRUB: the entry is then
 * also judged by its GRUB ids (`bls:` id or bare name, model/grub-entry-id.ts).
 */
export function entryStanding(entry: JudgedEntry, grub?: GrubCountingFacts): Standing {
  if (entry.tries !== undefined) return counterStanding(entry.tries);
  if (grub === undefined) return GOOD;
  for (const id of grubIdsOf(entry.id)) {
    const standing = grubIdStanding(id, grub);
    if (standing.kind !== "good") return standing;
  }
  return GOOD;
}

export function isKnownGood(entry: JudgedEntry, grub?: GrubCountingFacts): boolean {
  return entryStanding(entry, grub).kind === "good";
}

/** Both ids GRUB may know a Boot Loader Specification entry by. */
function grubIdsOf(blsId: string): string[] {
  const id = grubEntryId(blsId);
  const bare = grubBareName(blsId);
  return id === bare ? [id] : [id, bare];
}

/** The newest known-good entry in menu order, leaving out those `exclude` names. */
export function newestKnownGood<T extends BootEntry>(entries: readonly T[], grub?: GrubCountingFacts, exclude: (entry: T) => boolean = () => false): T | undefined {
  return sortBootEntries(entries).find((e) => !exclude(e) && isKnownGood(e, grub));
}

export interface GrubFallbackChoice {
  /** The GRUB id (or `saved_entry` value) to record as `bootctl_fallback`. */
  id: string;
  /** The Boot Loader Specification entry it names, when it names one. */
  entry: BootEntry | undefined;
  standing: Standing;
  /** How it was chosen, for the plan's notes. */
  source: "saved_entry" | "newest known-good entry" | "newest other entry" | "GRUB's first entry";
}

/**
 * GRUB's fallback for a new trial: the entry GRUB boots once the trial is out of tries.
 *   1. `saved_entry` (what GRUB_DEFAULT=saved boots today; `bless-boot good` writes it) when it
 *      names a known-good entry, or names none of the Boot Loader Specification entries and is
 *      not a number (another generator's entry id or title: the admin's choice; a number is an
 *      index, and index 0 becomes the trial itself once grub.cfg lists it first);
 *   2. else the newest known-good entry;
 *   3. else, with a warning from the caller (`standing` is not good), the newest other entry
 *      that is not bad, then the newest other entry, then GRUB's entry 0.
 * `entries` are the Boot Loader Specification entries (any order); `trial` the new trial's id.
 */
export function chooseGrubFallback(entries: readonly BootEntry[], grub: GrubCountingFacts, savedEntry: string | undefined, trial: string): GrubFallbackChoice {
  const others = sortBootEntries(entries).filter((e) => !grubIdNames(e.id, trial));
  if (savedEntry !== undefined && savedEntry !== "" && savedEntry !== trial) {
    const named = entries.find((e) => grubIdNames(e.id, savedEntry));
    if (named === undefined && grubStrtoul(savedEntry) === undefined) {
      return { id: savedEntry, entry: undefined, standing: grubIdStanding(savedEntry, grub), source: "saved_entry" };
    }
    if (named !== undefined && !grubIdNames(named.id, trial) && isKnownGood(named, grub)) {
      return { id: grubEntryId(named.id), entry: named, standing: GOOD, source: "saved_entry" };
    }
  }
  const good = others.find((e) => isKnownGood(e, grub));
  if (good) return { id: grubEntryId(good.id), entry: good, standing: GOOD, source: "newest known-good entry" };
  const other = others.find((e) => entryStanding(e, grub).kind !== "bad") ?? others[0];
  if (other) return { id: grubEntryId(other.id), entry: other, standing: entryStanding(other, grub), source: "newest other entry" };
  return { id: "0", entry: undefined, standing: { kind: "unknown", reason: "GRUB's first menu entry, whichever that is (no other entry exists)" }, source: "GRUB's first entry" };
}
