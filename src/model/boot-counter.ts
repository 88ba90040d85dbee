/**
 * Boot counting in file names (Boot Loader Specification "Boot counting"; systemd
 * docs/AUTOMATIC_BOOT_ASSESSMENT.md).
 *
 * Grammar, as systemd's userspace `boot_filename_extract_tries()` (src/shared/bootspec.c) reads it:
 *   - the suffix starts at the LAST `.` of the name (any suffix; `.conf`/`.efi` are checked later);
 *   - the counter starts at the LAST `+` before that dot;
 *   - `+` LEFT, LEFT = one or more decimal digits (leading zeros allowed, no sign, no hex);
 *   - optionally `-` DONE, DONE = one or more decimal digits;
 *   - the counter must end exactly at the suffix dot; otherwise the name has no counter and the
 *     "stripped" name is the name itself;
 *   - a LEFT or DONE above INT_MAX (2147483647, the limit sd-boot uses) is an error (-ERANGE in
 *     systemd: the entry is not loaded at all).
 * The stripped name is the name with `+LEFT[-DONE]` removed; it keeps the suffix (systemd's entry
 * ids keep `.conf`/`.efi` since v245).
 *
 * Renames:
 *   - next attempt (sd-boot `boot_entry_bump_counters()`, src/boot/boot.c): LEFT − 1 saturating at
 *     0, DONE + 1 saturating at INT_MAX, written without zero padding (`+03-00` → `+2-1`);
 *   - good (`systemd-bless-boot good`): the stripped name;
 *   - bad (`systemd-bless-boot bad`): `+0` when DONE is 0 or absent, else `+0-DONE`.
 * The UAPI spec text of Oct 2025 asks for width-preserving renames; systemd does not do that yet
 * and neither do we (Boot Loader Specification, "Boot counting").
 */
import { BootctlError } from "../errors.ts";

/** sd-boot and userspace both cap counters at INT_MAX. */
export const TRIES_MAX = 2147483647;

export interface BootCounter {
  /** Tries left (LEFT). 0 means the entry is "bad". */
  left: number;
  /** Tries done (DONE); `undefined` when the name has `+LEFT` only. */
  done: number | undefined;
}

export interface ExtractedTries {
  /** The name without its counter, suffix kept (`foo+3-1.conf` → `foo.conf`). */
  stripped: string;
  /** The counter, or `undefined` when the name carries none. */
  counter: BootCounter | undefined;
  /** Name up to the `+` (only when there is a counter). */
  prefix: string;
  /** The suffix including its dot (only when there is a counter; else ""). */
  suffix: string;
}

/** A counter in a file name is above INT_MAX: systemd refuses to load such an entry. */
export class CounterRangeError extends BootctlError {
  constructor(readonly fileName: string) {
    super("E_BOOT_COUNTER_RANGE", `boot counter of file name '${fileName}' is out of range (above ${TRIES_MAX})`);
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Parse a digit run at `start`; returns [value, end] or undefined when there is no digit. */
function digitsAt(name: string, start: number, end: number): [number, number] | undefined {
  let i = start;
  while (i < end && isDigit(name.charCodeAt(i))) i++;
  if (i === start) return undefined;
  // Leading zeros are fine (safe_atou accepts them); compare the value, not the text.
  const value = Number(name.slice(start, i));
  return [value, i];
}

/**
 * Split a file name into its counter-stripped name and its boot counter, exactly as
 * `boot_filename_extract_tries()` does. Throws CounterRangeError for values above INT_MAX.
 */
export function extractTries(fileName: string): ExtractedTries {
  const none: ExtractedTries = { stripped: fileName, counter: undefined, prefix: fileName, suffix: "" };
  const dot = fileName.lastIndexOf(".");
  if (dot < 0) return none;
  const plus = fileName.lastIndexOf("+", dot - 1);
  if (plus < 0 || plus >= dot) return none;
  const left = digitsAt(fileName, plus + 1, dot);
  if (!left) return none;
  if (left[0] > TRIES_MAX) throw new CounterRangeError(fileName);
  let position = left[1];
  let done: number | undefined;
  if (fileName[position] === "-") {
    const parsed = digitsAt(fileName, position + 1, dot);
    if (!parsed) return none;
    if (parsed[0] > TRIES_MAX) throw new CounterRangeError(fileName);
    done = parsed[0];
    position = parsed[1];
  }
  if (position !== dot) return none;
  const prefix = fileName.slice(0, plus);
  const suffix = fileName.slice(dot);
  return { stripped: prefix + suffix, counter: { left: left[0], done }, prefix, suffix };
}

/** The same, returning `undefined` instead of throwing for out-of-range counters. */
export function tryExtractTries(fileName: string): ExtractedTries | undefined {
  try {
    return extractTries(fileName);
  } catch (err) {
    if (err instanceof CounterRangeError) return undefined;
    throw err;
  }
}

/** Boot-assessment state a counter stands for (BLS "Boot counting"). */
export type CounterState = "good" | "indeterminate" | "bad";

export function counterState(counter: BootCounter | undefined): CounterState {
  if (counter === undefined) return "good";
  return counter.left === 0 ? "bad" : "indeterminate";
}

/** Format `prefix+LEFT[-DONE]suffix` without padding. */
export function formatCounterName(prefix: string, counter: BootCounter, suffix: string): string {
  return `${prefix}+${counter.left}${counter.done === undefined ? "" : `-${counter.done}`}${suffix}`;
}

/**
 * The name sd-boot renames an entry to just before booting it, or `undefined` when the name has
 * no counter (nothing is renamed).
 */
export function nextAttemptName(fileName: string): string | undefined {
  const { counter, prefix, suffix } = extractTries(fileName);
  if (!counter) return undefined;
  const left = Math.max(counter.left - 1, 0);
  const done = Math.min((counter.done ?? 0) + 1, TRIES_MAX);
  return formatCounterName(prefix, { left, done }, suffix);
}

/** `systemd-bless-boot good`: the counter removed; `undefined` when there is none. */
export function goodName(fileName: string): string | undefined {
  const { counter, stripped } = extractTries(fileName);
  return counter ? stripped : undefined;
}

/** `systemd-bless-boot bad`: `+0` (DONE 0 or absent) or `+0-DONE`; `undefined` without a counter. */
export function badName(fileName: string): string | undefined {
  const { counter, prefix, suffix } = extractTries(fileName);
  if (!counter) return undefined;
  const done = counter.done ?? 0;
  return done === 0 ? `${prefix}+0${suffix}` : `${prefix}+0-${done}${suffix}`;
}

/** A fresh counted name (`kernel-install` with /etc/kernel/tries): `stem+TRIES.suffix`. */
export function withTries(stripped: string, tries: number): string {
  if (!Number.isInteger(tries) || tries < 0 || tries > TRIES_MAX) {
    throw new BootctlError("E_BOOT_COUNTER_RANGE", `tries must be an integer between 0 and ${TRIES_MAX}, got ${tries}`);
  }
  const dot = stripped.lastIndexOf(".");
  if (dot < 0) throw new BootctlError("E_BOOT_COUNTER_NAME", `file name '${stripped}' has no suffix`);
  return `${stripped.slice(0, dot)}+${tries}${stripped.slice(dot)}`;
}
