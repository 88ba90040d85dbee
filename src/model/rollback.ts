/**
 * The rollback record (pure): a bounded history of the boots where the boot loader fell back
 * from a trial that failed, kept in /var/lib/bootctl-ts/rollbacks.json (adapters/rollback-file.ts).
 *
 * A rollback is seen at the boot after it, by the service (`mark-good`, `on-failure`):
 * - systemd-boot: an entry with no tries left and some done (`+0-N`, systemd's
 *   docs/AUTOMATIC_BOOT_ASSESSMENT.md) that is not the entry the loader booted
 *   (LoaderEntrySelected / LoaderBootCountPath): sd-boot sorts such entries last and booted
 *   another one.
 * - GRUB (grub/README.md, the grubenv contract): `bootctl_trial` set, `bootctl_tries` 0 and
 *   `bootctl_booted` naming another entry (the fallback).
 * Why: when the service marked the trial bad (`on-failure`), it left a pending note with the
 * failed health checks; without one the trial used its tries without reaching userspace.
 * Each rollback has a key (the bad entry's file name, or the GRUB trial and fallback) so that
 * the same state seen at later boots is recorded once.
 */
import { tryExtractTries } from "./boot-counter.ts";

/** How many rollbacks the history keeps (the oldest go first); `total` counts them all. */
export const ROLLBACK_HISTORY_MAX = 32;

export const NEVER_REACHED_USERSPACE = "never reached userspace";

export interface RollbackRecord {
  /** Identifies the fallen-back-from state (see above); not shown. */
  key: string;
  loader: "systemd-boot" | "grub";
  /** The entry that failed (entry id without counter; GRUB menu entry id). */
  from: string;
  /** The entry the loader booted instead, when known. */
  to: string | null;
  /** When the rollback was seen (ISO 8601): the first assessment of the boot after it. */
  time: string;
  /** Boot tries the failed entry used, when known (systemd-boot's DONE; GRUB keeps none). */
  tries: number | null;
  /** "health checks failed: NAME, …" or "never reached userspace". */
  reason: string;
  /** The checks that failed (from the health report), when the service marked the entry bad. */
  failedChecks?: string[];
}

/** What `on-failure` leaves for the next boot: the trial it marked bad and why. */
export interface PendingFailure {
  key: string;
  from: string;
  tries: number | null;
  reason: string;
  failedChecks?: string[];
  time: string;
}

export interface RollbackHistory {
  version: 1;
  /** Rollbacks ever recorded (also those that fell out of `records`). */
  total: number;
  /** Newest last, at most ROLLBACK_HISTORY_MAX. */
  records: RollbackRecord[];
  pending: PendingFailure[];
}

export function emptyHistory(): RollbackHistory {
  return { version: 1, total: 0, records: [], pending: [] };
}

const isString = (v: unknown): v is string => typeof v === "string";
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every(isString) ? v : undefined;
}

function recordOf(v: unknown): RollbackRecord | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (!isString(o.key) || !isString(o.from) || !isString(o.time) || !isString(o.reason)) return undefined;
  if (o.loader !== "systemd-boot" && o.loader !== "grub") return undefined;
  const failedChecks = stringList(o.failedChecks);
  return {
    key: o.key, loader: o.loader, from: o.from, to: isString(o.to) ? o.to : null, time: o.time,
    tries: isCount(o.tries) ? o.tries : null, reason: o.reason, ...(failedChecks ? { failedChecks } : {}),
  };
}

function pendingOf(v: unknown): PendingFailure | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (!isString(o.key) || !isString(o.from) || !isString(o.time) || !isString(o.reason)) return undefined;
  const failedChecks = stringList(o.failedChecks);
  return { key: o.key, from: o.from, tries: isCount(o.tries) ? o.tries : null, reason: o.reason, time: o.time, ...(failedChecks ? { failedChecks } : {}) };
}

/**
 * Read the file's text. Anything that is not a history (not JSON, another version) gives
 * `undefined`; records that do not parse are dropped, so one damaged record does not lose the rest.
 */
export function parseHistory(text: string): RollbackHistory | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const o = value as Record<string, unknown>;
  if (o.version !== 1 || !Array.isArray(o.records)) return undefined;
  const records = o.records.map(recordOf).filter((r): r is RollbackRecord => r !== undefined).slice(-ROLLBACK_HISTORY_MAX);
  const pending = (Array.isArray(o.pending) ? o.pending : []).map(pendingOf).filter((p): p is PendingFailure => p !== undefined).slice(-ROLLBACK_HISTORY_MAX);
  const total = isCount(o.total) && o.total >= records.length ? o.total : records.length;
  return { version: 1, total, records, pending };
}

