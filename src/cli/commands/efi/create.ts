/** `efi create --disk IMG --part N --loader \EFI\…\x.efi --label L [--inactive]` (efibootmgr -c). */
import { UsageError } from "../../../errors.ts";
import { listEfiVariables, readDiskForGpt, requireEfivarsDir } from "../../../adapters/efivarfs.ts";
import { readGpt } from "../../../formats/gpt/gpt.ts";
import { formatBootNumber } from "../../../formats/efi/boot-manager.ts";
import { planCreateBootOption } from "../../../ops/efi-boot-manager.ts";
import { buildGptLoadOption } from "../../../ops/efi-create.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { runEfiPlan } from "./run-plan.ts";

function need(options: Record<string, unknown>, key: string, flag: string): string {
  const v = options[key];
  if (typeof v !== "string" && typeof v !== "number") throw new UsageError(`efi create needs ${flag}`);
  return String(v);
}

export default async function efiCreate(inv: CommandInvocation): Promise<number> {
  const { options, output } = inv;
  if (inv.args.length > 1) throw new UsageError("efi create takes no positional arguments");
  const disk = need(options, "disk", "--disk IMG");
  const partText = need(options, "part", "--part N");
  const partition = /^[1-9][0-9]{0,2}$/.test(partText) ? Number(partText) : NaN;
  if (!Number.isInteger(partition)) throw new UsageError(`--part: invalid partition number '${partText}'`);
  const loader = need(options, "loader", "--loader PATH");
  const label = need(options, "label", "--label TEXT");
  const dir = await requireEfivarsDir(inv.globals.efivarsPath, inv.globals.efivarsPathExplicit);
  const table = readGpt(await readDiskForGpt(disk));
  const option = buildGptLoadOption(table, { partition, loader, label, active: options.inactive !== true });
  const plan = planCreateBootOption(await listEfiVariables(dir), option);
  await runEfiPlan(dir, plan.effects, inv);
  if (!inv.globals.dryRun) output.info(`created Boot${formatBootNumber(plan.number)}`);
  return 0;
}
