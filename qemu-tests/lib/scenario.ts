/**
 * What a scenario is, and the context it runs in. A scenario file in qemu-tests/scenarios/
 * default-exports a `Scenario` (or an array of them). It builds a disk, creates a `Machine`, boots
 * it as often as it needs, and checks what it observed with `ctx.expect…`; the first failed
 * expectation ends it.
 *
 * Everything a scenario does lands in <results>/<name>/transcript.txt: its log lines, each boot
 * (how it ended, its time, the markers the guest and loader printed, the boot option the
 * firmware started) and the state read back from the disk after it. Serial logs of each boot sit
 * next to it (boot-N.serial.log raw, boot-N.console.txt cleaned and time-stamped). When the
 * scenario passes, the disk and VARS images are removed and the logs kept; when it fails,
 * everything is kept.
 */
import { appendFile, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Assets } from "./assets.ts";
import { createEspDisk, type DiskOptions, type EspImage } from "./disk.ts";
import { ScenarioFailure } from "./errors.ts";
import { commandLine } from "./exec.ts";
import { describeRun, guestRuns } from "./guest-runs.ts";
import type { PredictJson } from "./host-bootctl.ts";
import { describeEnd, Machine, markerValue, type BootResult, type Drive } from "./qemu.ts";

export type Loader = "systemd-boot" | "grub" | "firmware";

export interface Scenario {
  /** File-safe identifier, unique in the suite. */
  name: string;
  title: string;
  loader: Loader;
  /** The time this scenario should take (issue 8: each fallback scenario within 40 s). */
  budgetMs: number;
  run(ctx: ScenarioContext): Promise<void>;
}

export interface MachineSpec {
  disk: EspImage;
  /** Attach the Node runtime and app disks to every boot (guest steps node-version, cli:, script:). */
  node?: boolean;
  timeoutMs?: number;
}

export class ScenarioContext {
  /** One short line per boot for the run summary, e.g. "new+3.conf". */
  readonly sequence: string[] = [];
  /** Wall time of each boot (QEMU start to exit), in boot order. */
  readonly bootTimesMs: number[] = [];
  private readonly started = Date.now();
  private readonly transcript: string;
  private readonly disposable: string[] = [];
  private lastBoot: BootResult | undefined;

  constructor(
    readonly scenario: Scenario,
    readonly dir: string,
    readonly assets: Assets,
  ) {
    this.transcript = join(dir, "transcript.txt");
  }

  static async create(scenario: Scenario, resultsRoot: string, assets: Assets): Promise<ScenarioContext> {
    const dir = join(resultsRoot, scenario.name);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const ctx = new ScenarioContext(scenario, dir, assets);
    await writeFile(ctx.transcript, `# ${scenario.name}: ${scenario.title}\n# loader: ${scenario.loader}\n\n`);
    return ctx;
  }

  private stamp(): string {
    return `[${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)} s]`;
  }

  async log(text: string): Promise<void> {
    await appendFile(this.transcript, `${this.stamp()} ${text}\n`);
  }

  /** A scratch path in this scenario's directory, removed when the scenario passes (kept when it fails). */
  scratch(name: string): string {
    const path = join(this.dir, name);
    this.disposable.push(path);
    return path;
  }

  /** A fresh GPT disk with an empty FAT32 ESP, in this scenario's directory. */
  async newDisk(name = "disk", options: DiskOptions = {}): Promise<EspImage> {
    const path = join(this.dir, `${name}.img`);
    this.disposable.push(path);
    return createEspDisk(path, this.dir, options);
  }

