/** Printing a plan: `--dry-run` lists what would change, `--json` prints it as data. */
import { describeEffect, effectToJson, type Plan } from "../../../ops/plan.ts";
import type { CommandInvocation } from "../../invocation.ts";
import type { Output } from "../../output.ts";

/**
 * A plan's notes: a warning (`warning: …`, `GRUB: warning: …`) as warnings print, prefixed with
 * the program's name; anything else is an informational line and does not start like an error.
 * `-q` silences both.
 */
export function printNotes(output: Output, notes: readonly string[]): void {
  for (const note of notes) output.info(/^(\w+: )?warning: /.test(note) ? `bootctl-ts: ${note}` : note);
}

/** A file whose text `--dry-run` shows under its line (an entry, loader.conf): a text file named *.conf. */
function shownText(path: string): boolean {
  return path.endsWith(".conf");
}

export function printPlan({ globals, output }: CommandInvocation, plan: Plan, extra: Record<string, unknown> = {}): void {
  if (globals.json !== "off") {
    output.printJson({ ...extra, dryRun: globals.dryRun, effects: plan.effects.map(effectToJson), notes: plan.notes });
    return;
  }
  printNotes(output, plan.notes);
  // What was done is informational (-q silences it); what would be done is what --dry-run asked for.
  if (!globals.dryRun && output.quiet) return;
  const prefix = globals.dryRun ? "would " : "";
  for (const effect of plan.effects) {
    const text = globals.dryRun && effect.kind === "write-file" && shownText(effect.path) ? Buffer.from(effect.content).toString("utf8") : undefined;
    output.line(prefix + describeEffect(effect) + (text === undefined ? "" : ":"));
    if (text !== undefined) for (const line of text.replace(/\n$/, "").split("\n")) output.line(`    ${line}`);
  }
}
