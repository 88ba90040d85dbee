/**
 * Title disambiguation: systemd's `boot_entries_uniquify()` (src/shared/bootspec.c), run on the
 * sorted menu. While some shown titles (`showTitle ?: title ?: id`) are not unique, in three rounds
 * append to every entry whose title collides: ` (<version>)` (if it has one), then
 * ` (<machine-id>)` (if it has one), then ` (<id>)`. Each round recomputes the collisions.
 * (sd-boot shows only the first 8 characters of the machine-id; `bootctl` shows all of it.)
 */
import { entryTitle, type BootEntry } from "./boot-entry.ts";

function collisions(entries: readonly BootEntry[]): boolean[] {
  const counts = new Map<string, number>();
  for (const e of entries) {
    const t = entryTitle(e);
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return entries.map((e) => counts.get(entryTitle(e))! > 1);
}

/** New entries with `showTitle` set as systemd sets it (entries whose title is unique keep theirs). */
export function uniquifyTitles<T extends BootEntry>(entries: readonly T[]): T[] {
  return uniquifyTitlesInPlace(entries.map((e) => ({ ...e })));
}

/** `uniquifyTitles` on entries the caller owns: sets their `showTitle` and returns the same array. */
export function uniquifyTitlesInPlace<T extends BootEntry>(out: T[]): T[] {
  const rounds: ((e: T) => string | undefined)[] = [(e) => e.version, (e) => e.machineId, (e) => e.id];
  for (const extra of rounds) {
    const clash = collisions(out);
    if (!clash.includes(true)) break;
    out.forEach((e, i) => {
      const add = extra(e);
      if (clash[i] && add !== undefined) e.showTitle = `${entryTitle(e)} (${add})`;
    });
  }
  return out;
}
