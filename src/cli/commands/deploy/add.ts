/** `add KERNEL-VERSION KERNEL-IMAGE [INITRD...]`: kernel-install add, with tries. */
import { UsageError } from "../../../errors.ts";
import { addEntry } from "../../../actions/add-entry.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { printPlan } from "./plan-output.ts";

function optionalString(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" && typeof value !== "number") throw new UsageError(`${flag} needs a value`);
  return String(value);
}

export default async function addCommand(invocation: CommandInvocation): Promise<number> {
  const { args, options, globals } = invocation;
  const [kernelVersion, kernelImage, ...initrds] = args as [string, string, ...string[]];
  const triesText = optionalString(options.tries, "--tries");
  if (triesText !== undefined && !/^[0-9]+$/.test(triesText)) throw new UsageError(`--tries: expected a non-negative integer, got '${triesText}'`);
  const title = optionalString(options.title, "--title");
  const cmdline = optionalString(options.options, "--options");
  const entryToken = optionalString(options.entryToken, "--entry-token");
  const loader = optionalString(options.loader, "--loader");
  if (loader !== undefined && loader !== "grub" && loader !== "systemd-boot") throw new UsageError(`--loader: expected systemd-boot or grub, got '${loader}'`);
  if (options.makeDefault && options.oneshot) throw new UsageError("--make-default and --oneshot exclude each other");
  const plan = await addEntry({
    root: globals.root, espPath: globals.espPath, bootPath: globals.bootPath, dryRun: globals.dryRun,
    efivarsPath: globals.efivarsPath, efivarsPathExplicit: globals.efivarsPathExplicit, loader,
    select: options.makeDefault ? "default" : options.oneshot ? "oneshot" : undefined,
    kernelVersion, kernelImage, initrds,
    ...(triesText === undefined ? {} : { tries: Number(triesText) }),
    ...(title === undefined ? {} : { title }),
    ...(cmdline === undefined ? {} : { options: cmdline }),
    ...(entryToken === undefined ? {} : { entryToken }),
  });
  printPlan(invocation, plan, { entry: plan.entry, boot: plan.bootRoot, loader: plan.loader, ...(plan.grubenv ? { grubenv: plan.grubenv } : {}), ...(plan.selection ? { selection: plan.selection.changes } : {}) });
  if (globals.json === "off" && plan.selection && (globals.dryRun || !invocation.output.quiet)) for (const change of plan.selection.changes) invocation.output.line(`${globals.dryRun ? "would " : ""}${change}`);
  return 0;
}