  /** A machine (own OVMF VARS) booting `spec.disk`; every boot is written to the transcript. */
  async machine(spec: MachineSpec): Promise<Machine> {
    const extraDrives: Drive[] = spec.node ? await this.assets.nodeDrives() : [];
    const machine = await Machine.create({
      dir: this.dir,
      disk: spec.disk.imagePath,
      extraDrives,
      ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}),
      onBoot: (result) => this.recordBoot(result),
    });
    this.disposable.push(machine.vars);
    return machine;
  }

  /** Writes a boot to the transcript and the run's summary (machines call it after every boot). */
  async recordBoot(result: BootResult): Promise<void> {
    this.lastBoot = result;
    this.bootTimesMs.push(result.durationMs);
    const lines = [
      `${this.stamp()} ${result.label}: ${describeEnd(result)}, ${(result.durationMs / 1000).toFixed(1)} s`,
      `    firmware started: ${result.bootOptions.map((b) => `${b.option} "${b.description}" at ${(b.atMs / 1000).toFixed(1)} s`).join("; ") || "(no boot option)"}`,
      ...result.markers.map((m) => `    ${(m.atMs / 1000).toFixed(2).padStart(6)} s  ${m.key}=${m.value}`),
      ...guestRuns(result).map((r) => `    guest ran ${describeRun(r)}`),
      `    serial log: ${result.serialLog}`,
    ];
    if (this.bootTimesMs.length === 1) lines.push(`    command: ${commandLine(result.argv[0] ?? "qemu", result.argv.slice(1))}`);
    if (result.qemuStderr) lines.push(`    qemu stderr: ${result.qemuStderr.replace(/\n/g, "\n      ")}`);
    await appendFile(this.transcript, lines.join("\n") + "\n");
  }

  /** Appends lines to the transcript as they are (a boot's journal). */
  async appendTranscript(lines: readonly string[]): Promise<void> {
    await appendFile(this.transcript, lines.join("\n") + "\n");
  }

  /** Adds the boot's selected entry (or the entry its guest reported) to the summary line. */
  noteBoot(result: BootResult, label?: string): string {
    const selected = markerValue(result, "LOADER_ENTRY_SELECTED");
    const name = label ?? (selected || markerValue(result, "BOOTED") || "?");
    this.sequence.push(name);
    return name;
  }

  /**
   * Issue 8 #10: the entries systemd-boot booted (LoaderEntrySelected; in systemd 252 that is the
   * file name, counter included, before the rename) and the names it renamed them to
   * (LoaderBootCountPath) must be what `bootctl-ts predict` said before the boots.
   */
  async expectPredicted(prediction: PredictJson, boots: readonly BootResult[], what: string): Promise<void> {
    const predicted = prediction.attempts.slice(0, boots.length).map((a) => `${a.fileBefore}→${a.fileAfter}`);
    const observed = boots.map((b) => {
      const selected = markerValue(b, "LOADER_ENTRY_SELECTED") ?? "?";
      const countPath = markerValue(b, "LOADER_BOOT_COUNT_PATH") ?? "";
      return `${selected}→${countPath === "" ? selected : countPath.slice(countPath.lastIndexOf("\\") + 1)}`;
    });
    await this.observed(`${what}: predicted`, predicted.join("  "));
    await this.observed(`${what}: booted`, observed.join("  "));
    this.expect(prediction.attempts.length >= boots.length, `${what}: predict foresaw ${prediction.attempts.length} attempts, the machine made ${boots.length} boots`);
    this.expectEqual(observed, predicted, `${what}: booted entries vs bootctl-ts predict`);
  }

  /**
   * Issue 8 #10 for loaders that report no entry variables (GRUB): the menu entry ids the guests
   * reported, boot by boot, must be the ids `bootctl-ts predict` gave before the boots.
   */
  async expectPredictedIds(prediction: PredictJson, observed: readonly (string | undefined)[], what: string): Promise<void> {
    const predicted = prediction.attempts.slice(0, observed.length).map((a) => a.id);
    await this.observed(`${what}: predicted`, predicted.join("  "));
    await this.observed(`${what}: booted`, observed.map((o) => o ?? "?").join("  "));
    this.expect(prediction.attempts.length >= observed.length, `${what}: predict foresaw ${prediction.attempts.length} attempts, the machine made ${observed.length} boots`);
    this.expectEqual(observed, predicted, `${what}: booted entries vs bootctl-ts predict`);
  }

  /** Records what the host read back from the disk after a boot. */
  async observed(what: string, value: unknown): Promise<void> {
    await this.log(`  observed ${what}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
  }

  expect(condition: boolean, message: string): asserts condition {
    if (!condition) throw new ScenarioFailure(message);
  }

  expectEqual<T>(actual: T, expected: T, what: string): void {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    if (a !== e) throw new ScenarioFailure(`${what}: expected ${e}, observed ${a}`);
  }

  /** Fails unless the boot ended by itself (power-off or reset), not by timeout or the UEFI shell. */
  expectCleanEnd(result: BootResult): void {
    this.expect(!result.shell, `${result.label}: firmware fell through to the UEFI shell (see ${result.consoleLog})`);
    this.expect(!result.timedOut, `${result.label}: hard timeout after ${(result.durationMs / 1000).toFixed(1)} s (see ${result.consoleLog})`);
    this.expect(result.exitCode === 0, `${result.label}: QEMU exited ${result.exitCode ?? result.signal} (${result.qemuStderr || "no stderr"})`);
  }

  /** Fails unless the boot reported which entry started and was then ended by the host (UNTIL_IDENTIFIED). */
  expectIdentified(result: BootResult): void {
    this.expect(!result.shell, `${result.label}: firmware fell through to the UEFI shell (see ${result.consoleLog})`);
    this.expect(!result.timedOut, `${result.label}: hard timeout after ${(result.durationMs / 1000).toFixed(1)} s (see ${result.consoleLog})`);
    this.expect(result.stoppedOnMarker, `${result.label}: the guest ended before it reported which entry started (${describeEnd(result)})`);
  }

  /** Ends the transcript; on success removes the images (logs stay). */
  async finish(error: unknown, elapsedMs: number): Promise<void> {
    if (error === undefined) {
      await this.log(`PASSED in ${(elapsedMs / 1000).toFixed(1)} s`);
      for (const path of this.disposable) await rm(path, { recursive: true, force: true });
      return;
    }
    await this.log(`FAILED after ${(elapsedMs / 1000).toFixed(1)} s: ${error instanceof Error ? error.message : String(error)}`);
    await this.log(`images kept for inspection: ${this.disposable.join(", ")}`);
    if (this.lastBoot) {
      const tail = this.lastBoot.lines.slice(-40).map((l) => `    ${(l.atMs / 1000).toFixed(2).padStart(6)} s  ${l.text}`);
      await appendFile(this.transcript, `last console lines of ${this.lastBoot.label}:\n${tail.join("\n")}\n`);
    }
  }
}
