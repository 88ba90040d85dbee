/**
 * The help texts, from the verb declarations (the same ones the man page and the shell
 * completions are made from: manpage.ts, completion.ts). Loaded only when help is asked for.
 *
 * `bootctl-ts --help`: what the tool is, the verbs, the global options, one example.
 * `bootctl-ts help VERB` (or `VERB --help`): the verb's usage, what it does, its own options,
 * then the global options, then its examples.
 */
import type { CAC, Command } from "cac";
import { optionSpecs, usageOf, type OptionSpec } from "./argv.ts";

export const SUMMARY = "boot counting, default selection and automatic fallback for systemd-boot and GRUB";

/** `--root <dir>` as users type it: `--root DIR`, `--json[=MODE]`, `-q, --quiet`. */
export function optionSynopsis(spec: OptionSpec): string {
  const flags = spec.flags.join(", ");
  if (spec.value === "none") return flags;
  const name = (spec.placeholder ?? "value").toUpperCase();
  return spec.value === "optional" ? `${flags}[=${name}]` : `${flags} ${name}`;
}

function widthOf(rows: Array<[string, string]>): number {
  return Math.min(Math.max(0, ...rows.map(([left]) => left.length)), 28);
}

function table(rows: Array<[string, string]>, width = widthOf(rows)): string[] {
  return rows.map(([left, right]) => (left.length > width ? `  ${left}\n  ${" ".repeat(width)}  ${right}` : `  ${left.padEnd(width)}  ${right}`));
}

function optionRows(specs: readonly OptionSpec[]): Array<[string, string]> {
  return specs.map((s) => [optionSynopsis(s), s.description]);
}

function sentence(text: string): string {
  return text.replace(/\.$/, "") + ".";
}

export function examplesOf(command: Command): string[] {
  return (command as unknown as { examples: Array<string | ((name: string) => string)> }).examples.map((e) => (typeof e === "string" ? e : e("bootctl-ts")));
}

/** Further usage lines declared after the first (`grubenv`'s note on FILE). */
function usageNotes(command: Command): string[] {
  const text = (command as unknown as { usageText?: string }).usageText;
  return text === undefined ? [] : text.split("\n").slice(1);
}

/** The verbs that show in the help, man page and completions, in declaration order. */
export function visibleCommands(cli: CAC): Command[] {
  return cli.commands.filter((c) => c.name !== "");
}

export function generalHelp(cli: CAC, version: string): string {
  const lines = [
    `bootctl-ts ${version}: ${SUMMARY}`,
    "",
    "Usage: bootctl-ts [OPTIONS...] VERB [ARGUMENTS...]",
    "",
    "Verbs:",
    ...table(visibleCommands(cli).map((c) => [c.name, c.description])),
    "",
    "Global options (understood by every verb, before or after it):",
    ...table(optionRows(optionSpecs(cli.globalCommand))),
    "",
    "Example:",
    "  bootctl-ts --esp-path=/efi --boot-path=/boot list",
    "",
    "Run 'bootctl-ts help VERB' for a verb's arguments and options; 'man bootctl-ts' for the manual.",
  ];
  return lines.join("\n") + "\n";
}

/** `efi list [-v] | efi set-next N | …`: one line per form when each names the verb. */
export function usageLines(command: Command): string[] {
  const usage = usageOf(command);
  const forms = usage.split(" | ");
  const each = forms.length > 1 && forms.every((f) => f === command.name || f.startsWith(command.name + " ")) ? forms : [usage];
  return each.map((form, i) => `${i === 0 ? "Usage:" : "      "} bootctl-ts [OPTIONS...] ${form}`);
}

export function verbHelp(cli: CAC, command: Command): string {
  const own = optionRows(optionSpecs(command));
  const globals = optionRows(optionSpecs(cli.globalCommand));
  const width = widthOf([...own, ...globals]);
  const lines = [...usageLines(command), ...usageNotes(command), "", sentence(command.description)];
  if (own.length > 0) lines.push("", "Options:", ...table(own, width));
  lines.push("", "Global options:", ...table(globals, width));
  const examples = examplesOf(command);
  if (examples.length > 0) lines.push("", examples.length === 1 ? "Example:" : "Examples:", ...examples.map((e) => `  ${e}`));
  return lines.join("\n") + "\n";
}
