/**
 * The `bootctl-ts` command: argument parsing and the error policy, nothing else.
 *
 * - Verbs are declared by registration modules (see registry.ts); their bodies load lazily, so
 *   `--version` and `--help` load no command code, no chalk, no fs-extra.
 * - Exit status: what the body returns (default 0); 1 for a failed operation (BootctlError);
 *   2 for a usage error (UsageError, or cac's CACError for unknown options and missing
 *   arguments). Errors print one line, `bootctl-ts: <message>`, to stderr; a stack trace only
 *   with BOOTCTL_TS_DEBUG=1 or for internal errors (bugs).
 * - `runCli(argv, streams)` takes its inputs as parameters so tests can run it in-process.
 */
import type { CAC, Command } from "cac";
import { BootctlError, UsageError } from "../errors.ts";
import { ensureCustomEvent } from "./custom-event.ts";
import type { CommandBody, CommandInvocation, GlobalOptions, JsonMode, LazyCommandBody } from "./invocation.ts";
import type { OutputStreams } from "./output.ts";

declare const __BOOTCTL_TS_VERSION__: string | undefined;
export const VERSION = typeof __BOOTCTL_TS_VERSION__ === "string" ? __BOOTCTL_TS_VERSION__ : "0.0.0-dev";

export const DEFAULT_EFIVARS_PATH = "/sys/firmware/efi/efivars";

interface Pending {
  load: LazyCommandBody;
  args: string[];
  options: Record<string, unknown>;
}

/**
 * Rewrites argv before cac sees it:
 * - A bare `--json` becomes `--json=pretty` on a terminal and `--json=short` otherwise (like
 *   systemd's `-j`); this also stops the parser from taking the next word as the mode.
 * - Hyphenated boolean flags (`--dry-run`) are passed in their camelCase form (`--dryRun`):
 *   cac 7 tells its argument parser about booleans by camelCase name only, so `--dry-run VERB`
 *   would otherwise swallow VERB as the flag's value.
 * - A lone `-` (a file argument meaning "the default", as in `grub-editenv - list`) is replaced
 *   by LONE_DASH: mri would drop it and take the next word as its value. `define` restores it.
 */
function normaliseArgv(argv: string[], hyphenatedBooleans: ReadonlyMap<string, string>, stdoutIsTTY: () => boolean): string[] {
  const out: string[] = [];
  let afterDoubleDash = false;
  for (const arg of argv) {
    if (afterDoubleDash) out.push(arg);
    else if (arg === "-") out.push(LONE_DASH);
    else if (arg === "--json") out.push(stdoutIsTTY() ? "--json=pretty" : "--json=short");
    else out.push(hyphenatedBooleans.get(arg) ?? arg);
    if (arg === "--") afterDoubleDash = true;
  }
  return out;
}

const LONE_DASH = "\u0000-";

function restoreDash(arg: string): string {
  return arg === LONE_DASH ? "-" : arg;
}

