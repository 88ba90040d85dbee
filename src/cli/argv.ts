/**
 * The command line, checked against the verb declarations (cac's Command and Option objects,
 * declared by commands/<domain>/register.ts) before anything runs.
 *
 * cac declares the verbs; this module reads the command line, because cac's parser (mri) cannot
 * check options wherever they stand: an unknown option before the verb took the verb as its
 * value (`-x list` printed the help and exited 0), and its messages named options camelCased
 * (`--suchThing`). The rules here are getopt_long's, as systemd's tools use it:
 * - options may stand before or after the verb and between its arguments; `--` ends them;
 * - an option taking a value takes it from `--opt=VALUE` or the next word (whatever it is);
 *   an option taking no value refuses `--opt=VALUE`; short flags combine (`-qv`);
 * - `--json` alone takes no value (`--json=MODE` gives one), as systemd's `--json`;
 * - an option must be a global one or one of the verb's own; a repeated option: the last wins;
 * - the number of arguments must fit the verb's declaration (`<required>`, `[optional]`,
 *   `[...variadic]`).
 * Every error is a UsageError (exit 2) naming the option or argument as it was typed.
 */
import type { CAC, Command } from "cac";
import { UsageError } from "../errors.ts";

/** One declared option, as the checker and the help, man page and completions see it. */
export interface OptionSpec {
  /** Every spelling, e.g. ["-q", "--quiet"]. */
  flags: string[];
  /** The key in the options object the body gets (cac's camelCase name, `color` for `--no-color`). */
  key: string;
  /** "none": a flag; "required": `--opt VALUE`; "optional": `--opt` or `--opt=VALUE`. */
  value: "none" | "required" | "optional";
  /** The value's placeholder as declared (`dir` of `--root <dir>`), if any. */
  placeholder: string | undefined;
  /** `--no-…`: gives false. */
  negated: boolean;
  description: string;
}

/** The options handled by the shell itself (main.ts), declared on the global command. */
export const HELP_FLAGS = ["-h", "--help"] as const;
export const VERSION_FLAGS = ["-V", "--version"] as const;

interface CacOption {
  rawName: string;
  description: string;
  name: string;
  negated: boolean;
}

export function optionSpec(option: CacOption): OptionSpec {
  const flags: string[] = [];
  let value: OptionSpec["value"] = "none";
  let placeholder: string | undefined;
  for (const part of option.rawName.split(",")) {
    const [flag, ...rest] = part.trim().split(/\s+/);
    flags.push(flag!);
    const spec = rest.join(" ");
    const m = /^([<[])([^>\]]+)[>\]]$/.exec(spec);
    if (m) {
      value = m[1] === "<" ? "required" : "optional";
      placeholder = m[2];
    }
  }
  return { flags, key: option.name, value, placeholder, negated: option.negated, description: option.description };
}

export function optionSpecs(command: Command): OptionSpec[] {
  return (command.options as unknown as CacOption[]).map(optionSpec);
}

/** A verb's positional arguments, from its declaration (`add <kernel-version> <kernel-image> [...initrds]`). */
export interface ArgumentSpec {
  name: string;
  required: boolean;
  variadic: boolean;
}

export function argumentSpecs(command: Command): ArgumentSpec[] {
  return (command.args as Array<{ value: string; required: boolean; variadic: boolean }>).map((a) => ({ name: a.value, required: a.required, variadic: a.variadic }));
}

/** The usage line of a verb, without the program name. */
export function usageOf(command: Command): string {
  return (command as unknown as { usageText?: string }).usageText?.split("\n")[0] ?? command.rawName;
}

export interface ParsedCommandLine {
  /** The verb's declaration; undefined when no verb was given. */
  command: Command | undefined;
  /** The arguments after the verb, in order (those after `--` included). */
  args: string[];
  /** The options, by key: strings for values, true for flags, false for `--no-…`. */
  options: Record<string, string | boolean>;
  help: boolean;
  version: boolean;
}

interface Occurrence {
  typed: string;
  /** Undefined for an option no verb declares (reported once the verb is known). */
  spec: OptionSpec | undefined;
  value: string | undefined;
}

function see(command: Command | undefined): string {
  return command ? `see 'bootctl-ts help ${command.name}'` : "see 'bootctl-ts --help'";
}

