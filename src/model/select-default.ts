/**
 * Default and selected entry, as systemd's userspace computes them for `bootctl list/status`
 * (`boot_entries_select_default()` / `boot_entries_select_selected()`, src/shared/bootspec.c):
 *
 *   LoaderEntryOneShot → LoaderEntryPreferred → LoaderEntryDefault → loader.conf `preferred` →
 *   loader.conf `default` → the first entry of the sorted menu.
 *
 * Each source is a pattern matched with `fnmatch(pattern, id, FNM_CASEFOLD)`; the first match in
 * menu order wins; a source that matches nothing falls through. `@saved` means the value of
 * `LoaderEntrySelected` (userspace's reading; sd-boot itself uses `LoaderEntryLastBooted`); any
 * other `@…` matches nothing. The selected entry is the match of `LoaderEntrySelected`.
 *
 * Differences, documented:
 * - systemd 252 has no `preferred` (variable or loader.conf key, both v260): its chain is
 *   one-shot → default variable → loader.conf default → first. Without `preferred` inputs both agree.
 * - Userspace does not skip bad entries (tries left 0) here, although `preferred` is meant to in
 *   sd-boot; we match userspace, and a `preferred` pattern that only matches bad entries therefore
 *   still selects one (as `bootctl` shows it).
 * - sd-boot unquotes `"…"` values in loader.conf and lowercases ids; userspace does neither.
 */
import type { BootEntry } from "./boot-entry.ts";
import { fnmatchCasefold } from "./fnmatch.ts";

export interface SelectionInputs {
  /** `LoaderEntryOneShot`. */
  oneShot?: string | undefined;
  /** `LoaderEntryPreferred` (v260). */
  preferred?: string | undefined;
  /** `LoaderEntryDefault`. */
  default?: string | undefined;
  /** `LoaderEntrySelected` (also what `@saved` resolves to). */
  selected?: string | undefined;
  /** loader.conf `preferred`. */
  preferredPattern?: string | undefined;
  /** loader.conf `default`. */
  defaultPattern?: string | undefined;
}

export type DefaultReason =
  | "oneshot-variable"
  | "preferred-variable"
  | "default-variable"
  | "preferred-pattern"
  | "default-pattern"
  | "first-entry";

export interface DefaultSelection<T extends BootEntry = BootEntry> {
  index: number;
  entry: T;
  reason: DefaultReason;
  /** The pattern that matched (absent for `first-entry`). */
  pattern?: string;
}

/** `boot_config_find()`: index of the first entry whose id matches `pattern`, or -1. */
export function findEntryByPattern(entries: readonly BootEntry[], pattern: string | undefined, selected?: string): number {
  if (pattern === undefined) return -1;
  let p = pattern;
  if (p.startsWith("@")) {
    if (p.toLowerCase() !== "@saved" || selected === undefined) return -1;
    p = selected;
  }
  return entries.findIndex((e) => fnmatchCasefold(p, e.id));
}

/** `boot_config_find_entry()`: exact, case-insensitive lookup by id or legacy id. */
export function findEntryById<T extends BootEntry>(entries: readonly T[], id: string): T | undefined {
  const lower = id.toLowerCase();
  return entries.find((e) => e.id.toLowerCase() === lower || e.idOld?.toLowerCase() === lower);
}

export function selectDefault<T extends BootEntry>(entries: readonly T[], inputs: SelectionInputs): DefaultSelection<T> | undefined {
  if (entries.length === 0) return undefined;
  const chain: [DefaultReason, string | undefined][] = [
    ["oneshot-variable", inputs.oneShot],
    ["preferred-variable", inputs.preferred],
    ["default-variable", inputs.default],
    ["preferred-pattern", inputs.preferredPattern],
    ["default-pattern", inputs.defaultPattern],
  ];
  for (const [reason, pattern] of chain) {
    if (pattern === undefined) continue;
    const index = findEntryByPattern(entries, pattern, inputs.selected);
    if (index >= 0) return { index, entry: entries[index]!, reason, pattern };
  }
  return { index: 0, entry: entries[0]!, reason: "first-entry" };
}

/** Index of the entry `LoaderEntrySelected` names (pattern match, like systemd), or -1. */
export function selectSelected(entries: readonly BootEntry[], inputs: SelectionInputs): number {
  if (inputs.selected === undefined) return -1;
  return findEntryByPattern(entries, inputs.selected, inputs.selected);
}
