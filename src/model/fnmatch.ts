/**
 * glibc `fnmatch(pattern, string, FNM_CASEFOLD)` as systemd uses it to match entry ids against
 * `default`/`preferred` patterns and the `LoaderEntry*` variables (src/shared/bootspec.c
 * `boot_config_find()`): no FNM_PATHNAME and no FNM_PERIOD, so `*` and `?` also match `/` and a
 * leading `.`; a backslash quotes the next character; `[...]` with `!`/`^` negation, ranges and
 * `[:class:]`; an unterminated `[` is an ordinary character. Case folding is ASCII (C locale).
 */

function fold(c: string): string {
  return c >= "A" && c <= "Z" ? c.toLowerCase() : c;
}

const CLASSES: Record<string, (c: string) => boolean> = {
  alnum: (c) => /^[A-Za-z0-9]$/.test(c),
  alpha: (c) => /^[A-Za-z]$/.test(c),
  blank: (c) => c === " " || c === "\t",
  cntrl: (c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127,
  digit: (c) => /^[0-9]$/.test(c),
  graph: (c) => c.charCodeAt(0) > 32 && c.charCodeAt(0) < 127,
  lower: (c) => /^[a-z]$/.test(c),
  print: (c) => c.charCodeAt(0) >= 32 && c.charCodeAt(0) < 127,
  punct: (c) => /^[!-\/:-@\[-`{-~]$/.test(c),
  space: (c) => /^[ \t\n\v\f\r]$/.test(c),
  upper: (c) => /^[A-Z]$/.test(c),
  xdigit: (c) => /^[0-9A-Fa-f]$/.test(c),
};

/** Match a bracket expression starting at `p[i] === "["`; returns [matched, next index] or undefined if unterminated. */
function bracket(p: string, i: number, c: string): [boolean, number] | undefined {
  let j = i + 1;
  let negate = false;
  if (p[j] === "!" || p[j] === "^") {
    negate = true;
    j++;
  }
  let matched = false;
  let first = true;
  const fc = fold(c);
  for (;;) {
    if (j >= p.length) return undefined;
    let ch = p[j]!;
    if (ch === "]" && !first) {
      j++;
      break;
    }
    first = false;
    if (ch === "[" && p[j + 1] === ":") {
      const close = p.indexOf(":]", j + 2);
      if (close >= 0) {
        const name = p.slice(j + 2, close);
        const test = CLASSES[name];
        if (test && (test(c) || (name === "upper" || name === "lower" ? test(c.toUpperCase()) || test(c.toLowerCase()) : false))) matched = true;
        j = close + 2;
        continue;
      }
    }
    if (ch === "\\" && j + 1 < p.length) {
      j++;
      ch = p[j]!;
    }
    j++;
    if (p[j] === "-" && j + 1 < p.length && p[j + 1] !== "]") {
      let hi = p[j + 1]!;
      j += 2;
      if (hi === "\\" && j < p.length) {
        hi = p[j]!;
        j++;
      }
      const lo = fold(ch);
      const up = fold(hi);
      if ((fc >= lo && fc <= up) || (c >= ch && c <= hi)) matched = true;
    } else if (fold(ch) === fc) {
      matched = true;
    }
  }
  return [matched !== negate, j];
}

export function fnmatchCasefold(pattern: string, text: string): boolean {
  const memo = new Map<number, boolean>();
  const go = (pi: number, ti: number): boolean => {
    const key = pi * (text.length + 1) + ti;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    if (pi >= pattern.length) {
      result = ti >= text.length;
    } else {
      const pc = pattern[pi]!;
      if (pc === "*") {
        let next = pi;
        while (pattern[next] === "*") next++;
        result = false;
        for (let k = ti; k <= text.length && !result; k++) result = go(next, k);
      } else if (ti >= text.length) {
        result = false;
      } else if (pc === "?") {
        result = go(pi + 1, ti + 1);
      } else if (pc === "[") {
        const b = bracket(pattern, pi, text[ti]!);
        if (b === undefined) result = text[ti] === "[" && go(pi + 1, ti + 1);
        else result = b[0] && go(b[1], ti + 1);
      } else if (pc === "\\") {
        // A trailing backslash never matches (glibc: "Trailing \ loses").
        result = pi + 1 < pattern.length && fold(pattern[pi + 1]!) === fold(text[ti]!) && go(pi + 2, ti + 1);
      } else {
        result = fold(pc) === fold(text[ti]!) && go(pi + 1, ti + 1);
      }
    }
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}
