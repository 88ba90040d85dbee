/** `set-default`, `set-oneshot`, `set-timeout`, `set-timeout-oneshot` (actions/select-entry.ts). */
import { UsageError } from "../../../errors.ts";
import { setDefault, setOneshot, setTimeout, type BootLoaderKind, type SelectionTarget } from "../../../actions/select-entry.ts";
import { timeoutValue } from "../../../ops/loader-variables.ts";
import type { CommandInvocation } from "../../invocation.ts";

function loaderOf(value: unknown): BootLoaderKind | undefined {
  if (value === undefined) return undefined;
  if (value === "systemd-boot" || value === "grub") return value;
  throw new UsageError(`--loader: expected systemd-boot or grub, got '${String(value)}'`);
}

export type SelectionVerb = "set-default" | "set-oneshot" | "set-timeout" | "set-timeout-oneshot";

export async function runSelection({ args, options, globals, output }: CommandInvocation, verb: SelectionVerb): Promise<number> {
  const target: SelectionTarget = {
    root: globals.root, espPath: globals.espPath, bootPath: globals.bootPath,
    efivarsPath: globals.efivarsPath, efivarsPathExplicit: globals.efivarsPathExplicit,
    loader: loaderOf(options.loader), dryRun: globals.dryRun, force: options.force === true,
  };
  const value = args[0] ?? "";
  // The value's syntax first, before the boot loader is looked for (menu-disabled also needs
  // the loader's feature, checked when the variables are read).
  if ((verb === "set-timeout" || verb === "set-timeout-oneshot") && value !== "" && value !== "menu-disabled") timeoutValue([], value);
  const result =
    verb === "set-default" ? await setDefault(target, value)
    : verb === "set-oneshot" ? await setOneshot(target, value)
    : verb === "set-timeout" ? await setTimeout(target, value, false)
    : await setTimeout(target, value, true);
  for (const warning of result.warnings) output.warn(warning);
  if (globals.json !== "off") output.printJson(result);
  // What was changed is informational (-q silences it); what --dry-run would change is its answer.
  else if (result.dryRun || !output.quiet) for (const change of result.changes) output.line(`${result.dryRun ? "would " : ""}${change} (${result.loader}: ${result.target})`);
  return 0;
}