function hyphenatedBooleanFlags(cli: CAC): Map<string, string> {
  const map = new Map<string, string>();
  for (const option of [...cli.globalCommand.options, ...cli.commands.flatMap((c) => c.options)]) {
    if (!option.isBoolean || option.negated) continue;
    for (const raw of option.rawName.split(",")) {
      const flag = raw.trim().split(/\s/)[0]!;
      if (/^--[a-z0-9]+(-[a-z0-9]+)+$/.test(flag)) map.set(flag, "--" + flag.slice(2).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    }
  }
  return map;
}

function stringOption(options: Record<string, unknown>, name: string, flag: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw new UsageError(`option ${flag} needs a value`);
  return value;
}

export function parseGlobals(options: Record<string, unknown>): GlobalOptions {
  const json = options.json === undefined ? "off" : String(options.json);
  if (json !== "off" && json !== "pretty" && json !== "short") {
    throw new UsageError(`--json: expected pretty, short or off, got '${json}'`);
  }
  const efivars = stringOption(options, "efivarsPath", "--efivars-path");
  return {
    root: stringOption(options, "root", "--root") ?? "/",
    espPath: stringOption(options, "espPath", "--esp-path"),
    bootPath: stringOption(options, "bootPath", "--boot-path"),
    efivarsPath: efivars ?? DEFAULT_EFIVARS_PATH,
    efivarsPathExplicit: efivars !== undefined,
    json: json as JsonMode,
    dryRun: options.dryRun === true,
    color: options.color !== false,
    quiet: options.quiet === true,
  };
}

/** The parser and the verb declarations load after `--version` was answered (start-up cost). */
async function buildCli() {
  const [{ cac }, { registrations }] = await Promise.all([import("cac"), import("./registry.ts")]);
  ensureCustomEvent();
  const cli = cac("bootctl-ts");
  cli
    .option("--root <dir>", "Operate on the file system tree under DIR (an image or chroot)")
    .option("--esp-path <dir>", "Path to the EFI System Partition (inside --root)")
    .option("--boot-path <dir>", "Path to the XBOOTLDR partition / $BOOT (inside --root)")
    .option("--efivars-path <dir>", `Directory of efivarfs-format variable files (default ${DEFAULT_EFIVARS_PATH})`)
    .option("--json <mode>", "Print JSON: pretty, short or off")
    .option("--dry-run", "Print what would change; change nothing")
    .option("--no-color", "Do not colour the output (also NO_COLOR, TERM=dumb, non-TTY)")
    .option("-q, --quiet", "Suppress warnings and informational messages");
  // cac lists "run any command with --help" once per verb; one line says it better.
  cli.help((sections) =>
    sections
      .filter((s) => !s.title?.startsWith("For more info"))
      .map((s) => (s.title === "Options" ? { ...s, body: s.body.replace(/ \(default: true\)/g, "") } : s))
      .concat({ body: "Run 'bootctl-ts help VERB' for a verb's arguments and options." }));

  let pending: Pending | undefined;
  const define = (command: Command, load: LazyCommandBody): Command =>
    command.action((...params: unknown[]) => {
      const options = (params.pop() ?? {}) as Record<string, unknown>;
      const args: string[] = [];
      for (const p of params) {
        if (Array.isArray(p)) args.push(...p.map((a) => restoreDash(String(a))));
        else if (p !== undefined) args.push(restoreDash(String(p)));
      }
      const rest = options["--"];
      if (Array.isArray(rest)) args.push(...rest.map(String));
      pending = { load, args, options };
    });

  for (const register of registrations) register(cli, define);

  cli
    .command("help [verb]", "Show help for a verb")
    .action((verb?: string) => {
      pending = {
        load: async () => ({
          default: async () => {
            const command = verb === undefined ? undefined : cli.commands.find((c) => c.isMatched(verb));
            if (verb !== undefined && !command) throw new UsageError(`unknown verb '${verb}'; see 'bootctl-ts --help'`);
            if (command) command.outputHelp();
            else cli.outputHelp();
          },
        }),
        args: verb === undefined ? [] : [verb],
        options: {},
      };
    });

  return { cli, takePending: () => pending };
}

export interface CliHooks {
  /** Called once the verb's code is loaded, just before its body runs (the binary tunes V8 here). */
  beforeCommand?: () => void;
}

/** Run the CLI on `argv` (without node and script). Returns the exit status. */
export async function runCli(argv: string[], streams: OutputStreams = process, hooks: CliHooks = {}): Promise<number> {
  try {
    if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
      streams.stdout.write(`bootctl-ts ${VERSION}\n`);
      return 0;
    }
    const { cli, takePending } = await buildCli();
    let parsed;
    try {
      parsed = cli.parse(["node", "bootctl-ts", ...normaliseArgv(argv, hyphenatedBooleanFlags(cli), () => streams.stdout.isTTY === true)], { run: false });
      if (parsed.options.help) return 0; // cac printed the help
      if (!cli.matchedCommand) {
        if (parsed.args.length > 0) throw new UsageError(`unknown verb '${parsed.args[0]}'; see 'bootctl-ts --help'`);
        cli.outputHelp();
        return 0;
      }
      await cli.runMatchedCommand();
    } catch (err) {
      if (err instanceof Error && err.name === "CACError") throw new UsageError(err.message.replace(/\.$/, ""));
      throw err;
    }
    const pending = takePending();
    if (!pending) return 0;
    const globals = parseGlobals(parsed.options);
    const [{ createOutput }, module] = await Promise.all([import("./output.ts"), pending.load()]);
    const body: CommandBody = module.default;
    const invocation: CommandInvocation = {
      args: pending.args,
      options: pending.options,
      globals,
      output: await createOutput({ color: globals.color, json: globals.json, quiet: globals.quiet }, streams),
    };
    hooks.beforeCommand?.();
    return (await body(invocation)) ?? 0;
  } catch (err) {
    return reportError(err, streams);
  }
}

function reportError(err: unknown, streams: OutputStreams): number {
  const debug = process.env.BOOTCTL_TS_DEBUG === "1";
  if (err instanceof BootctlError) {
    streams.stderr.write(`bootctl-ts: ${oneLine(err.message)}\n`);
    if (debug && err.stack) streams.stderr.write(err.stack + "\n");
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  streams.stderr.write(`bootctl-ts: internal error: ${oneLine(message)}${debug ? "" : " (BOOTCTL_TS_DEBUG=1 shows details)"}\n`);
  if (debug && err instanceof Error && err.stack) streams.stderr.write(err.stack + "\n");
  return 1;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
