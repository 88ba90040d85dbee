/**
 * The boot-assessment state of the current boot, as `systemd-bless-boot status` reports it
 * (src/bless-boot/bless-boot.c; systemd.md §3.3):
 * - no `LoaderBootCountPath` variable → `clean` (not booted with boot counting);
 * - for each partition root: the booted path still exists → `dirty` when its LEFT is 0 (already
 *   bad in an earlier boot, v258+) else `indeterminate`; else the good name exists → `good`; else
 *   the bad name exists → `bad`; nothing in any root → undefined ("Couldn't determine boot state").
 * `LoaderBootCountPath` uses backslashes and is relative to the partition; it must name a counted
 * file (contain `+`), else it is invalid.
 */
import { badName, extractTries, goodName } from "./boot-counter.ts";

export type AssessmentState = "clean" | "indeterminate" | "dirty" | "good" | "bad";

export interface Assessment {
  state: AssessmentState | undefined;
  /** The booted file, `/`-separated, relative to its partition (when the variable is set). */
  path?: string;
  /** The root the state was found in. */
  root?: string;
  reason?: string;
}

/** `\loader\entries\foo+2-1.conf` → `/loader/entries/foo+2-1.conf`; undefined if unusable. */
export function normaliseBootCountPath(value: string): string | undefined {
  const p = value.replace(/\\/g, "/");
  const abs = p.startsWith("/") ? p : "/" + p;
  if (abs.split("/").some((c) => c === "." || c === "..") || abs.endsWith("/")) return undefined;
  const base = abs.slice(abs.lastIndexOf("/") + 1);
  if (!base.includes("+")) return undefined;
  return abs.replace(/\/+/g, "/");
}

export function assessBoot(countPath: string | undefined, roots: readonly string[], exists: (root: string, relative: string) => boolean): Assessment {
  if (countPath === undefined) return { state: "clean" };
  const path = normaliseBootCountPath(countPath);
  if (path === undefined) return { state: undefined, reason: `LoaderBootCountPath '${countPath}' is not a counted entry path` };
  const dir = path.slice(0, path.lastIndexOf("/") + 1);
  const base = path.slice(dir.length);
  let counter;
  try {
    counter = extractTries(base).counter;
  } catch {
    counter = undefined;
  }
  if (!counter) return { state: undefined, path, reason: `no boot counter in '${base}'` };
  const good = dir + goodName(base)!;
  const bad = dir + badName(base)!;
  for (const root of roots) {
    if (exists(root, path)) return { state: counter.left === 0 ? "dirty" : "indeterminate", path, root };
    if (exists(root, good)) return { state: "good", path, root };
    if (exists(root, bad)) return { state: "bad", path, root };
  }
  return { state: undefined, path, reason: "Couldn't determine boot state" };
}
