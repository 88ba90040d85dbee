/**
 * What systemd (PID 1) logged about units, from a boot's journal: the job messages it writes for
 * every unit (systemd's src/core/job.c job_emit_start_message/job_emit_done_message, with the
 * fields UNIT=, JOB_TYPE=, JOB_RESULT=) and condition skips (unit.c: "… was skipped because …").
 * Scenarios assert ordering on these: a unit "finished" before a target was "reached".
 */
import type { JournalEntry } from "./journal.ts";

export interface UnitEvents {
  unit: string;
  /** "Starting …" (the start job began). */
  startingUs?: number;
  /** The start job's result: done (Started/Finished/Reached), failed, dependency, …; "skipped" when its condition failed. */
  result?: string;
  resultUs?: number;
  /** The unit's condition failed: "… was skipped because of an unmet condition check". */
  skippedUs?: number;
  /** Lines the unit's own processes logged (its service's stdout/stderr). */
  output: JournalEntry[];
}

const SKIPPED = / (?:was skipped because of|skipped,) (?:an )?unmet condition check/;

const isPid1 = (e: JournalEntry): boolean => e.identifier === "systemd" && e.unit === "init.scope";

export function unitEvents(journal: readonly JournalEntry[], unit: string): UnitEvents {
  const ev: UnitEvents = { unit, output: [] };
  for (const e of journal) {
    if (e.unit === unit && !isPid1(e)) ev.output.push(e);
    if (!isPid1(e) || e.aboutUnit !== unit) continue;
    // A unit whose condition failed ends its start job "done" with this text (systemd 252: "… was
    // skipped because of an unmet condition check (…)", 257: "… skipped, unmet condition check …").
    if (SKIPPED.test(e.message)) {
      if (ev.skippedUs === undefined) ev.skippedUs = e.monotonicUs;
      if (ev.result === undefined) {
        ev.result = "skipped";
        ev.resultUs = e.monotonicUs;
      }
    } else if (e.jobType === "start" && e.jobResult === undefined && ev.startingUs === undefined) ev.startingUs = e.monotonicUs;
    else if (e.jobType === "start" && e.jobResult !== undefined && ev.result === undefined) {
      ev.result = e.jobResult;
      ev.resultUs = e.monotonicUs;
    }
  }
  return ev;
}

/** The unit's own output lines (its service's stdout and stderr), as text. */
export function outputOf(journal: readonly JournalEntry[], unit: string): string[] {
  return unitEvents(journal, unit).output.map((e) => e.message);
}

/** A one-line account of a unit for transcripts. */
export function describeUnit(ev: UnitEvents): string {
  const t = (us?: number): string => (us === undefined ? "-" : `${(us / 1e6).toFixed(2)} s`);
  if (ev.skippedUs !== undefined && ev.result === undefined) return `${ev.unit}: skipped (condition) at ${t(ev.skippedUs)}`;
  if (ev.startingUs === undefined && ev.result === undefined) return `${ev.unit}: no start job`;
  return `${ev.unit}: starting ${t(ev.startingUs)}, ${ev.result ?? "no result"} ${t(ev.resultUs)}`;
}
