/**
 * Writing values into GRUB script safely (util/grub-mkconfig_lib.in `grub_quote()`; grub-core/script/yylex.l).
 * - `grubQuote` is grub-mkconfig_lib's `grub_quote` (`sed "s/'/'\\\\''/g"` inside single quotes):
 *   single quotes keep everything literal (`$`, `\`, `"`, `;`, `{}`, `>`, `#`), and a `'` is
 *   closed, escaped and reopened as `'\''`.
 * - Control characters (C0 and DEL) are refused: legal inside single quotes, but they break
 *   menus, ids and line-based tools; LF would also let a title span lines.
 * - `menuSpec` escapes `>` as `>>` in each level of a `default`/`saved_entry` value and joins levels
 *   with `>` (grub-core/normal/menu.c menuentry_eq).
 */
import { BootctlError } from "../../errors.ts";

const CONTROL = /[\u0000-\u001f\u007f]/;

export function assertNoControlCharacters(value: string, what: string): void {
  const m = CONTROL.exec(value);
  if (m) {
    const code = m[0].charCodeAt(0).toString(16).padStart(2, "0");
    throw new BootctlError("E_GRUB_CONTROL_CHARACTER", `${what} contains the control character U+00${code.toUpperCase()}, which GRUB menus cannot show safely`);
  }
}

/** `grub_quote`: the value as one single-quoted GRUB word. */
export function grubQuote(value: string, what = "value"): string {
  assertNoControlCharacters(value, what);
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/** A word for `value`: bare when it only holds characters that are never special, else quoted. */
export function grubWord(value: string, what = "value"): string {
  assertNoControlCharacters(value, what);
  return value !== "" && /^[A-Za-z0-9_.,:\/+=@%-]+$/.test(value) && !value.startsWith("#") ? value : grubQuote(value, what);
}

/** A `default`/`saved_entry`/`next_entry` value naming the path `levels` (titles or ids). */
export function menuSpec(levels: readonly string[]): string {
  return levels.map((l) => l.replace(/>/g, ">>")).join(">");
}
