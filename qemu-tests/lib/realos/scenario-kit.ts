/**
 * What the real-OS scenarios share: booting with the prediction made on the disk before the
 * boot, and the assertions on the guest's journal (systemd's own records of the units).
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { MTOOLS_ENV } from "../disk.ts";
import { exec } from "../exec.ts";
import { EspTree, hostCli, type PredictJson } from "../host-bootctl.ts";
import { readGuestPaths } from "./journal.ts";
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
    const before = await this.entries();
    const boot = await this.machine.boot(options);
    const after = await this.entries();
    await this.ctx.observed(`entries after ${boot.result.label}`, after.join(" "));
    const label = `${boot.result.label} (${what}): predict on the disk before it`;
    if (markerValue(boot.result, "LOADER_ENTRY_SELECTED") === undefined) {
      // Userspace never ran, so nobody reported the loader's variables: what systemd-boot did is
      // on the ESP, the entry it renamed before starting the kernel (boot counting spec).
      const gone = before.filter((e) => !after.includes(e));
      const added = after.filter((e) => !before.includes(e));
      const a = predicted.attempts[0];
      const observed = gone.length === 1 && added.length === 1 ? `${gone[0]} renamed to ${added[0]}` : `entries changed: -[${gone.join(" ")}] +[${added.join(" ")}]`;
      this.ctx.noteBoot(boot.result, gone[0] ?? "?");
      await this.ctx.observed(`${label}: predicted`, a ? `${a.fileBefore} renamed to ${a.fileAfter}` : "(no attempt)");
      await this.ctx.observed(`${label}: on the ESP (no userspace)`, observed);
      this.ctx.expectEqual(observed, a ? `${a.fileBefore} renamed to ${a.fileAfter}` : "(no attempt)", `${label}: the rename systemd-boot made vs bootctl-ts predict`);
      return { boot, predicted };
    }
    this.ctx.noteBoot(boot.result, markerValue(boot.result, "LOADER_ENTRY_SELECTED") || markerValue(boot.result, "BOOTED") || "?");
    await expectPredictedEntry(this.ctx, predicted, boot, label);
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

/** A GRUB menu entry of a grub.cfg: its id, title and the `linux` line it boots. */
export interface GrubMenuEntry {
  id: string;
  title: string;
  linux: string;
}

/**
 * The menu entries of a grub.cfg written by grub-mkconfig (10_linux's `menuentry 'T' … $menuentry_id_option 'ID' {`,
 * bootctl-ts's `menuentry 'T' --id 'ID' {`), each with the first `linux` line of its body, in file
 * order (submenus flattened). A reader for the test only: it does not evaluate the script.
 */
export function grubMenuEntries(cfg: string): GrubMenuEntry[] {
  const entries: GrubMenuEntry[] = [];
  const lines = cfg.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!/^menuentry\s.*\{\s*$/.test(line)) continue;
    // Words with GRUB's quoting ('…', "…", bare), the braces left out.
    const words = [...line.slice("menuentry".length, line.lastIndexOf("{")).matchAll(/(?:'([^']*)'|"([^"]*)"|([^\s'"]+))+/g)].map((m) =>
      m[0].replace(/'([^']*)'|"([^"]*)"/g, (_q, a: string | undefined, b: string | undefined) => a ?? b ?? ""));
    let id = "";
    let title: string | undefined;
    for (let w = 0; w < words.length; w++) {
      const word = words[w]!;
      if (word.startsWith("--id=")) id = word.slice("--id=".length);
      else if (word === "--id" || word === "$menuentry_id_option") id = words[++w] ?? "";
      else if (word === "--class" || word === "--users" || word === "--hotkey") w++;
      else if (word === "--") title ??= words[++w];
      else if (!word.startsWith("--")) title ??= word;
    }
    let linux = "";
    for (let j = i + 1; j < lines.length && !/^\s*\}\s*$/.test(lines[j]!); j++) {
      const l = /^\s*linux(?:efi)?\s+(.*)$/.exec(lines[j]!);
      if (l?.[1]) {
        linux = l[1].trim().replace(/'([^']*)'/g, "$1");
        break;
      }
    }
    entries.push({ id, title: title ?? "", linux });
  }
  return entries;
}

