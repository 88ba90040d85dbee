/**
 * Plans: what an operation wants to change, as data. Operations (src/ops) are pure and return
 * plans; adapters/apply-plan.ts carries them out through the crash-safe file layer, in order;
 * `--dry-run` prints them with `describeEffect` instead. Every path is relative to its `root`.
 */

export type Effect =
  /** Rename without clobbering (renameNoReplace). */
  | { kind: "rename"; root: string; from: string; to: string }
  /** Rename that deliberately replaces an existing target, atomically (rename(2)). */
  | { kind: "rename-replace"; root: string; from: string; to: string }
  | { kind: "write-file"; root: string; path: string; content: Uint8Array; mode?: number }
  | { kind: "copy-file"; root: string; source: string; path: string; mode?: number }
  | { kind: "remove"; root: string; path: string }
  | { kind: "mkdir"; root: string; path: string }
  /** Remove an empty directory (a missing one is fine). */
  | { kind: "rmdir"; root: string; path: string }
  /** Remove a directory if it is empty by then; one still holding files is kept. */
  | { kind: "rmdir-if-empty"; root: string; path: string };

export interface Plan {
  effects: Effect[];
  /** Messages for the user about the plan (warnings, notes), in order. */
  notes: string[];
}

function joinRoot(root: string, p: string): string {
  return root.replace(/\/+$/, "") + "/" + p.replace(/^\/+/, "");
}

/** One line, as `--dry-run` prints it. */
export function describeEffect(effect: Effect): string {
  switch (effect.kind) {
    case "rename": return `rename ${joinRoot(effect.root, effect.from)} → ${joinRoot(effect.root, effect.to)}`;
    case "rename-replace": return `rename ${joinRoot(effect.root, effect.from)} → ${joinRoot(effect.root, effect.to)} (replacing it)`;
    case "write-file": return `write ${joinRoot(effect.root, effect.path)} (${effect.content.length} bytes)`;
    case "copy-file": return `copy ${effect.source} → ${joinRoot(effect.root, effect.path)}`;
    case "remove": return `remove ${joinRoot(effect.root, effect.path)}`;
    case "mkdir": return `create directory ${joinRoot(effect.root, effect.path)}`;
    case "rmdir": return `remove directory ${joinRoot(effect.root, effect.path)}`;
    case "rmdir-if-empty": return `remove directory ${joinRoot(effect.root, effect.path)} if empty`;
  }
}

/** JSON-friendly form of an effect (file contents summarised by size). */
export function effectToJson(effect: Effect): Record<string, unknown> {
  if (effect.kind === "write-file") {
    const { content, ...rest } = effect;
    return { ...rest, bytes: content.length };
  }
  return { ...effect };
}
