/**
 * The `bootctl-ts` command: argument checking and the error policy, nothing else.
 *
 * - Verbs are declared by registration modules (see registry.ts) with cac's declaration API;
 *   the command line is read against those declarations by argv.ts (options checked wherever
 *   they stand). Bodies load lazily, so `--version` and `--help` load no command code, no
 *   chalk, no fs-extra; the help, man page and completions (help.ts, manpage.ts,
 *   completion.ts) load only when asked for.
 * - Exit status: what the body returns (default 0); 1 for a failed operation (BootctlError);
 *   2 for a usage error (UsageError). Errors print one line, `bootctl-ts: <message>`, to
 *   stderr; a stack trace only with BOOTCTL_TS_DEBUG=1 or for internal errors (bugs).
 * - `runCli(argv, streams)` takes its inputs as parameters so tests can run it in-process.
 */
import type { CAC, Command } from "cac";
import { statSync } from "node:fs";
import { BootctlError, describeErrno, errnoOf, UsageError } from "../errors.ts";
import { refuseJson, type CommandBody, type CommandInvocation, type GlobalOptions, type JsonMode, type LazyCommandBody } from "./invocation.ts";
import type { OutputStreams } from "./output.ts";

declare const __BOOTCTL_TS_VERSION__: string | undefined;
export const VERSION = typeof __BOOTCTL_TS_VERSION__ === "string" ? __BOOTCTL_TS_VERSION__ : "0.0.0-dev";

export const DEFAULT_EFIVARS_PATH = "/sys/firmware/efi/efivars";

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

/** Verbs that never read the tree under `--root`. */
const ROOTLESS_VERBS = new Set(["compare-versions", "help", "completion"]);

/**
 * A `--root` that is not a directory is said first, by the path as typed: otherwise each verb
 * reports what it could not find under it ("couldn't find EFI system partition").
 */
export function checkRoot(root: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === "ENOENT") throw new BootctlError("E_ROOT_NOT_FOUND", `--root: ${root}: no such directory`);
    throw new BootctlError("E_ROOT_NOT_FOUND", `--root: ${root}: ${describeErrno(errno)}`);
  }
  if (!isDirectory) throw new BootctlError("E_ROOT_NOT_DIRECTORY", `--root: ${root}: not a directory`);
}

/** The verbs and their bodies: the declarations load after `--version` was answered (start-up cost). */
export async function buildCli(): Promise<{ cli: CAC; bodies: Map<Command, LazyCommandBody> }> {
  const [{ cac }, { registrations }] = await Promise.all([import("cac"), import("./registry.ts")]);
  const cli = cac("bootctl-ts");
  cli
    .option("--root <dir>", "Operate on the file system tree under DIR (an image or chroot)")
    .option("--esp-path <dir>", "Path to the EFI System Partition (inside --root)")
    .option("--boot-path <dir>", "Path to the XBOOTLDR partition / $BOOT (inside --root)")
    .option("--efivars-path <dir>", `Directory of efivarfs-format variable files (default ${DEFAULT_EFIVARS_PATH})`)
    .option("--json [mode]", "Print JSON: pretty, short or off (alone: pretty on a terminal, else short)")
    .option("--dry-run", "Print what would change; change nothing")
    .option("--no-color", "Do not colour the output (also NO_COLOR, TERM=dumb, non-TTY)")
    .option("-q, --quiet", "Suppress warnings and informational messages")
    .option("-h, --help", "Show this help, or a verb's (VERB --help)")
    .option("-V, --version", "Show the version");

  const bodies = new Map<Command, LazyCommandBody>();
  const define = (command: Command, load: LazyCommandBody): Command => {
    bodies.set(command, load);
    return command;
  };
  for (const register of registrations) register(cli, define);
  define(
    cli
      .command("help [verb]", "Show the help of a verb, or of bootctl-ts")
      .option("--man", "Print the manual page bootctl-ts(1) (roff) instead")
      .example("bootctl-ts help add")
      .example("bootctl-ts help --man | man -l -"),
    async () => ({ default: (inv) => runHelp(cli, inv) }),
  );
  define(
    cli
      .command("completion <shell>", "Print the shell completion script for bash, zsh or fish")
      .example("bootctl-ts completion bash > /etc/bash_completion.d/bootctl-ts")
      .example("bootctl-ts completion fish > ~/.config/fish/completions/bootctl-ts.fish"),
    async () => ({
      default: async (inv) => {
        refuseJson(inv, "completion");
        const { completionScript } = await import("./completion.ts");
        inv.output.write(completionScript(cli, inv.args[0]!));
      },
    }),
  );
  return { cli, bodies };
}

async function runHelp(cli: CAC, inv: CommandInvocation): Promise<number> {
  refuseJson(inv, "help");
  const verb = inv.args[0];
  const command = verb === undefined ? undefined : cli.commands.find((c) => c.isMatched(verb));
  if (verb !== undefined && !command) throw new UsageError(`unknown verb '${verb}'; see 'bootctl-ts --help'`);
  if (inv.options.man === true) {
    if (command) throw new UsageError("help --man takes no verb (the manual covers them all)");
    const { manPage } = await import("./manpage.ts");
    inv.output.write(manPage(cli, VERSION));
    return 0;
  }
  const { generalHelp, verbHelp } = await import("./help.ts");
  inv.output.write(command ? verbHelp(cli, command) : generalHelp(cli, VERSION));
  return 0;
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
    const { cli, bodies } = await buildCli();
    const { parseCommandLine } = await import("./argv.ts");
    const parsed = parseCommandLine(cli, argv, () => (streams.stdout.isTTY === true ? "pretty" : "short"));
    if (parsed.version) {
      streams.stdout.write(`bootctl-ts ${VERSION}\n`);
      return 0;
    }
    if (parsed.help || !parsed.command) {
      const { generalHelp, verbHelp } = await import("./help.ts");
      streams.stdout.write(parsed.command ? verbHelp(cli, parsed.command) : generalHelp(cli, VERSION));
      return 0;
    }
    const load = bodies.get(parsed.command)!;
    const globals = parseGlobals(parsed.options);
    if (parsed.options.root !== undefined && !ROOTLESS_VERBS.has(parsed.command.name)) checkRoot(globals.root);
    const [{ createOutput }, module] = await Promise.all([import("./output.ts"), load()]);
    const body: CommandBody = module.default;
    const invocation: CommandInvocation = {
      args: parsed.args,
      options: parsed.options,
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
