/**
 * The output of `systemctl show -p P1,P2,… UNIT…` (systemctl(1), "show"): one block of
 * `Property=value` lines per unit, in the order the units were named, blocks separated by an empty
 * line. A value is everything after the first `=` (it may contain `=`); list properties such as
 * Wants= are space-separated unit names. Pure.
 */
export type ShowBlock = Record<string, string>;

export function parseSystemctlShow(text: string): ShowBlock[] {
  const blocks: ShowBlock[] = [];
  let current: ShowBlock | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line === "") {
      current = undefined;
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) continue; // not a property line: systemctl prints none, but never trust it
    if (current === undefined) blocks.push((current = {}));
    current[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return blocks;
}

/** A list property (Wants=, Requires=, …) as unit names. */
export function unitList(value: string | undefined): string[] {
  return (value ?? "").split(/\s+/).filter((u) => u !== "");
}
