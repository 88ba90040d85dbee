/**
 * `loader.conf` (ESP `/loader/loader.conf`; only the ESP copy is read): lossless codec and the
 * semantic view.
 *
 * Same line syntax as entries (./lines.ts). Keys (systemd-boot, loader.conf(5); src/boot/boot.c `config_defaults_load_from_file()`):
 * `default`, `preferred` (v260), `timeout`, `console-mode`, `editor`, `auto-entries`,
 * `auto-firmware`, `auto-poweroff`, `auto-reboot`, `beep`, `reboot-for-bitlocker`,
 * `reboot-on-error`, `secure-boot-enroll`, `secure-boot-enroll-action`,
 * `secure-boot-enroll-timeout-sec`, `log-level`; historic `random-seed-mode` is accepted.
 * Last occurrence wins; a key without value is ignored with a warning; unknown keys warn.
 *
 * Quoting: sd-boot unquotes a value wrapped in `"…"`, systemd's userspace (bootctl) does not.
 * `default`/`preferred` are kept raw here (`pattern`) and unquoted on request (`bootPattern`).
 */
import { joinLines, parseLine, removeKey, setKey, splitLines, type ConfLine, LONG_LINE_MAX } from "./lines.ts";

export interface LoaderConfDocument {
  lines: ConfLine[];
}

export const LOADER_CONF_KEYS = [
  "default", "preferred", "timeout", "console-mode", "editor", "auto-entries", "auto-firmware",
  "auto-poweroff", "auto-reboot", "beep", "reboot-for-bitlocker", "reboot-on-error",
  "secure-boot-enroll", "secure-boot-enroll-action", "secure-boot-enroll-timeout-sec", "log-level",
  "random-seed-mode",
] as const;
export type LoaderConfKey = (typeof LOADER_CONF_KEYS)[number];

/** sd-boot's timeout: seconds, or one of the menu keywords. */
export type LoaderTimeout = { kind: "seconds"; seconds: number } | { kind: "menu-force" | "menu-hidden" | "menu-disabled" };

export interface LoaderConf {
  /** Raw values, last occurrence of each known key. */
  values: Partial<Record<LoaderConfKey, string>>;
  /** `default` as userspace reads it (raw, not unquoted). */
  defaultPattern?: string;
  preferredPattern?: string;
  timeout?: LoaderTimeout;
  diagnostics: { line: number; message: string }[];
}

export function parseLoaderConf(text: string): LoaderConfDocument {
  return { lines: splitLines(text) };
}

export function serializeLoaderConf(doc: LoaderConfDocument): string {
  return joinLines(doc.lines);
}

/** sd-boot's unquoting: a value wrapped in double quotes loses them. */
export function unquoteBootValue(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/**
 * sd-boot's timeout parsing (src/boot/boot.c): `menu-force`, `menu-hidden`, `menu-disabled`, or a
 * decimal number of seconds (at most UINT32_MAX - 1 is meaningful; larger is refused).
 */
export function parseTimeout(value: string): LoaderTimeout | undefined {
  const v = unquoteBootValue(value);
  if (v === "menu-force" || v === "menu-hidden" || v === "menu-disabled") return { kind: v };
  if (!/^[0-9]+$/.test(v)) return undefined;
  const seconds = Number(v);
  if (seconds > 0xffffffff) return undefined;
  return { kind: "seconds", seconds };
}

export function interpretLoaderConf(doc: LoaderConfDocument): LoaderConf {
  const conf: LoaderConf = { values: {}, diagnostics: [] };
  doc.lines.forEach((l, index) => {
    const line = index + 1;
    if (l.raw.length > LONG_LINE_MAX) {
      conf.diagnostics.push({ line, message: "Line too long." });
      return;
    }
    const parsed = parseLine(l.raw);
    if (parsed.kind === "blank" || parsed.kind === "comment") return;
    if (parsed.kind === "invalid") {
      conf.diagnostics.push({ line, message: "Failed to parse, ignoring line: Invalid argument" });
      return;
    }
    if (parsed.value === "") {
      conf.diagnostics.push({ line, message: `Field '${parsed.key}' without value, ignoring line.` });
      return;
    }
    if (!(LOADER_CONF_KEYS as readonly string[]).includes(parsed.key)) {
      conf.diagnostics.push({ line, message: `Unknown line '${parsed.key}', ignoring.` });
      return;
    }
    conf.values[parsed.key as LoaderConfKey] = parsed.value;
  });
  if (conf.values.default !== undefined) conf.defaultPattern = conf.values.default;
  if (conf.values.preferred !== undefined) conf.preferredPattern = conf.values.preferred;
  if (conf.values.timeout !== undefined) {
    const t = parseTimeout(conf.values.timeout);
    if (t) conf.timeout = t;
    else conf.diagnostics.push({ line: lastLineOf(doc, "timeout"), message: `Invalid timeout '${conf.values.timeout}', ignoring.` });
  }
  return conf;
}

function lastLineOf(doc: LoaderConfDocument, key: string): number {
  for (let i = doc.lines.length - 1; i >= 0; i--) {
    const p = parseLine(doc.lines[i]!.raw);
    if (p.kind === "pair" && p.key === key) return i + 1;
  }
  return 0;
}

/** Set a key (last occurrence edited in place, else appended). */
export function setLoaderConfValue(doc: LoaderConfDocument, key: LoaderConfKey, value: string): LoaderConfDocument {
  return { lines: setKey(doc.lines, key, value) };
}

export function removeLoaderConfKey(doc: LoaderConfDocument, key: LoaderConfKey): LoaderConfDocument {
  return { lines: removeKey(doc.lines, key) };
}