/** What GRUB printed when it started an entry by itself (normal/menu.c notify_boot: "Booting `TITLE'"). */
export function grubBootedTitle(boot: RealBoot): string | undefined {
  for (const l of boot.result.lines) {
    const m = /Booting `(.*)'/.exec(l.text);
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}

/**
 * The host's view of a GRUB machine (Debian's layout: /boot on the root file system, grub.cfg and
 * grubenv in /boot/grub, Boot Loader Specification entries in /boot/loader/entries, the ESP at
 * /boot/efi): before each boot the disk is copied out (the root overlay's /boot, /etc/kernel,
 * /etc/machine-id, and the ESP) and `bootctl-ts predict --loader grub` runs on the copy; after the
 * boot, the entry GRUB started is found in that grub.cfg by the title GRUB printed and the
 * kernel image it passed (BOOT_IMAGE=).
 */
export class GrubView {
  private constructor(
    readonly ctx: ScenarioContext,
    readonly machine: RealMachine,
    readonly root: string,
  ) {}

  static async create(ctx: ScenarioContext, machine: RealMachine): Promise<GrubView> {
    return new GrubView(ctx, machine, ctx.scratch("grub-view"));
  }

  /** Copies the machine's boot state out of its disks into `this.root`. */
  async snapshot(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
    await readGuestPaths(this.machine.overlay, ["/boot", "/etc/kernel", "/etc/machine-id", "/etc/default"], this.root, this.ctx.dir, this.machine.variant.layout);
    const esp = join(this.root, "boot", "efi");
    await rm(esp, { recursive: true, force: true });
    await mkdir(esp, { recursive: true });
    await exec("mcopy", ["-s", "-n", "-Q", "-i", this.machine.esp.spec, "::/*", esp + "/"], { env: MTOOLS_ENV });
  }

  async grubenv(): Promise<Record<string, string>> {
    const text = await readFile(join(this.root, "boot", "grub", "grubenv"), "utf8").catch(() => "");
    const vars: Record<string, string> = {};
    for (const line of text.split("\n")) {
      const m = /^([^#=][^=]*)=(.*)$/.exec(line);
      if (m?.[1]) vars[m[1]] = m[2] ?? "";
    }
    return vars;
  }

  async menu(): Promise<GrubMenuEntry[]> {
    return grubMenuEntries(await readFile(join(this.root, "boot", "grub", "grub.cfg"), "utf8"));
  }

  async predict(): Promise<PredictJson> {
    const run = await hostCli(["--root", this.root, "--esp-path", "/boot/efi", "--boot-path", "/boot", "--json=short", "predict", "--loader", "grub"], (l) => this.ctx.log(l));
    const prediction = JSON.parse(run.stdout) as PredictJson;
    await this.ctx.log(`  prediction: ${prediction.attempts.map((a) => `${a.id}(${a.outcome})`).join(" → ")}; ${prediction.summary}`);
    return prediction;
  }

  /** Issue 16 on GRUB: the entry GRUB started equals `predict --loader grub` on the disk before the boot. */
  async boot(options: RealBootOptions, what: string): Promise<{ boot: RealBoot; predicted: PredictJson; bootedId: string; before: Record<string, string> }> {
    await this.snapshot();
    const before = await this.grubenv();
    await this.ctx.observed(`grubenv before boot-${this.machine.boots.length + 1}`, before);
    const predicted = await this.predict();
    const menu = await this.menu();
    const boot = await this.machine.boot(options);
    const title = grubBootedTitle(boot);
    const image = /(?:^|\s)BOOT_IMAGE=(\S+)/.exec(markerValue(boot.result, "CMDLINE") ?? "")?.[1];
    // Without userspace there is no BOOT_IMAGE report: the title alone must then name one entry.
    const candidates = menu.filter((e) => (title === undefined || e.title === title) && (image === undefined ? title !== undefined : e.linux.split(/\s+/)[0] === image));
    const bootedId = candidates.length === 1 ? candidates[0]!.id : `? (title ${title ?? "not printed"}, BOOT_IMAGE ${image ?? "none"}: ${candidates.length} menu entries match)`;
    this.ctx.noteBoot(boot.result, bootedId);
    await this.ctx.observed(`${boot.result.label} (${what}): predicted`, predicted.attempts[0]?.id ?? "(no attempt)");
    await this.ctx.observed(`${boot.result.label} (${what}): GRUB started`, `${bootedId} (title ${title ?? "?"}, BOOT_IMAGE ${image ?? "?"})`);
    this.ctx.expectEqual(bootedId, predicted.attempts[0]?.id, `${boot.result.label} (${what}): the entry GRUB started vs bootctl-ts predict on the disk before it`);
    return { boot, predicted, bootedId, before };
  }
}
