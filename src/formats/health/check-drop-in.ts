/**
 * A health check's drop-in file (`<kind>.d/NAME.d/*.conf`, see src/ops/health.ts for where they
 * are read from), in systemd's unit-file syntax (systemd.syntax(7)): `[Section]` headers,
 * `Key=Value` lines, whitespace around key and value ignored, empty lines and lines starting with
 * `#` or `;` ignored. One section and one key exist:
 *
 *   [Check]
 *   TimeoutSec=90s
 *
 * `TimeoutSec=` is a systemd.time(5) span (formats/health/timespan.ts); `infinity` or `0` means no
 * limit of its own (as TimeoutStartSec=0 in systemd.service(5)); an empty value resets it to the
 * default, as an empty assignment does in systemd. The last assignment wins, across the files in
 * the order they are read. Anything else (another section or key, a line without `=`, a bad span,
 * a trailing backslash: continuation lines are not supported) is a ParseError (E_CHECK_DROP_IN)
 * with the line, so a typo is reported, never silently turned into a default. Pure.
 */
import { ParseError } from "../../errors.ts";
import { USEC_INFINITY, parseTimespan } from "./timespan.ts";

export interface CheckSettings {
  /** Microseconds; USEC_INFINITY for no limit of its own; undefined: the default. */
  timeoutUsec?: bigint;
}

/** Apply one drop-in's text to `settings` (a copy is returned). `file` names it in errors. */
export function applyCheckDropIn(settings: CheckSettings, text: string, file?: string): CheckSettings {
  const out: CheckSettings = { ...settings };
  let section: string | undefined;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const fail = (reason: string): never => {
      throw new ParseError("E_CHECK_DROP_IN", reason, file === undefined ? { line: i + 1 } : { file, line: i + 1 });
    };
    const line = lines[i]!.replace(/\r$/, "").trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    if (line.endsWith("\\")) fail("continuation lines are not supported in check drop-ins");
    if (line.startsWith("[")) {
      if (!line.endsWith("]")) fail(`invalid section header '${line}'`);
      section = line.slice(1, -1);
      if (section !== "Check") fail(`unknown section [${section}] (only [Check])`);
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) fail(`expected Key=Value, got '${line}'`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (section === undefined) fail(`assignment '${key}=' outside of a section (put it under [Check])`);
    if (key !== "TimeoutSec") fail(`unknown key '${key}' in [Check] (only TimeoutSec=)`);
    if (value === "") {
      delete out.timeoutUsec;
      continue;
    }
    const span = parseTimespan(value);
    if (!span.ok) fail(`TimeoutSec=${value}: not a time span (systemd.time(5)): ${span.reason}`);
    else out.timeoutUsec = span.usec === 0n ? USEC_INFINITY : span.usec;
  }
  return out;
}
