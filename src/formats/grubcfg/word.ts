/**
 * The value of a GRUB script word (yylex.l SPLIT/DQUOTE/SQUOTE/I18NQUOTE states and
 * grub-core/script/execute.c argument expansion):
 * - unquoted: `\x` is `x`, `\`-LF disappears; `$var` expands and is field-split on blanks;
 * - '…': literal, no escapes;
 * - "…": `\$ \\ \"` are escapes, `\`-LF disappears, any other `\` stays; `$var` expands, no splitting;
 * - $"…": a translatable string (we do not translate); `\"` is `"`, `\`-LF disappears.
 * A word made only of unquoted variables that expand to nothing yields no argument at all;
 * `""` yields one empty argument.
 */

export type WordPart =
  | { kind: "text"; value: string; quoted: boolean }
  | { kind: "var"; name: string; quoted: boolean; /** The reference as written: `$name` or `${name}`. */ raw: string };

const VAR_RE = /\$(?:([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?#*@])|\{([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?#*@])\})/y;

function pushText(parts: WordPart[], value: string, quoted: boolean): void {
  const last = parts[parts.length - 1];
  if (last && last.kind === "text" && last.quoted === quoted) last.value += value;
  else parts.push({ kind: "text", value, quoted });
}

/** Split a word (as written, already validated by the lexer) into literal and variable parts. */
export function wordParts(raw: string): WordPart[] {
  const parts: WordPart[] = [];
  let i = 0;
  const n = raw.length;
  const variable = (quoted: boolean): boolean => {
    VAR_RE.lastIndex = i;
    const m = VAR_RE.exec(raw);
    if (!m) return false;
    parts.push({ kind: "var", name: (m[1] ?? m[2])!, quoted, raw: m[0] });
    i = VAR_RE.lastIndex;
    return true;
  };
  while (i < n) {
    const c = raw[i]!;
    if (c === "\\") {
      if (raw[i + 1] !== "\n") pushText(parts, raw[i + 1] ?? "", false);
      i += 2;
    } else if (c === "'") {
      const close = raw.indexOf("'", i + 1);
      pushText(parts, raw.slice(i + 1, close), true);
      i = close + 1;
    } else if (c === '"' || (c === "$" && raw[i + 1] === '"')) {
      const i18n = c === "$";
      i += i18n ? 2 : 1;
      pushText(parts, "", true);
      while (i < n && raw[i] !== '"') {
        const d = raw[i]!;
        if (d === "\\") {
          const e = raw[i + 1];
          if (e === "\n") i += 2;
          else if (e === '"' || e === "\\" || (!i18n && e === "$")) { pushText(parts, i18n && e === "\\" ? "\\\\" : e, true); i += 2; }
          else { pushText(parts, "\\", true); i += 1; }
        } else if (d === "$" && !i18n) {
          if (!variable(true)) { pushText(parts, "$", true); i += 1; }
        } else {
          pushText(parts, d, true);
          i += 1;
        }
      }
      i += 1;
    } else if (c === "$") {
      if (!variable(false)) { pushText(parts, "$", false); i += 1; }
    } else {
      let j = i + 1;
      while (j < n && !"\\'\"$".includes(raw[j]!)) j++;
      pushText(parts, raw.slice(i, j), false);
      i = j;
    }
  }
  return parts;
}

/** The word's value when it contains no variable; undefined otherwise. */
export function literalValue(raw: string): string | undefined {
  let out = "";
  for (const p of wordParts(raw)) {
    if (p.kind === "var") return undefined;
    out += p.value;
  }
  return out;
}

/** Variable lookup used when expanding: undefined means unset (expands to nothing). */
export type Lookup = (name: string) => string | undefined;

/** Expand a word into the arguments GRUB passes to the command (0, 1 or more). */
export function expandWord(raw: string, lookup: Lookup): string[] {
  const fields: string[] = [];
  let current = "";
  let started = false; // current field exists (has text, or a quoted part)
  for (const p of wordParts(raw)) {
    if (p.kind === "text") {
      current += p.value;
      started ||= p.quoted || p.value !== "";
      continue;
    }
    const value = lookup(p.name) ?? "";
    if (p.quoted) {
      current += value;
      started = true;
      continue;
    }
    // Unquoted expansion: split on blanks; leading/trailing blanks end/start fields.
    const pieces = value.split(/[ \t\n]+/);
    pieces.forEach((piece, k) => {
      if (k > 0) {
        if (started) fields.push(current);
        current = "";
        started = false;
      }
      if (piece !== "") { current += piece; started = true; }
    });
  }
  if (started) fields.push(current);
  return fields;
}

/**
 * Expand a word for display: quotes and escapes removed, variables `lookup` does not know kept
 * as written (`$A_OK` stays `$A_OK`, `${A_OK}` stays `${A_OK}`).
 */
export function displayValue(raw: string, lookup: Lookup = () => undefined): string {
  let out = "";
  for (const p of wordParts(raw)) out += p.kind === "text" ? p.value : (lookup(p.name) ?? p.raw);
  return out;
}

/** True when the word is made only of unquoted variable references (`$menuentry_id_option`). */
export function isBareVariables(raw: string): boolean {
  const parts = wordParts(raw);
  return parts.length > 0 && parts.every((p) => p.kind === "var" && !p.quoted);
}
