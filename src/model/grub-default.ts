/**
 * How GRUB 2.06 turns `default` into a menu entry (grub-core/normal/menu.c `get_entry_number()`, `grub_menu_get_default_entry_index()`):
 * - `get_entry_number`: `grub_strtoul(value, 0)` first — base 0 (`0x1` = 1, `010` = 8), leading
 *   blanks skipped, trailing garbage ignored (`2 Beta` = 2, `1>0` = 1); only when no digit parses
 *   is the value matched against each entry's title or id, in menu order, with `menuentry_eq`;
 * - `menuentry_eq(id, spec)` compares up to the first `>` of the spec that is not doubled: `>>`
 *   stands for a literal `>`, a single `>` ends the level;
 * - no match or out of range → entry 0 (also for an empty menu position);
 * - entering a submenu makes `default` the rest of the spec after that `>` (unset when there is
 *   none, so the submenu boots its entry 0).
 * Fedora's patched GRUB (id first, numbers only when the whole value is a number) is not modelled.
 */

/** `menuentry_eq` of menu.c: does `spec` (up to its first single `>`) name `id`? */
export function menuentryEq(id: string, spec: string): boolean {
  let i = 0;
  let j = 0;
  for (;;) {
    const s = spec[j];
    const single = s === ">" && spec[j + 1] !== ">";
    if (single) return i === id.length;
    if (s === ">") j++;
    if (id[i] !== spec[j]) return false;
    if (i === id.length) return true; // both ended (spec[j] is undefined too)
    i++;
    j++;
  }
}

/** The remainder of a spec after its first single `>`, or undefined when there is none. */
export function specRemainder(spec: string): string | undefined {
  for (let j = 0; j < spec.length; j++) {
    if (spec[j] === ">") {
      if (spec[j + 1] === ">") { j++; continue; }
      return spec.slice(j + 1);
    }
  }
  return undefined;
}

/**
 * `grub_strtoul(str, &end, 0)` (GRUB 2.06 kern/misc.c grub_strtoull): the number, or undefined
 * when no digit parses (GRUB_ERR_BAD_NUMBER). Leading blanks are skipped; a lower-case `0x`
 * selects hex and is skipped even when no hex digit follows (`0xzz` is no number); a `0` followed
 * by an octal digit selects octal (`010` = 8); anything else is decimal (`08` = 8, `0X1` = 0).
 * Checked value by value against grub-emu (test/differential/grub-numeric-ids-emu.test.ts).
 */
export function grubStrtoul(str: string): number | undefined {
  let i = 0;
  while (i < str.length && /[ \t\n\r\f\v]/.test(str[i]!)) i++;
  let base = 10;
  if (str[i] === "0" && str[i + 1] === "x") { base = 16; i += 2; }
  else if (str[i] === "0" && /[0-7]/.test(str[i + 1] ?? "")) base = 8;
  const digits = base === 16 ? /[0-9a-fA-F]/ : base === 8 ? /[0-7]/ : /[0-9]/;
  let value = 0;
  let any = false;
  while (i < str.length && digits.test(str[i]!)) {
    value = value * base + parseInt(str[i]!, base);
    any = true;
    i++;
  }
  return any ? value : undefined;
}

export interface Selectable {
  title: string;
  /** `--id`, or the title when there is none. */
  id: string;
}

/** `get_entry_number` + the fallback to 0: the index `default` selects among `entries`. */
export function selectEntryIndex(entries: readonly Selectable[], value: string | undefined): number {
  if (value === undefined) return 0;
  let index: number | undefined = grubStrtoul(value);
  if (index === undefined) {
    const found = entries.findIndex((e) => menuentryEq(e.title, value) || menuentryEq(e.id, value));
    index = found === -1 ? undefined : found;
  }
  return index === undefined || index >= entries.length ? 0 : index;
}

/**
 * A warning when GRUB would read `id` as a menu entry number: `get_entry_number` (GRUB 2.06
 * grub-core/normal/menu.c) calls grub_strtoul without checking what follows the digits, so an id
 * such as a machine-id token `6a98…-6.1.conf` selects entry 6, not the entry with that id.
 * Plain numbers are meant as indexes and get no warning.
 */
export function numericIdWarning(id: string): string | undefined {
  const index = grubStrtoul(id);
  if (index === undefined || /^[ \t]*(0[xX][0-9a-fA-F]+|[0-9]+)[ \t]*$/.test(id)) return undefined;
  return `GRUB reads '${id}' as menu entry number ${index} (an id that starts with a digit is taken as an index by GRUB's get_entry_number), not as the entry with that id`;
}
