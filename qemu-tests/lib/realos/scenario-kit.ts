/**
 * What the real-OS scenarios share: booting with the prediction made on the disk before the
 * boot, and the assertions on the guest's journal (systemd's own records of the units).
 */
import { EspTree, type PredictJson } from "../host-bootctl.ts";
import { markerValue } from "../qemu.ts";
import type { ScenarioContext } from "../scenario.ts";
import { entryFiles } from "../sdboot.ts";
import type { RealBoot, RealBootOptions, RealMachine } from "./machine.ts";
import { describeUnit, unitEvents, type UnitEvents } from "./unit-events.ts";

/** The host's view of a systemd-boot machine: a staging tree the ESP is read back into for `predict`. */
export class SdbootView {
  private constructor(
    readonly ctx: ScenarioContext,
    readonly machine: RealMachine,
    readonly tree: EspTree,
  ) {}

  static async create(ctx: ScenarioContext, machine: RealMachine): Promise<SdbootView> {
    return new SdbootView(ctx, machine, await EspTree.create(ctx.scratch("predict-tree"), (l) => ctx.log(l)));
  }

  /** The entry files on the ESP now. */
  entries(): Promise<string[]> {
    return entryFiles(this.machine.esp);
  }

  /**
   * Issue 16: every boot's entry equals `bootctl-ts predict` on the disk (ESP and NVRAM) before
   * it. Returns the boot and the prediction's first attempt.
   */
  async boot(options: RealBootOptions, what: string): Promise<{ boot: RealBoot; predicted: PredictJson }> {
    const predicted = await this.tree.predictImage(this.machine.esp, { vars: this.machine.vars });
    const boot = await this.machine.boot(options);
    this.ctx.noteBoot(boot.result, markerValue(boot.result, "LOADER_ENTRY_SELECTED") || markerValue(boot.result, "BOOTED") || "?");
    await this.ctx.observed(`entries after ${boot.result.label}`, (await this.entries()).join(" "));
    await expectPredictedEntry(this.ctx, predicted, boot, `${boot.result.label} (${what}): predict on the disk before it`);
    return { boot, predicted };
  }
}

/** An entry file's name without its boot counter (systemd-boot 254 and later report ids so). */
export function withoutCounter(file: string): string {
  return file.replace(/\+\d+(?:-\d+)?(\.conf|\.efi)$/i, "$1");
}

/**
 * Issue 16: the entry systemd-boot started and the name it renamed it to (LoaderEntrySelected,
 * LoaderBootCountPath) are the first attempt of `predict` on the disk before the boot. systemd-boot
 * 252 (Debian 12) reports the file name, counter included, as the entry id; 257 (Debian 13) the
 * id without the counter (systemd's boot.c: the counter is stripped when entries are loaded), so
 * the selected id is compared with the predicted file's name in either form, whichever the loader
 * (LoaderInfo) uses.
 */
export async function expectPredictedEntry(ctx: ScenarioContext, prediction: PredictJson, boot: RealBoot, what: string): Promise<void> {
  const a = prediction.attempts[0];
  const selected = markerValue(boot.result, "LOADER_ENTRY_SELECTED") ?? "";
  const countPath = markerValue(boot.result, "LOADER_BOOT_COUNT_PATH") ?? "";
  const info = markerValue(boot.result, "LOADER_INFO") ?? "";
  const strips = Number(/systemd-boot (\d+)/.exec(info)?.[1] ?? "0") >= 254;
  // The entry, and the name the loader renamed its file to ("not renamed": no counter left to count).
  const observed = `${selected} renamed to ${countPath === "" ? "nothing" : countPath.slice(countPath.lastIndexOf("\\") + 1)}`;
  const predicted = a ? `${strips ? withoutCounter(a.fileBefore) : a.fileBefore} renamed to ${a.fileAfter === a.fileBefore ? "nothing" : a.fileAfter}` : "(no attempt)";
  await ctx.observed(`${what}: predicted`, predicted);
  await ctx.observed(`${what}: booted (${info || "no LoaderInfo"})`, observed);
  ctx.expectEqual(observed, predicted, `${what}: booted entry vs bootctl-ts predict`);
}

/** Records and returns what systemd logged about each unit in this boot. */
export async function units(ctx: ScenarioContext, boot: RealBoot, names: readonly string[]): Promise<Record<string, UnitEvents>> {
  const out: Record<string, UnitEvents> = {};
  for (const name of names) {
    out[name] = unitEvents(boot.journal, name);
    await ctx.observed(`${boot.result.label} journal`, describeUnit(out[name]));
  }
  return out;
}

/** `a` reached `resultA` before `b`'s start job began (or before b's result, with `bResult`). */
export function expectBefore(ctx: ScenarioContext, a: UnitEvents, b: UnitEvents, what: string): void {
  ctx.expect(a.resultUs !== undefined, `${what}: ${a.unit} has no job result in the journal`);
  const bAt = b.startingUs ?? b.resultUs;
  ctx.expect(bAt !== undefined, `${what}: ${b.unit} never started in the journal`);
  ctx.expect(a.resultUs <= bAt, `${what}: ${a.unit} ended at ${(a.resultUs / 1e6).toFixed(3)} s, after ${b.unit} began at ${(bAt / 1e6).toFixed(3)} s`);
}

/** Lines of the journal (any program) matching `pattern`. */
export function journalLines(boot: RealBoot, pattern: RegExp): string[] {
  return boot.journal.filter((e) => pattern.test(e.message)).map((e) => `${e.identifier}: ${e.message}`);
}

export function expectJournal(ctx: ScenarioContext, boot: RealBoot, pattern: RegExp, what: string): string {
  const found = journalLines(boot, pattern);
  ctx.expect(found.length > 0, `${boot.result.label}: ${what}: no journal line matches ${pattern}`);
  return found[0]!;
}

/** How the guest ended: the kernel's last words on the console (reboot: Restarting system / Power down). */
export function kernelEnd(boot: RealBoot): "reboot" | "poweroff" | "panic" | "unknown" {
  const lines = boot.result.lines.map((l) => l.text);
  if (boot.result.panic) return "panic";
  if (lines.some((l) => /reboot: Restarting system/.test(l))) return "reboot";
  if (lines.some((l) => /reboot: Power down/.test(l))) return "poweroff";
  return "unknown";
}
