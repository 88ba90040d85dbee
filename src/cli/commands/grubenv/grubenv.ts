/**
 * `bootctl-ts grubenv [FILE] COMMAND [ARGS...]`, with grub-editenv's argument rules
 * (util/grub-editenv.c main()):
 * - one argument: it is the COMMAND and FILE is the default grubenv;
 * - two or more: FILE COMMAND ARGS..., where FILE `-` means the default;
 * - COMMAND is `create`, `list`, `set` or `unset`; anything else is "unknown command" (as
 *   a usage error, exit 2, where grub-editenv exits 1); no argument at all is a usage error
 *   too (exit 2; grub-editenv exits 64).
 * The default FILE is resolved under --root (see adapters/grubenv-file.ts locateGrubenv).
 */
import { UsageError } from "../../../errors.ts";
import { locateGrubenv } from "../../../adapters/grubenv-file.ts";
import type { CommandInvocation } from "../../invocation.ts";

export const GRUBENV_COMMANDS = ["create", "list", "set", "unset"] as const;
export type GrubenvCommand = (typeof GRUBENV_COMMANDS)[number];

export interface GrubenvArguments {
  /** FILE as given; undefined for the default (omitted or `-`). */
  file: string | undefined;
  command: GrubenvCommand;
  rest: string[];
}

export function parseGrubenvArguments(args: readonly string[]): GrubenvArguments {
  if (args.length === 0) throw new UsageError("grubenv: you need to specify at least one command (create, list, set or unset)");
  const [fileArg, command, rest] = args.length === 1 ? [undefined, args[0]!, []] : [args[0]!, args[1]!, args.slice(2)];
  if (!(GRUBENV_COMMANDS as readonly string[]).includes(command)) {
    // grub-editenv exits 1 here; ours is a usage error like every wrong command line (exit 2).
    throw new UsageError(`grubenv: unknown command '${command}' (expected create, list, set or unset)`, "E_GRUBENV_COMMAND");
  }
  return { file: fileArg === "-" ? undefined : fileArg, command: command as GrubenvCommand, rest };
}

export default async function grubenvCommand(inv: CommandInvocation): Promise<number> {
  const parsed = parseGrubenvArguments(inv.args);
  const location = await locateGrubenv(inv.globals.root, parsed.file, { espPath: inv.globals.espPath });
  switch (parsed.command) {
    case "create":
      return (await import("./create.ts")).runCreate(inv, location);
    case "list":
      return (await import("./list.ts")).runList(inv, location);
    case "set":
    case "unset":
      return (await import("./edit.ts")).runEdit(inv, location, parsed.command, parsed.rest);
  }
}
