/**
 * Boot assessment on systemd-boot, with systemd-bless-boot's semantics
 * (src/bless-boot/bless-boot.c; docs/AUTOMATIC_BOOT_ASSESSMENT.md). Pure: it takes what exists on disk
 * (`NameFacts`, per partition root, in the order ESP, XBOOTLDR) and returns a state or a plan.
 *
 * - status: in the first root where any of the names exists: the booted (counted) file still
 *   there → `dirty` if its LEFT is 0 (bad from an earlier boot) else `indeterminate`; else the good
 *   name → `good`; else the bad name → `bad`. No LoaderBootCountPath → `clean`. None anywhere →
 *   error (systemd: EBUSY "Couldn't determine boot state").
 * - good: target good name, sources the booted name then the bad name; bad: target bad name,
 *   sources booted then good; indeterminate: target booted name, sources good then bad, refused
 *   when LEFT is 0. Renames never clobber; target already there → "already done" (exit 0).
 * - One deliberate difference (systemd issue 33504): when marking good finds both the booted
 *   counted file and an uncounted twin with the good name, systemd does nothing and the counted
 *   entry later goes bad although it booted fine. We replace the twin with the booted file (one
 *   atomic rename), since the booted file is the one that was just proven good.
 */
import { BootctlError } from "../errors.ts";
import type { BootCountPath } from "../model/boot-count-path.ts";
import type { Effect } from "./plan.ts";

export type BlessState = "clean" | "indeterminate" | "dirty" | "good" | "bad";
export type BlessVerb = "good" | "bad" | "indeterminate";

export interface NameFacts {
  root: string;
  /** The booted (counted) file exists. */
  path: boolean;
  good: boolean;
  bad: boolean;
}

export function blessStatus(counted: BootCountPath | undefined, facts: readonly NameFacts[]): BlessState {
  if (!counted) return "clean";
  for (const f of facts) {
    if (f.path) return counted.left === 0n ? "dirty" : "indeterminate";
    if (f.good) return "good";
    if (f.bad) return "bad";
  }
  throw new BootctlError("E_BOOT_STATE_UNKNOWN", `couldn't determine boot state: none of ${counted.path}, ${counted.good}, ${counted.bad} exists`);
}

export interface BlessPlan {
  verb: BlessVerb;
  /** "rename": one rename to do; "already": nothing to do; "twin": replace an uncounted twin;
   * "grubenv": the GRUB environment block changes (GRUB counting, actions/bless-boot.ts). */
  outcome: "rename" | "already" | "twin" | "grubenv";
  effects: Effect[];
  /** Boot attempts done so far, for the log line. */
  done: bigint;
  notes: string[];
}

export function planBless(counted: BootCountPath | undefined, verb: BlessVerb, facts: readonly NameFacts[]): BlessPlan {
  if (!counted) throw new BootctlError("E_NOT_COUNTING", "not booted with boot counting in effect (no LoaderBootCountPath)");
  if (verb === "indeterminate" && counted.left === 0n) {
    throw new BootctlError("E_ALREADY_BAD", "the booted entry was already marked bad in a previous boot; cannot reset it to indeterminate");
  }
  // Effects take paths relative to their partition root.
  const relative = (p: string) => p.replace(/^\/+/, "");
  const names = { path: relative(counted.path), good: relative(counted.good), bad: relative(counted.bad) };
  const target: keyof typeof names = verb === "good" ? "good" : verb === "bad" ? "bad" : "path";
  const sources: (keyof typeof names)[] = verb === "good" ? ["path", "bad"] : verb === "bad" ? ["path", "good"] : ["good", "bad"];
  const base = { verb, done: counted.done };

  for (const f of facts) {
    for (const source of sources) {
      if (!f[source]) continue;
      if (f[target]) {
        if (verb === "good" && source === "path") {
          return {
            ...base,
            outcome: "twin",
            effects: [{ kind: "rename-replace", root: f.root, from: names.path, to: names.good }],
            notes: [`both ${names.path} and its uncounted twin ${names.good} exist; replacing the twin with the entry that booted`],
          };
        }
        return { ...base, outcome: "already", effects: [], notes: ["operation already executed before, not doing anything"] };
      }
      return { ...base, outcome: "rename", effects: [{ kind: "rename", root: f.root, from: names[source], to: names[target] }], notes: [] };
    }
    if (f[target]) return { ...base, outcome: "already", effects: [], notes: ["operation already executed before, not doing anything"] };
  }
  throw new BootctlError("E_BOOT_STATE_UNKNOWN", `can't find boot counter source file for '${names[target]}'`);
}

/** systemd-bless-boot's log line; GRUB counting keeps no attempt count to report. */
export function markedMessage(plan: BlessPlan): string {
  return plan.outcome === "grubenv" ? `Marked boot as '${plan.verb}'.` : `Marked boot as '${plan.verb}'. (Boot attempt counter is at ${plan.done}.)`;
}
