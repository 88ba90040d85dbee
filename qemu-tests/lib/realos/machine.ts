/**
 * One scenario's real machine: the variant's installed system, shared read-only, under this
 * machine's own writes: a qcow2 overlay of the variant's root (created in the scenario's
 * directory, 192 KiB to start), a copy of the variant's ESP (raw, so the host reads and changes
 * it with mtools between boots, lib/disk.ts) and its own OVMF VARS. One QEMU process per boot, as
 * in the busybox suite (lib/qemu.ts: the same 2-QEMU limit, serial log and timeout).
 *
 * The host talks to the guest through QEMU's fw_cfg, never through the disks under test:
 * opt/btq/script (shell run by btq-action at the end of the boot), opt/btq/end (poweroff or
 * reboot) and opt/btq/fail-if (words that make the required health check fail). After every boot
 * the journal is read from the disk (journal.ts) and this boot's entries, found by the boot id
 * the guest printed, are written to the transcript.
 */
import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EspImage } from "../disk.ts";
import { exec } from "../exec.ts";
import { Machine, markerValue, type BootResult, type Firmware, type FwCfgItem } from "../qemu.ts";
import type { ScenarioContext } from "../scenario.ts";
import { OVMF_CODE } from "../paths.ts";
import { partitionOf, ROOT_OFFSET } from "./image.ts";
import { SuiteError } from "../errors.ts";
import { formatEntry, readGuestPaths, readJournalDir, type JournalEntry } from "./journal.ts";
import { ESP_MIB, type Variant } from "./provision.ts";

export interface RealBootOptions {
  /** Shell run by the guest at the end of the boot (btq-action, `set -e`; btq-lib.sh's `mark` is there). */
  script?: string;
  /** How the guest ends a boot that got to its end (default poweroff). */
  end?: "poweroff" | "reboot";
  /** Words (kernel releases, command-line words) that make the required health check fail. */
  failIf?: readonly string[];
  timeoutMs?: number;
  /** Root paths to copy out after the boot, besides the journal (e.g. /boot for GRUB's state). */
  readBack?: readonly string[];
  /** Ends the boot at a console line (e.g. the firmware refusing an image). */
  stopOnLine?: (text: string) => boolean;
}

export interface RealBoot {
  result: BootResult;
  /** The guest's boot id (its BOOT_ID marker); undefined when userspace never started. */
  bootId: string | undefined;
  /** This boot's journal entries (none when userspace never started). */
  journal: JournalEntry[];
  /** The host directory that holds the paths read back (journal copy included). */
  rootCopy: string;
}

/** Default hard timeout of one real boot: about 3× a boot on a loaded 2-core machine. */
export const REAL_BOOT_TIMEOUT_MS = 150_000;

export class RealMachine {
  readonly boots: RealBoot[] = [];

  private constructor(
    private readonly ctx: ScenarioContext,
    readonly variant: Variant,
    readonly machine: Machine,
    readonly esp: EspImage,
    readonly overlay: string,
    private readonly name: string,
  ) {}

  static async create(ctx: ScenarioContext, variant: Variant, options: { firmware?: Firmware; name?: string } = {}): Promise<RealMachine> {
    const name = options.name ?? "machine";
    const espPath = ctx.scratch(`${name}-esp.raw`);
    await copyFile(variant.esp, espPath);
    await exec("chmod", ["u+w", espPath]);
    const overlay = ctx.scratch(`${name}-root.qcow2`);
    await exec("qemu-img", ["create", "-q", "-f", "qcow2", "-b", variant.overlay, "-F", "qcow2", overlay]);
    const machine = await Machine.create({
      dir: ctx.dir, disk: espPath, bus: "nvme", memoryMiB: 1024, timeoutMs: REAL_BOOT_TIMEOUT_MS,
      extraDrives: [{ file: overlay, format: "qcow2" }],
      firmware: options.firmware ?? { code: OVMF_CODE, varsTemplate: variant.vars },
      onBoot: (result) => ctx.recordBoot(result),
      prefix: name === "machine" ? "" : `${name}-`,
    });
    ctx.scratch(machine.vars.slice(machine.vars.lastIndexOf("/") + 1));
    await ctx.log(`${name}: ${variant.image.tree.os.name}, ${variant.name}; root overlay ${overlay} over ${variant.overlay}`);
    return new RealMachine(ctx, variant, machine, new EspImage(espPath, ESP_MIB, ctx.dir), overlay, name);
  }

  /**
   * Replaces a file of the guest's root disk between boots (a write the host does to the disk, as
   * a failing update or a damaged medium would): the overlay is flattened to raw, debugfs writes
   * the file (no mount), and the machine's overlay becomes a new qcow2 over that raw file.
   */
  async replaceRootFile(path: string, hostFile: string): Promise<void> {
    const raw = this.ctx.scratch(`${this.name}-root-edited-${Date.now()}.raw`);
    await exec("qemu-img", ["convert", "-O", "raw", this.overlay, raw]);
    const { offset, inner } = partitionOf(path);
    if (offset === ROOT_OFFSET && this.variant.layout.fs !== "ext4") throw new SuiteError("E_QEMU_REALOS", `replaceRootFile ${path}: debugfs writes ext4 only; this root is ${this.variant.layout.fs}`);
    const dir = inner.slice(0, inner.lastIndexOf("/")) || "/";
    const name = inner.slice(inner.lastIndexOf("/") + 1);
    const commands = `${raw}.debugfs`;
    await writeFile(commands, `cd ${dir}\nrm ${name}\nwrite ${hostFile} ${name}\n`);
    await exec("debugfs", ["-w", "-f", commands, `${raw}?offset=${offset}`]);
    await exec("qemu-img", ["create", "-q", "-f", "qcow2", "-b", raw, "-F", "raw", this.overlay + ".new"]);
    await exec("mv", ["-f", this.overlay + ".new", this.overlay]);
  }

  get vars(): string {
    return this.machine.vars;
  }

  async boot(options: RealBootOptions = {}): Promise<RealBoot> {
    const n = this.boots.length + 1;
    const fwCfg: FwCfgItem[] = [];
    if (options.script !== undefined) {
      const file = this.ctx.scratch(`${this.name}-boot-${n}.script.sh`);
      await writeFile(file, options.script);
      fwCfg.push({ name: "opt/btq/script", file });
    }
    if (options.end) fwCfg.push({ name: "opt/btq/end", string: options.end });
    if (options.failIf?.length) fwCfg.push({ name: "opt/btq/fail-if", string: options.failIf.join(" ") });
    const result = await this.machine.boot({ fwCfg, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.stopOnLine ? { stopOnLine: options.stopOnLine } : {}) });
    const bootId = markerValue(result, "BOOT_ID");
    const rootCopy = this.ctx.scratch(`${this.name}-boot-${n}.root`);
    await readGuestPaths(this.overlay, ["/var/log/journal", ...(options.readBack ?? [])], rootCopy, this.ctx.dir, this.variant.layout);
    const journal = bootId ? ((await readJournalDir(join(rootCopy, "var/log/journal"))).boots.get(bootId) ?? []) : [];
    const lines = journal.filter((e) => e.identifier !== "kernel").map((e) => `    | ${formatEntry(e)}`);
    await this.ctx.appendTranscript([
      `    journal of ${result.label} (boot id ${bootId ?? "none: userspace never started"}, ${journal.length} entries, kernel lines left out):`,
      ...lines,
    ]);
    const boot = { result, bootId, journal, rootCopy };
    this.boots.push(boot);
    return boot;
  }
}

