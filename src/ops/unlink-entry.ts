/**
 * `unlink ID` and `cleanup`, with bootctl's semantics (v253+; src/bootctl/bootctl-unlink.c, bootctl(1)): unlink removes
 * the entries matching ID (an id or a glob, matched case-insensitively like loader patterns) and
 * then every file they reference that no remaining entry references; cleanup removes the files
 * under `$BOOT/<entry-token>/` that no entry references. Pure: works on the loaded entries and
 * file lists, returns a plan. Entry files go first, so a stop half-way never leaves an entry
 * naming a deleted file; directories emptied by the removals go last.
 */
import { BootctlError } from "../errors.ts";
import type { BootEntry } from "../model/boot-entry.ts";
import { fnmatchCasefold } from "../model/fnmatch.ts";
import type { Effect, Plan } from "./plan.ts";

/** Files an entry needs, as `root` + path relative to it (`/token/6.1/linux` → `token/6.1/linux`). */
export function referencedFiles(entry: BootEntry): string[] {
  const paths = [entry.linux, entry.efi, entry.uki, entry.devicetree, ...entry.initrd, ...entry.devicetreeOverlay];
  return paths.filter((p): p is string => typeof p === "string" && p !== "").map((p) => p.replace(/^\/+/, ""));
}

function key(root: string, relative: string): string {
  return `${root}\0${relative}`;
}

function relativeTo(root: string, absolute: string): string {
  return absolute.startsWith(root + "/") ? absolute.slice(root.length + 1) : absolute;
}

/** Parent directories of `relative` (deepest first), without the partition root itself. */
function parents(relative: string): string[] {
  const out: string[] = [];
  for (let i = relative.lastIndexOf("/"); i > 0; i = relative.lastIndexOf("/", i - 1)) out.push(relative.slice(0, i));
  return out;
}

export function planUnlink(entries: readonly BootEntry[], idOrGlob: string): Plan & { unlinked: string[] } {
  const targets = entries.filter((e) => (e.type === "type1" || e.type === "type2") && (fnmatchCasefold(idOrGlob, e.id) || e.id.toLowerCase() === idOrGlob.toLowerCase()));
  if (targets.length === 0) throw new BootctlError("E_NO_SUCH_ENTRY", `no boot entry matches '${idOrGlob}'`);
  const remaining = entries.filter((e) => !targets.includes(e));
  const stillNeeded = new Set<string>();
  for (const e of remaining) {
    for (const f of referencedFiles(e)) stillNeeded.add(key(e.root, f));
    stillNeeded.add(key(e.root, relativeTo(e.root, e.path)));
  }
  const effects: Effect[] = [];
  const files: Effect[] = [];
  const dirs = new Map<string, Effect>();
  const seen = new Set<string>();
  for (const e of targets) {
    const entryFile = relativeTo(e.root, e.path);
    if (!seen.has(key(e.root, entryFile))) {
      seen.add(key(e.root, entryFile));
      effects.push({ kind: "remove", root: e.root, path: entryFile });
    }
    for (const f of referencedFiles(e)) {
      if (stillNeeded.has(key(e.root, f)) || seen.has(key(e.root, f))) continue;
      seen.add(key(e.root, f));
      files.push({ kind: "remove", root: e.root, path: f });
      for (const d of parents(f)) if (!dirs.has(key(e.root, d))) dirs.set(key(e.root, d), { kind: "rmdir-if-empty", root: e.root, path: d });
    }
  }
  return { effects: [...effects, ...files, ...[...dirs.values()]], notes: [], unlinked: targets.map((e) => e.id) };
}

export interface CleanupInputs {
  entries: readonly BootEntry[];
  /** The partition root holding the entry-token directory. */
  root: string;
  entryToken: string;
  /** Files (relative to `root`, e.g. `token/6.1/linux`) found under `root/<entryToken>/`. */
  files: readonly string[];
  /** Directories (relative to `root`) found under `root/<entryToken>/`. The empty ones go too:
   * an unlink, remove or cleanup stopped before its last rmdir leaves them, and nothing else
   * would ever take them away. */
  directories?: readonly string[];
}

export function planCleanup(inputs: CleanupInputs): Plan {
  const referenced = new Set<string>();
  for (const e of inputs.entries) if (e.root === inputs.root) for (const f of referencedFiles(e)) referenced.add(f);
  for (const e of inputs.entries) if (e.root === inputs.root) referenced.add(relativeTo(e.root, e.path));
  const effects: Effect[] = [];
  const dirs = new Set<string>(inputs.directories ?? []);
  const kept: string[] = [];
  for (const f of [...inputs.files].sort()) {
    if (referenced.has(f)) {
      kept.push(f);
      continue;
    }
    effects.push({ kind: "remove", root: inputs.root, path: f });
    for (const d of parents(f)) dirs.add(d);
  }
  // Directories that will hold no file, deepest first (rmdir-if-empty keeps any that still has
  // something else in it, such as a symbolic link).
  const emptied = [...dirs]
    .filter((d) => !kept.some((f) => f.startsWith(`${d}/`)))
    .sort((a, b) => b.split("/").length - a.split("/").length || (a < b ? -1 : a > b ? 1 : 0));
  return { effects: [...effects, ...emptied.map((d): Effect => ({ kind: "rmdir-if-empty", root: inputs.root, path: d }))], notes: [] };
}
