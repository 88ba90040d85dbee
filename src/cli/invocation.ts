/**
 * The contract between the CLI shell (main.ts), the per-domain registration modules
 * (commands/<domain>/register.ts) and command bodies (loaded lazily).
 *
 * A command body receives its positional arguments, its own options, the global options already
 * validated, and an output object; it returns the exit status (default 0) or throws a
 * BootctlError, which the shell prints as one line.
 */
import type { CAC, Command } from "cac";
import { UsageError } from "../errors.ts";
import type { Output } from "./output.ts";

export type JsonMode = "off" | "pretty" | "short";

/** Options every verb understands (declared once on the cac instance). */
export interface GlobalOptions {
  /** Root directory all paths are resolved under (`--root`); "/" by default. */
  root: string;
  /** `--esp-path`, as given (inside the root), if any. */
  espPath: string | undefined;
  /** `--boot-path` (XBOOTLDR / $BOOT), as given (inside the root), if any. */
  bootPath: string | undefined;
  /** Directory of efivarfs-format files. */
  efivarsPath: string;
  /** True when `--efivars-path` was given explicitly (tests, offline images). */
  efivarsPathExplicit: boolean;
  json: JsonMode;
  dryRun: boolean;
  color: boolean;
  quiet: boolean;
}

export interface CommandInvocation {
  /** Positional arguments, after the verb, in order (variadic arguments flattened). */
  args: string[];
  /** The verb's own options, camelCased as cac gives them. */
  options: Record<string, unknown>;
  globals: GlobalOptions;
  output: Output;
}

export type CommandBody = (invocation: CommandInvocation) => Promise<number | void>;
export type LazyCommandBody = () => Promise<{ default: CommandBody }>;

/**
 * Attach a lazily loaded body to a cac command. Registration modules call this so that only the
 * matched verb's code is ever loaded (keeps `--help`/`--version` cheap).
 */
export type DefineCommand = (command: Command, load: LazyCommandBody) => Command;

export type RegisterCommands = (cli: CAC, define: DefineCommand) => void;

/** A verb whose output is not data refuses `--json` (a usage error, exit 2) rather than ignore it. */
export function refuseJson(invocation: CommandInvocation, verb: string): void {
  if (invocation.globals.json !== "off") throw new UsageError(`${verb}: --json is not supported (its output is not data)`);
}