export function serializeHistory(history: RollbackHistory): string {
  return JSON.stringify(history, null, 2) + "\n";
}

/** A trial the loader fell back from, as seen at this boot. */
export interface FallbackObservation {
  key: string;
  loader: "systemd-boot" | "grub";
  from: string;
  to: string | null;
  tries: number | null;
}

/**
 * Record the observations not yet recorded (by key), taking the reason from a pending note of
 * `on-failure` with the same key (which is then consumed). Returns the new history and the
 * records added (empty: nothing changes, no write needed).
 */
export function recordFallbacks(history: RollbackHistory, seen: readonly FallbackObservation[], now: string): { history: RollbackHistory; added: RollbackRecord[] } {
  const known = new Set(history.records.map((r) => r.key));
  const pending = [...history.pending];
  const added: RollbackRecord[] = [];
  for (const o of seen) {
    if (known.has(o.key)) continue;
    known.add(o.key);
    const i = pending.findIndex((p) => p.key === o.key);
    const note = i >= 0 ? pending.splice(i, 1)[0] : undefined;
    added.push({
      key: o.key, loader: o.loader, from: o.from, to: o.to, time: now,
      tries: o.tries ?? note?.tries ?? null,
      reason: note?.reason ?? NEVER_REACHED_USERSPACE,
      ...(note?.failedChecks ? { failedChecks: note.failedChecks } : {}),
    });
  }
  if (added.length === 0) return { history, added };
  return {
    history: { version: 1, total: history.total + added.length, records: [...history.records, ...added].slice(-ROLLBACK_HISTORY_MAX), pending },
    added,
  };
}

/** Add (or replace, by key) the note `on-failure` leaves when it marks a trial bad. */
export function notePendingFailure(history: RollbackHistory, note: PendingFailure): RollbackHistory {
  const pending = [...history.pending.filter((p) => p.key !== note.key), note].slice(-ROLLBACK_HISTORY_MAX);
  return { ...history, pending };
}

/** The reason words for a failure with these failed checks. */
export function failureReason(failedChecks: readonly string[]): string {
  return failedChecks.length > 0 ? `health checks failed: ${failedChecks.join(", ")}` : "health checks failed";
}

/** The failed required checks of a health report (`health --json`, /run/bootctl-ts/health.json). */
export function failedChecksOf(report: unknown): string[] {
  if (typeof report !== "object" || report === null) return [];
  const checks = (report as { checks?: unknown }).checks;
  if (!Array.isArray(checks)) return [];
  const names: string[] = [];
  for (const c of checks) {
    if (typeof c !== "object" || c === null) continue;
    const { name, ok, kind } = c as { name?: unknown; ok?: unknown; kind?: unknown };
    if (isString(name) && ok === false && kind === "required") names.push(name);
  }
  return names;
}

/** The key of a systemd-boot rollback: the bad entry's file name. */
export function sdBootKey(fileName: string): string {
  return `systemd-boot:${fileName}`;
}

/** The key of a GRUB rollback: trial and fallback (a new trial of another id gets a new key). */
export function grubKey(trial: string, fallback: string | undefined): string {
  return `grub:${trial}>${fallback ?? ""}`;
}

/** The GRUB observation, from the counting variables of this boot (grub/README.md). */
export function grubFallback(state: { trial: string | undefined; tries: number | undefined; fallback: string | undefined; booted: string | undefined }): FallbackObservation | undefined {
  if (state.trial === undefined || state.tries !== 0 || state.booted === undefined || state.booted === state.trial) return undefined;
  return { key: grubKey(state.trial, state.fallback), loader: "grub", from: state.trial, to: state.booted, tries: null };
}

/**
 * The systemd-boot observations: entry files (names in loader/entries and EFI/Linux) with no
 * tries left and at least one done, other than the booted entry (`bootedId`, counter-free, as
 * LoaderEntrySelected names it; compared without case, as sd-boot compares ids). `to` is the
 * booted entry.
 */
export function sdBootFallbacks(entryFileNames: readonly string[], bootedId: string | undefined): FallbackObservation[] {
  if (bootedId === undefined) return [];
  const booted = (tryExtractTries(bootedId)?.stripped ?? bootedId).toLowerCase();
  const out: FallbackObservation[] = [];
  for (const name of entryFileNames) {
    const parsed = tryExtractTries(name);
    const c = parsed?.counter;
    if (!parsed || !c || c.left !== 0 || c.done === undefined || c.done < 1) continue;
    if (parsed.stripped.toLowerCase() === booted) continue;
    out.push({ key: sdBootKey(name), loader: "systemd-boot", from: parsed.stripped, to: bootedId, tries: c.done });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
