/**
 * One QEMU process per boot: q35 under TCG, one vCPU, OVMF CODE
 * read-only plus a private VARS copy per machine (so NVRAM persists across that machine's boots
 * and nowhere else), `-nodefaults -nic none -vga none -no-reboot`, the serial console captured to a
 * log file, and a hard timeout (SIGTERM, then SIGKILL 5 s later). With -no-reboot a guest reset
 * (reboot, panic=-1, watchdog) ends the process, so each boot is one clean run; a `Machine`
 * re-launches QEMU on the same disk and VARS to follow a reboot loop.
 *
 * At most `qemuLimit()` QEMUs run at once in this process (2 by default, for 2 cores: a third one
 * slows every boot by half, measured).
 */
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SuiteError } from "./errors.ts";
import { OVMF_CODE, OVMF_VARS } from "./paths.ts";
import { SerialReader, type ConsoleLine, type Marker } from "./serial.ts";

const QEMU = "qemu-system-x86_64";
const KILL_GRACE_MS = 5000;

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(public limit: number) {}
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }
  release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) next();
  }
}

/** BOOTCTL_TS_QEMU_JOBS=1 runs one QEMU at a time; more than 2 is never allowed (2 cores). */
const MAX_QEMUS = 2;
const slots = new Semaphore(Math.min(MAX_QEMUS, Math.max(1, Math.trunc(Number(process.env["BOOTCTL_TS_QEMU_JOBS"] ?? MAX_QEMUS)) || MAX_QEMUS)));

export function qemuLimit(): number {
  return slots.limit;
}

export interface Drive {
  file: string;
  readonly?: boolean;
  /** Image format (default raw). */
  format?: "raw" | "qcow2";
}

/** What `-fw_cfg name=NAME,…` passes to the guest: a file's bytes or a string (guest: /sys/firmware/qemu_fw_cfg/by_name/NAME/raw). */
export interface FwCfgItem {
  name: string;
  file?: string;
  string?: string;
}

/** The firmware pair: OVMF's CODE (read-only) and the VARS template a machine copies once. */
export interface Firmware {
  code: string;
  varsTemplate: string;
  /**
   * A Secure Boot build (OVMF_CODE_4M.secboot.fd): it keeps its variables in SMM, so QEMU must
   * give it SMM and a secure pflash (OVMF's README: -machine smm=on, cfi.pflash01 secure=on).
   */
  smm?: boolean;
}

export interface BootRequest {
  /** Names the log files: <logDir>/<label>.serial.log and <label>.console.txt. */
  label: string;
  logDir: string;
  /** The disk under test (the guest's /dev/vda). */
  disk: string;
  /** This machine's writable OVMF VARS copy. */
  vars: string;
  /** Further virtio disks (/dev/vdb, /dev/vdc, …). */
  extraDrives?: readonly Drive[];
  /**
   * The disk bus. virtio (default): the busybox guest's /dev/vda, /dev/vdb, … NVMe: the disks of
   * a real Debian guest, whose cloud kernel has NVMe built in (virtio_blk is a module) and so
   * mounts its root without an initrd; the guest refers to them by partition label only (the
   * controllers probe asynchronously).
   */
  bus?: "virtio" | "nvme";
  /** The disk under test's format (default raw). */
  diskFormat?: "raw" | "qcow2";
  /** OVMF CODE (default OVMF_CODE_4M.fd, no Secure Boot). */
  ovmfCode?: string;
  /** The firmware needs SMM (a Secure Boot build). */
  smm?: boolean;
  /** Direct kernel boot (QEMU -kernel/-append through OVMF): no loader on the disk yet. */
  kernel?: { image: string; append: string; initrd?: string };
  /** -fw_cfg items: the host's per-boot instructions to the guest. */
  fwCfg?: readonly FwCfgItem[];
  /** Hard timeout for the whole QEMU run (default 120 s: 3× a slow boot on a loaded runner). */
  timeoutMs?: number;
  memoryMiB?: number;
  /** Ends the run early once a marker says the rest is of no interest (RESULT=hang), or to cut power. */
  stopOnMarker?: (marker: Marker) => boolean;
  /** Ends the run at a console line (firmware messages that mean the boot went nowhere). */
  stopOnLine?: (text: string) => boolean;
  /** How stopOnMarker ends QEMU: SIGTERM (default) or SIGKILL (a power cut: no device flush). */
  stopSignal?: "SIGTERM" | "SIGKILL";
  /** Called for each console line as it arrives. */
  onLine?: (line: ConsoleLine) => void;
}

export interface BootResult {
  label: string;
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  /** The hard timeout ended the run. */
  timedOut: boolean;
  /** stopOnMarker ended the run. */
  stoppedOnMarker: boolean;
  /** OVMF fell through to its UEFI Shell: nothing on the disk booted. The run is ended at once. */
  shell: boolean;
  /** A `Kernel panic` line was seen. */
  panic: boolean;
  durationMs: number;
  markers: Marker[];
  lines: ConsoleLine[];
  bootOptions: { option: string; description: string; atMs: number }[];
  serialLog: string;
  consoleLog: string;
  qemuStderr: string;
}

