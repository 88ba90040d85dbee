/**
 * Carries out a plan (src/ops/plan.ts) through the crash-safe file layer, effect by effect, in
 * order. Plans are ordered by the operations so that a stop after any effect leaves a consistent
 * state (files complete before an entry names them; entries gone before their files).
 *
 * When an effect fails (ENOSPC on a full ESP, EROFS, EIO, …) the effects already done are undone
 * in reverse order where that is possible — directories and files the plan created are removed,
 * renames are reversed — so a failed operation leaves the tree as it found it. Replaced file
 * contents and removals cannot be undone; plans put those last. A simulated crash (tests) undoes
 * nothing, as a power cut would not.
 *
 * Before the first effect, every path the plan touches is checked as each effect would check it
 * (inside its root, no symbolic link below the root): a plan that would be refused half-way — a
 * symlinked kernel file after its entry was removed — is refused before anything changes.
 */
import { lstat } from "node:fs/promises";
import { FileError, cleanUpAfter, errnoOf } from "../errors.ts";
import { confine, resolveSafe } from "./root-path.ts";
import type { Effect, Plan } from "../ops/plan.ts";
import {
  atomicReplace, copyFileDurable, mkdirDurable, removeDurable, renameNoReplace, renameReplace, rmdirDurable, SimulatedCrash, type StepSeam,
} from "./durable-fs.ts";

export interface ApplyOptions {
  /** Passed to every file operation (tests stop plans at any step). */
  seam?: StepSeam;
}

export async function applyEffect(effect: Effect, options: ApplyOptions = {}): Promise<void> {
  const o = options.seam ? { seam: options.seam } : {};
  switch (effect.kind) {
    case "rename": await renameNoReplace(effect.root, effect.from, effect.to, o); return;
    case "rename-replace": await renameReplace(effect.root, effect.from, effect.to, o); return;
    case "write-file": await atomicReplace(effect.root, effect.path, effect.content, effect.mode === undefined ? o : { ...o, mode: effect.mode }); return;
    case "copy-file": await copyFileDurable(effect.root, effect.source, effect.path, effect.mode === undefined ? o : { ...o, mode: effect.mode }); return;
    case "remove": await removeDurable(effect.root, effect.path, o); return;
    case "mkdir": await mkdirDurable(effect.root, effect.path, o); return;
    case "rmdir": await rmdirDurable(effect.root, effect.path, o); return;
    case "rmdir-if-empty":
      try {
        await rmdirDurable(effect.root, effect.path, o);
      } catch (err) {
        if (!(err instanceof FileError && (err.errno === "ENOTEMPTY" || err.errno === "EEXIST"))) throw err;
      }
      return;
  }
}

async function exists(root: string, p: string): Promise<boolean> {
  try {
    await lstat(confine(root, p));
    return true;
  } catch (err) {
    if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") return false;
    throw err;
  }
}

type Undo = () => Promise<void>;

/** How to undo `effect`, decided before it runs (what existed then); undefined if it cannot be. */
async function undoFor(effect: Effect): Promise<Undo | undefined> {
  switch (effect.kind) {
    case "mkdir": {
      // mkdir -p creates every missing ancestor; undo removes those, deepest first.
      const missing: string[] = [];
      let current = effect.path.replace(/\/+$/, "");
      while (current !== "" && current !== "." && current !== "/" && !(await exists(effect.root, current))) {
        missing.push(current);
        const slash = current.lastIndexOf("/");
        current = slash <= 0 ? "" : current.slice(0, slash);
      }
      // Each directory on its own: the deepest may never have been created (mkdir failed there,
      // e.g. ENAMETOOLONG), and a failure to remove it must not keep its parents behind.
      return async () => {
        let failure: unknown;
        for (const dir of missing) {
          await applyEffect({ kind: "rmdir-if-empty", root: effect.root, path: dir }).catch((err: unknown) => { failure ??= err; });
        }
        if (failure !== undefined) throw failure;
      };
    }
    case "copy-file":
    case "write-file":
      return (await exists(effect.root, effect.path)) ? undefined : () => applyEffect({ kind: "remove", root: effect.root, path: effect.path });
    case "rename":
      return () => applyEffect({ kind: "rename", root: effect.root, from: effect.to, to: effect.from });
    default:
      return undefined;
  }
}

/** The paths below its root that an effect changes (a copy's source is read, not changed). */
function touchedPaths(effect: Effect): string[] {
  switch (effect.kind) {
    case "rename":
    case "rename-replace":
      return [effect.from, effect.to];
    default:
      return [effect.path];
  }
}

/** Refuses the plan (SymlinkRefusedError, or the confinement error) if any effect would be. */
async function preflight(plan: Pick<Plan, "effects">): Promise<void> {
  for (const effect of plan.effects) for (const p of touchedPaths(effect)) await resolveSafe(effect.root, p);
}

export async function applyPlan(plan: Pick<Plan, "effects">, options: ApplyOptions = {}): Promise<void> {
  await preflight(plan);
  const done: Undo[] = [];
  try {
    for (const effect of plan.effects) {
      // Registered before it runs: an effect that fails half-way (its rename done, its directory
      // fsync failed) is undone too; undoing what never happened is a harmless no-op.
      const undo = await undoFor(effect);
      if (undo) done.push(undo);
      await applyEffect(effect, options);
    }
  } catch (err) {
    if (err instanceof SimulatedCrash) throw err;
    for (const undo of done.reverse()) await cleanUpAfter(err, undo);
    throw err;
  }
}