/**
 * Reads `argv` (without node and the script) against the declarations of `cli`.
 * `bareJson` is the mode a bare `--json` means (pretty on a terminal, short otherwise).
 */
export function parseCommandLine(cli: CAC, argv: readonly string[], bareJson: () => string): ParsedCommandLine {
  const globals = optionSpecs(cli.globalCommand);
  const byFlag = new Map<string, OptionSpec>();
  // Before the verb is known, an option is looked up among all declarations (a verb's own option
  // may stand before it); its value-taking is the same wherever it is declared.
  for (const command of [cli.globalCommand, ...cli.commands]) {
    for (const spec of optionSpecs(command)) for (const flag of spec.flags) if (!byFlag.has(flag)) byFlag.set(flag, spec);
  }
  const positionals: string[] = [];
  let positionalsBeforeDoubleDash = 0;
  const occurrences: Occurrence[] = [];
  let afterDoubleDash = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (afterDoubleDash || arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
      if (!afterDoubleDash) positionalsBeforeDoubleDash++;
      continue;
    }
    if (arg === "--") {
      afterDoubleDash = true;
      continue;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const typed = eq < 0 ? arg : arg.slice(0, eq);
      const spec = byFlag.get(typed);
      let value: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
      if (spec?.value === "none" && value !== undefined) throw new UsageError(`option '${typed}' takes no value`);
      if (spec?.value === "required" && value === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`option '${typed}' needs a value`);
        value = argv[++i]!;
      }
      occurrences.push({ typed, spec, value });
      continue;
    }
    // Short options: `-q`, `-qv`; one taking a value takes the rest of the word or the next word.
    for (let j = 1; j < arg.length; j++) {
      const typed = "-" + arg[j]!;
      const spec = byFlag.get(typed);
      let value: string | undefined;
      if (spec?.value === "required") {
        if (j + 1 < arg.length) value = arg.slice(j + 1);
        else if (i + 1 < argv.length) value = argv[++i]!;
        else throw new UsageError(`option '${typed}' needs a value`);
        occurrences.push({ typed, spec, value });
        break;
      }
      occurrences.push({ typed, spec, value });
    }
  }

  const help = occurrences.some((o) => (HELP_FLAGS as readonly string[]).includes(o.typed));
  const version = occurrences.some((o) => (VERSION_FLAGS as readonly string[]).includes(o.typed));
  const verbName = positionalsBeforeDoubleDash > 0 ? positionals[0] : undefined;
  const command = verbName === undefined ? undefined : cli.commands.find((c) => c.isMatched(verbName));
  if (verbName !== undefined && !command) {
    if (help || version) return { command: undefined, args: [], options: {}, help, version };
    // An unknown option first: it may have taken the word after it as its value.
    const stray = occurrences.find((o) => o.spec === undefined);
    throw new UsageError(stray ? `unknown option '${stray.typed}'; ${see(undefined)}` : `unknown verb '${verbName}'; ${see(undefined)}`);
  }
  const args = command ? positionals.slice(1) : positionals;

  const own = command ? optionSpecs(command) : [];
  const options: Record<string, string | boolean> = {};
  for (const { typed, value } of occurrences) {
    // The verb's own declaration first: its meaning of a flag wins over another verb's.
    const spec = own.find((s) => s.flags.includes(typed)) ?? globals.find((s) => s.flags.includes(typed));
    if (!spec) {
      if (help || version) continue;
      throw new UsageError(command ? `${command.name}: unknown option '${typed}'; ${see(command)}` : `unknown option '${typed}'; ${see(undefined)}`);
    }
    if (spec.key === "json" && value === undefined) options.json = bareJson();
    else options[spec.key] = value ?? !spec.negated;
  }
  if (help || version || !command) return { command, args, options, help, version };

  const declared = argumentSpecs(command);
  const required = declared.filter((a) => a.required).length;
  const usage = `usage: bootctl-ts ${usageOf(command)}`;
  if (args.length < required) {
    throw new UsageError(`${command.name}: missing argument <${declared[args.length]!.name}> (${usage})`);
  }
  if (!declared.some((a) => a.variadic) && args.length > declared.length) {
    throw new UsageError(`${command.name}: unexpected argument '${args[declared.length]}' (${usage})`);
  }
  return { command, args, options, help, version };
}
