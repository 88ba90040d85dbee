/**
 * os-release(5) text (as embedded in a UKI's `.osrel`), parsed the way systemd's
 * `parse_env_file()` reads it (src/basic/env-file.c), for the fields a boot menu needs:
 * `KEY=VALUE` lines; whitespace around the key and `=` ignored; lines starting with `#` or `;`
 * are comments; a value may be double-quoted (backslash escapes `"`, `\`, `` ` `` and `$`),
 * single-quoted (literal) or bare (a backslash escapes the next character; trailing whitespace
 * dropped); an empty value counts as absent. Pure.
 */
export type OsRelease = Record<string, string>;

export function parseOsRelease(text: string): OsRelease {
  const out: OsRelease = {};
  for (const rawLine of text.split(/\r?\n|\r/)) {
    const line = rawLine.replace(/^[ \t]+/, "");
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    const value = unquote(line.slice(eq + 1).replace(/^[ \t]+/, ""));
    if (value === "") delete out[key];
    else out[key] = value;
  }
  return out;
}

function unquote(v: string): string {
  let out = "";
  let i = 0;
  while (i < v.length) {
    const c = v[i]!;
    if (c === '"') {
      i++;
      while (i < v.length && v[i] !== '"') {
        if (v[i] === "\\" && i + 1 < v.length && '"\\`$'.includes(v[i + 1]!)) {
          out += v[i + 1];
          i += 2;
        } else {
          out += v[i];
          i++;
        }
      }
      i++;
    } else if (c === "'") {
      const end = v.indexOf("'", i + 1);
      const stop = end < 0 ? v.length : end;
      out += v.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === "\\" && i + 1 < v.length) {
      out += v[i + 1];
      i += 2;
    } else if (c === " " || c === "\t") {
      // Bare whitespace: kept only when more non-blank text follows (trailing blanks dropped).
      const rest = v.slice(i).replace(/^[ \t]+/, "");
      if (rest === "") break;
      out += c;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * `bootspec_pick_name_version_sort_key()` (src/fundamental/bootspec-fundamental.c): title =
 * PRETTY_NAME ?: IMAGE_ID ?: NAME ?: ID; version = IMAGE_VERSION ?: VERSION ?: VERSION_ID ?:
 * BUILD_ID; sort key = IMAGE_ID ?: ID. Undefined when there is no name (systemd refuses the UKI).
 */
export function pickNameVersionSortKey(os: OsRelease): { name: string; version?: string; sortKey?: string } | undefined {
  const name = os.PRETTY_NAME ?? os.IMAGE_ID ?? os.NAME ?? os.ID;
  if (name === undefined) return undefined;
  const out: { name: string; version?: string; sortKey?: string } = { name };
  const version = os.IMAGE_VERSION ?? os.VERSION ?? os.VERSION_ID ?? os.BUILD_ID;
  if (version !== undefined) out.version = version;
  const sortKey = os.IMAGE_ID ?? os.ID;
  if (sortKey !== undefined) out.sortKey = sortKey;
  return out;
}