/** The last value of a marker, if the boot printed it. */
export function markerValue(result: BootResult, key: string): string | undefined {
  for (let i = result.markers.length - 1; i >= 0; i--) {
    const m = result.markers[i];
    if (m?.key === key) return m.value;
  }
  return undefined;
}

/** A value inside a QEMU -drive option list: commas are doubled (QemuOpts escaping). */
function optionValue(value: string): string {
  return value.replace(/,/g, ",,");
}

export function qemuArgs(request: BootRequest): string[] {
  const args = [
    "-machine", request.smm ? "q35,smm=on" : "q35", "-accel", "tcg", "-cpu", "qemu64", "-smp", "1", "-m", String(request.memoryMiB ?? 512),
    ...(request.smm ? ["-global", "driver=cfi.pflash01,property=secure,value=on"] : []),
    "-drive", `if=pflash,format=raw,unit=0,readonly=on,file=${optionValue(request.ovmfCode ?? OVMF_CODE)}`,
    "-drive", `if=pflash,format=raw,unit=1,file=${optionValue(request.vars)}`,
  ];
  const drives: Drive[] = [{ file: request.disk, format: request.diskFormat ?? "raw" }, ...(request.extraDrives ?? [])];
  drives.forEach((d, i) => {
    const common = `format=${d.format ?? "raw"},file=${optionValue(d.file)}${d.readonly ? ",readonly=on" : ""}`;
    if (request.bus === "nvme") args.push("-drive", `if=none,id=d${i},${common}`, "-device", `nvme,drive=d${i},serial=btq${i}`);
    else args.push("-drive", `if=virtio,${common}`);
  });
  if (request.kernel) {
    args.push("-kernel", request.kernel.image, "-append", request.kernel.append);
    if (request.kernel.initrd) args.push("-initrd", request.kernel.initrd);
  }
  for (const f of request.fwCfg ?? []) {
    args.push("-fw_cfg", f.file !== undefined ? `name=${optionValue(f.name)},file=${optionValue(f.file)}` : `name=${optionValue(f.name)},string=${optionValue(f.string ?? "")}`);
  }
  args.push("-nodefaults", "-nic", "none", "-display", "none", "-vga", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot");
  return args;
}

/** Runs one QEMU boot to its end (guest power-off or reset, shell, marker stop, or timeout). */
export async function bootOnce(request: BootRequest): Promise<BootResult> {
  await mkdir(request.logDir, { recursive: true });
  await slots.acquire();
  try {
    return await run(request);
  } finally {
    slots.release();
  }
}

function run(request: BootRequest): Promise<BootResult> {
  const argv = qemuArgs(request);
  const serialLog = join(request.logDir, `${request.label}.serial.log`);
  const consoleLog = join(request.logDir, `${request.label}.console.txt`);
  const timeoutMs = request.timeoutMs ?? 120_000;
  const startedAt = Date.now();
  const raw = createWriteStream(serialLog);
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let timedOut = false;
    let stoppedOnMarker = false;
    let ending = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): void => {
      if (ending) return;
      ending = true;
      child.kill(signal);
      killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
    };
    let seenMarkers = 0;
    const reader: SerialReader = new SerialReader(startedAt, (line) => {
      request.onLine?.(line);
      if (!stoppedOnMarker && request.stopOnLine?.(line.text)) {
        stoppedOnMarker = true;
        stop(request.stopSignal);
      }
      for (; seenMarkers < reader.markers.length; seenMarkers++) {
        const marker = reader.markers[seenMarkers];
        if (marker && !stoppedOnMarker && request.stopOnMarker?.(marker)) {
          stoppedOnMarker = true;
          stop(request.stopSignal);
        }
      }
    });
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      raw.write(chunk);
      reader.push(chunk);
      if (reader.shellSeen) stop();
      // Firmware dialogs (shim's "Verification failed") end with cursor moves, not a newline: look
      // at the line received so far, which may have come in several chunks (one chunk alone held
      // half the message, and the boot ran into its timeout).
      if (!stoppedOnMarker && request.stopOnLine?.(reader.partialLine)) {
        stoppedOnMarker = true;
        stop(request.stopSignal);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      raw.end();
      reject(new SuiteError("E_QEMU_START", `${QEMU}: cannot run (${e.message})`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      reader.end();
      const durationMs = Date.now() - startedAt;
      const text = reader.lines.map((l) => `${(l.atMs / 1000).toFixed(2).padStart(7)}  ${l.text}`).join("\n") + "\n";
      raw.end(() => {
        writeFile(consoleLog, text).then(
          () =>
            resolve({
              label: request.label,
              argv: [QEMU, ...argv],
              exitCode: code,
              signal,
              timedOut,
              stoppedOnMarker,
              shell: reader.shellSeen,
              panic: reader.panicSeen,
              durationMs,
              markers: reader.markers,
              lines: reader.lines,
              bootOptions: reader.bootOptions,
              serialLog,
              consoleLog,
              qemuStderr: Buffer.concat(stderr).toString("utf8").trim(),
            }),
          reject,
        );
      });
    });
  });
}

