/**
 * systemd.time(5) time spans, as systemd's parse_time()/parse_sec() read them (src/basic/time-util.c):
 * a sum of `NUMBER[.FRACTION] [UNIT]` terms, whitespace between them optional ("1min 30s",
 * "1min30s", "5 3" = 8 s), a term without a unit in seconds, or the word `infinity`. Units, matched
 * by prefix in systemd's table order: usec us μs µs, msec ms, seconds second sec s, minutes minute
 * min m, hours hour hr h, days day d, weeks week w, months month M (30.44 d), years year y
 * (365.25 d). The fraction is cut to whole microseconds digit by digit, as systemd does.
 * One deliberate difference: a leading `+` (which strtoll(3) lets through) is refused.
 * Pure: no I/O. Values are microseconds (bigint: systemd's usec_t is 64 bits).
 */

const SEC = 1_000_000n;
const MINUTE = 60n * SEC;
const HOUR = 60n * MINUTE;
const DAY = 24n * HOUR;
/** time-util.h: USEC_PER_MONTH = 2629800 s, USEC_PER_YEAR = 31557600 s. */
const MONTH = 2_629_800n * SEC;
const YEAR = 31_557_600n * SEC;

/** extract_multiplier()'s table, in its order (the first prefix that matches wins). */
const UNITS: readonly (readonly [string, bigint])[] = [
  ["seconds", SEC], ["second", SEC], ["sec", SEC], ["s", SEC],
  ["minutes", MINUTE], ["minute", MINUTE], ["min", MINUTE],
  ["months", MONTH], ["month", MONTH], ["M", MONTH],
  ["msec", 1000n], ["ms", 1000n], ["m", MINUTE],
  ["hours", HOUR], ["hour", HOUR], ["hr", HOUR], ["h", HOUR],
  ["days", DAY], ["day", DAY], ["d", DAY],
  ["weeks", 7n * DAY], ["week", 7n * DAY], ["w", 7n * DAY],
  ["years", YEAR], ["year", YEAR], ["y", YEAR],
  ["usec", 1n], ["us", 1n], ["\u03bcs", 1n], ["\u00b5s", 1n],
];

/** USEC_INFINITY: (usec_t) UINT64_MAX; every finite span is below it. */
export const USEC_INFINITY = (1n << 64n) - 1n;

/** systemd's WHITESPACE: " \t\n\r". */
const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r";
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

export type TimespanResult = { ok: true; usec: bigint } | { ok: false; reason: string };

/** Parse a span; `usec` is USEC_INFINITY for `infinity`. Never throws. */
export function parseTimespan(text: string): TimespanResult {
  const bad = (reason: string): TimespanResult => ({ ok: false, reason });
  let p = 0;
  const skipSpace = () => {
    while (isSpace(text[p])) p++;
  };
  skipSpace();
  if (text.startsWith("infinity", p)) {
    p += "infinity".length;
    skipSpace();
    return p === text.length ? { ok: true, usec: USEC_INFINITY } : bad("text after 'infinity'");
  }
  let usec = 0n;
  let something = false;
  for (;;) {
    skipSpace();
    if (p === text.length) {
      if (!something) return bad("empty time span");
      break;
    }
    if (text[p] === "-") return bad("negative time span");
    const start = p;
    while (isDigit(text[p])) p++;
    const whole = text.slice(start, p);
    let fraction: string | undefined;
    if (text[p] === ".") {
      const f = ++p;
      while (isDigit(text[p])) p++;
      fraction = text.slice(f, p);
    } else if (whole === "") return bad(`expected a number at '${text.slice(start)}'`);
    let q = p;
    while (isSpace(text[q])) q++;
    const unit = UNITS.find(([name]) => text.startsWith(name, q));
    if (unit) q += unit[0].length;
    else if (q === p && q < text.length) return bad(`unknown time unit at '${text.slice(p)}'`);
    const multiplier = unit ? unit[1] : SEC;
    p = q;
    const l = BigInt(whole === "" ? "0" : whole);
    if (l >= USEC_INFINITY / multiplier) return bad("time span too large");
    usec += l * multiplier;
    if (usec >= USEC_INFINITY) return bad("time span too large");
    something = true;
    if (fraction !== undefined) {
      // "0.-0", "3.+1", "3. 1", "3.sec": a dot needs a digit after it.
      if (fraction === "") return bad("expected a digit after '.'");
      let m = multiplier / 10n;
      for (const digit of fraction) {
        usec += BigInt(digit) * m;
        m /= 10n;
      }
      if (usec >= USEC_INFINITY) return bad("time span too large");
    }
  }
  return { ok: true, usec };
}

/** Milliseconds for a timer: Infinity for `infinity`, else rounded up to a whole millisecond. */
export function usecToMs(usec: bigint): number {
  return usec === USEC_INFINITY ? Infinity : Number((usec + 999n) / 1000n);
}
