/**
 * `grubenv [FILE] set NAME=VALUE...` and `unset NAME...`, with grub-editenv's semantics
 * (util/grub-editenv.c set_variables / unset_variables):
 * - the file is read first (missing → a fresh block; invalid → "invalid environment block");
 * - arguments apply in order, each on the FIRST line for its name; an argument without `=` is
 *   "invalid parameter ARG", a block without room "environment block too small" (exit 1);
 * - unlike grub-editenv, names must match [A-Za-z_][A-Za-z0-9_]*, and any error leaves the
 *   file as it was (grub-editenv creates a missing file even when the command then fails);
 * - the update is one crash-safe replacement of the whole block, same size.
 */
import { BootctlError } from "../../../errors.ts";
import { editGrubenvFile, type GrubenvLocation } from "../../../adapters/grubenv-file.ts";
import { isValidVariableName, setVariable, unsetVariable, type GrubenvBlock } from "../../../formats/grubenv.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { describeBlock, describeChanges } from "./report.ts";

type Edit = (block: GrubenvBlock) => GrubenvBlock;

function badName(name: string): BootctlError {
  return new BootctlError("E_GRUBENV_BAD_NAME", `invalid variable name ${JSON.stringify(name)}: names must match [A-Za-z_][A-Za-z0-9_]*; nothing was changed`);
}

/**
 * `set` arguments as one edit, applied in order as grub-editenv does (so an argument without
 * `=` after one that overflows reports the overflow, like grub-editenv). Runs after the file was
 * read and before anything is written.
 */
export function setEdit(args: readonly string[]): Edit {
  return (start) => args.reduce((block, arg) => {
    const eq = arg.indexOf("=");
    if (eq < 0) throw new BootctlError("E_GRUBENV_PARAMETER", `invalid parameter ${arg}`);
    const name = arg.slice(0, eq);
    if (!isValidVariableName(name)) throw badName(name);
    return setVariable(block, name, arg.slice(eq + 1));
  }, start);
}

export function unsetEdit(names: readonly string[]): Edit {
  return (start) => names.reduce((block, name) => {
    if (!isValidVariableName(name)) throw badName(name);
    return unsetVariable(block, name);
  }, start);
}

export async function runEdit(inv: CommandInvocation, location: GrubenvLocation, command: "set" | "unset", args: string[]): Promise<number> {
  const dryRun = inv.globals.dryRun;
  const result = await editGrubenvFile(inv.globals.root, location.path, command === "set" ? setEdit(args) : unsetEdit(args), { dryRun });
  const changes = describeChanges(result.before, result.after);
  if (inv.globals.json !== "off") {
    inv.output.printJson({ command, dryRun, created: result.created, changed: result.changed, written: result.written, changes, ...(await describeBlock(location, result.after)) });
  } else if (dryRun) {
    if (result.created) inv.output.line(`would create ${location.path}`);
    for (const change of changes) inv.output.line(`would ${change}`);
    if (!result.created && changes.length === 0) inv.output.line(result.changed ? `would rewrite ${location.path} (GRUB's view unchanged)` : `no change to ${location.path}`);
  }
  return 0;
}