/** How a boot ended, in a few words for transcripts. */
export function describeEnd(result: BootResult): string {
  if (result.shell) return "fell through to the UEFI shell (nothing booted)";
  if (result.timedOut) return `hard timeout after ${(result.durationMs / 1000).toFixed(1)} s`;
  if (result.stoppedOnMarker) return "stopped by the host after its marker";
  if (result.signal) return `QEMU killed by ${result.signal}`;
  const guest = markerValue(result, "RESULT");
  return `QEMU exit ${result.exitCode}${guest ? `, guest ${guest.split(" ")[0]}` : ""}${result.panic ? ", kernel panic" : ""}`;
}

export interface MachineOptions {
  /** Directory for this machine's VARS copy and logs. */
  dir: string;
  disk: string;
  extraDrives?: readonly Drive[];
  timeoutMs?: number;
  bus?: "virtio" | "nvme";
  diskFormat?: "raw" | "qcow2";
  memoryMiB?: number;
  /** Firmware (default OVMF_CODE_4M.fd with OVMF_VARS_4M.fd: no Secure Boot). */
  firmware?: Firmware;
  /** Names this machine's files (default OVMF_VARS.fd, boot-N logs): several machines in one directory. */
  prefix?: string;
  /** Called after every boot (transcripts). */
  onBoot?: (result: BootResult) => void | Promise<void>;
}

export interface SequenceStep<O> {
  result: BootResult;
  observed: O;
}

/**
 * One emulated machine: a disk and its own NVRAM, booted as often as a scenario needs. Between
 * boots the host may read and change the disk (no QEMU has it open then).
 */
export class Machine {
  readonly vars: string;
  readonly boots: BootResult[] = [];

  private constructor(private readonly options: MachineOptions) {
    this.vars = join(options.dir, `${options.prefix ?? ""}OVMF_VARS.fd`);
  }

  /** A machine with a fresh copy of OVMF's VARS template. */
  static async create(options: MachineOptions): Promise<Machine> {
    await mkdir(options.dir, { recursive: true });
    const machine = new Machine(options);
    await copyFile(options.firmware?.varsTemplate ?? OVMF_VARS, machine.vars);
    return machine;
  }

  async boot(overrides: Partial<Pick<BootRequest, "extraDrives" | "timeoutMs" | "stopOnMarker" | "stopOnLine" | "stopSignal" | "onLine" | "kernel" | "fwCfg">> = {}): Promise<BootResult> {
    const o = this.options;
    const request: BootRequest = {
      label: `${o.prefix ?? ""}boot-${this.boots.length + 1}`,
      logDir: o.dir,
      disk: o.disk,
      vars: this.vars,
      ...(o.extraDrives ? { extraDrives: o.extraDrives } : {}),
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.bus ? { bus: o.bus } : {}),
      ...(o.diskFormat ? { diskFormat: o.diskFormat } : {}),
      ...(o.memoryMiB ? { memoryMiB: o.memoryMiB } : {}),
      ...(o.firmware ? { ovmfCode: o.firmware.code } : {}),
      ...(o.firmware?.smm ? { smm: true } : {}),
      ...overrides,
    };
    const result = await bootOnce(request);
    this.boots.push(result);
    await this.options.onBoot?.(result);
    return result;
  }

  /**
   * Boots again and again (each a new QEMU on the same disk and VARS), observing the machine after
   * each boot, until `until` holds or `maxBoots` boots were made. A boot that ended in the UEFI
   * shell or by the hard timeout ends the sequence unless `allowAbnormal` says it is expected.
   */
  async bootSequence<O>(spec: {
    maxBoots: number;
    observe: (result: BootResult, index: number) => Promise<O>;
    until: (step: SequenceStep<O>, steps: readonly SequenceStep<O>[]) => boolean;
    before?: (index: number) => Promise<void>;
    allowAbnormal?: (result: BootResult) => boolean;
    bootOptions?: Partial<Pick<BootRequest, "extraDrives" | "timeoutMs" | "stopOnMarker" | "stopSignal">>;
  }): Promise<SequenceStep<O>[]> {
    const steps: SequenceStep<O>[] = [];
    for (let i = 1; i <= spec.maxBoots; i++) {
      await spec.before?.(i);
      const result = await this.boot(spec.bootOptions ?? {});
      const step = { result, observed: await spec.observe(result, i) };
      steps.push(step);
      const abnormal = result.shell || (result.timedOut && !result.stoppedOnMarker);
      if (abnormal && !(spec.allowAbnormal?.(result) ?? false)) break;
      if (spec.until(step, steps)) break;
    }
    return steps;
  }
}
