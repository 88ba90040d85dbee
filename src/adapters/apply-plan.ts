/**
 * Carries out a plan (src/ops/plan.ts) through the crash-safe file layer, effect by effect, in
 * order. Plans are ordered by the operations so that a stop after any effect leaves a consistent
 * state (files complete before an entry names them; entries gone before their files).
 */
import { FileError } from "../errors.ts";
import type { Effect, Plan } from "../ops/plan.ts";
import {
  atomicReplace, copyFileDurable, mkdirDurable, removeDurable, renameNoReplace, renameReplace, rmdirDurable, type StepSeam,
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

export async function applyPlan(plan: Pick<Plan, "effects">, options: ApplyOptions = {}): Promise<void> {
  for (const effect of plan.effects) await applyEffect(effect, options);
}
