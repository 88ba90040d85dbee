/**
 * The guest side of the suite: the /init of the test initramfs and the kernel command line that
 * tells it what to do. One initramfs serves every entry of every scenario; the entry's command line
 * says which entry this is and which steps to run, so a scenario changes guest behaviour by
 * writing loader entries (or the grub.cfg), never by rebuilding the initramfs.
 *
 * Command line contract (parsed by /init from /proc/cmdline):
 *   test.entry=NAME     reported as BTQ:BOOTED=NAME
 *   test.do=S1,S2,…     steps run in order; arguments of a step are separated by ':'
 * Steps:
 *   poweroff            end: RESULT=poweroff, unmount the ESP, power off (QEMU exits 0)   [default]
 *   reboot              end: RESULT=reboot, reboot without marking good (QEMU exits: -no-reboot)
 *   panic               end: RESULT=panic, sysrq-c; `panic=-1` resets at once
 *   hang                end: RESULT=hang, hangs until the host's timeout
 *   hang-wd:SECONDS     end: arms softdog with that margin and hangs; the watchdog resets the VM
 *   freeze              end: prints FROZEN and stops with nothing unmounted or synced, for the
 *                       host to cut the power (BootRequest.stopOnMarker + stopSignal SIGKILL)
 *   node-version        runs `node --version` and `node /app/dist/cli.cjs --version` in the guest
 *   cli:ARG:ARG…        runs `node /app/dist/cli.cjs ARG ARG…` (bootctl-ts) with the ESP at /efi;
 *                       markers CLI_BEGIN (program and arguments), CLI_OUT (each output line,
 *                       stdout and stderr), CLI_RC
 *   svc:ARG:ARG…        the same for `node /app/dist/service.cjs ARG…` (the boot-success service:
 *                       health, mark-good, on-failure, bless-boot)
 *   clicut:ARG:ARG…     like cli, with the power-cut hook (guest/powercut-hook.cjs) preloaded; the
 *                       cut point is read from CUT_FILE on the ESP (CUT_SPEC marker); at the cut
 *                       it prints FROZEN and blocks, for the host to kill QEMU
 *   boot-complete       what the service's units do: `service.cjs health`; then `mark-good` when it
 *                       passed (BOOT_COMPLETE=reached), else `on-failure` (BOOT_COMPLETE=health-failed),
 *                       which reboots through the guest's systemctl unless its bootloop guard stops it
 *   check:NAME:RC       installs /etc/bootctl-ts/checks/required.d/NAME (exit RC) in the guest root
 *   fail-once:NAME      when /efi/bootctl-test/NAME exists: removes it and reboots at once (a boot
 *                       that fails before success); otherwise FAIL_ONCE=passed and go on
 *   script:NAME         sources /efi/bootctl-test/NAME.sh; it may call bootctl_ts, mark, need_rw
 *
 * Serial markers, one per line, `BTQ:KEY=VALUE` (BOOT_COMPLETE too): INIT_START, BOOTED, LOADER_ENTRY_SELECTED,
 * LOADER_BOOT_COUNT_PATH, LOADER_ENTRY_ONESHOT, LOADER_ENTRY_DEFAULT, BOOT_CURRENT, ESP,
 * SCRIPT, SCRIPT_RC, FROZEN, FS_OP, CUT_SPEC, CHECK_INSTALLED, FAIL_ONCE, SYSTEMCTL (the
 * guest's systemctl was called: guest/systemctl.sh), NODE_READY, NODE_VERSION, CLI_VERSION, CLI_OUT, CLI_RC, STEP_ERROR, RESULT (uptimes in
 * seconds).
 *
 * Disks: /dev/vda is the disk under test (ESP = partition 1), mounted read-only at /efi until a
 * step needs to write (so a panic or reset leaves FAT clean); /dev/vdb is the Node runtime (ext4,
 * its /usr bind-mounted over /usr) and /dev/vdc the app (dist/), both read-only and only attached
 * to boots that run Node.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { SuiteError } from "./errors.ts";

export const MARKER_PREFIX = "BTQ:";

/** systemd's loader vendor GUID (LoaderEntrySelected, LoaderBootCountPath, …). */
export const LOADER_GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";
/** The EFI global variable GUID (BootCurrent, BootNext, …). */
export const EFI_GLOBAL_GUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c";

export type GuestStep =
  | "poweroff"
  | "reboot"
  | "panic"
  | "hang"
  | "freeze"
  | "node-version"
  | "boot-complete"
  | { hangWatchdog: number }
  | { cli: readonly string[] }
  | { service: readonly string[] }
  | { clicut: readonly string[] }
  | { check: string; exit: number }
  | { failOnce: string }
  | { script: string };

const SAFE_WORD = /^[A-Za-z0-9_./=+@%-]+$/;

function encodeArgs(name: string, args: readonly string[]): string {
  for (const arg of args) {
    if (!SAFE_WORD.test(arg)) throw new SuiteError("E_QEMU_GUEST", `guest argument ${JSON.stringify(arg)} cannot travel on the kernel command line`);
  }
  return [name, ...args].join(":");
}

function encodeStep(step: GuestStep): string {
  if (typeof step === "string") return step;
  if ("hangWatchdog" in step) {
    if (!Number.isInteger(step.hangWatchdog) || step.hangWatchdog < 1) throw new SuiteError("E_QEMU_GUEST", `bad watchdog margin ${step.hangWatchdog}`);
    return `hang-wd:${step.hangWatchdog}`;
  }
  if ("cli" in step) return encodeArgs("cli", step.cli);
  if ("service" in step) return encodeArgs("svc", step.service);
  if ("clicut" in step) return encodeArgs("clicut", step.clicut);
  if ("check" in step) {
    if (!/^[A-Za-z0-9_-]+$/.test(step.check) || !Number.isInteger(step.exit) || step.exit < 0 || step.exit > 255) {
      throw new SuiteError("E_QEMU_GUEST", `bad health check ${JSON.stringify(step)}`);
    }
    return `check:${step.check}:${step.exit}`;
  }
  if ("failOnce" in step) {
    if (!/^[A-Za-z0-9_-]+$/.test(step.failOnce)) throw new SuiteError("E_QEMU_GUEST", `bad fail-once flag ${JSON.stringify(step.failOnce)}`);
    return `fail-once:${step.failOnce}`;
  }
  if (!/^[A-Za-z0-9_-]+$/.test(step.script)) throw new SuiteError("E_QEMU_GUEST", `bad guest script name ${JSON.stringify(step.script)}`);
  return `script:${step.script}`;
}

/** The kernel command line for an entry whose guest reports as `entry` and runs `steps`. */
export function guestCmdline(entry: string, steps: readonly GuestStep[]): string {
  if (!/^[A-Za-z0-9_.+-]+$/.test(entry)) throw new SuiteError("E_QEMU_GUEST", `bad guest entry name ${JSON.stringify(entry)}`);
  const encoded = steps.map(encodeStep);
  return ["console=ttyS0", "quiet", "panic=-1", `test.entry=${entry}`, `test.do=${encoded.join(",") || "poweroff"}`].join(" ");
}

/**
 * The last of the markers /init prints before it touches anything (BOOTED, LOADER_ENTRY_SELECTED,
 * LOADER_BOOT_COUNT_PATH, LOADER_ENTRY_ONESHOT, LOADER_ENTRY_DEFAULT, BOOT_CURRENT): a boot that
 * only has to show which entry started can be ended there (`UNTIL_IDENTIFIED`), before the ESP
 * is mounted and before any Node step, so nothing the guest would do afterwards is lost.
 */
export const IDENTIFIED_MARKER = "BOOT_CURRENT";
export const UNTIL_IDENTIFIED = { stopOnMarker: (m: { key: string }): boolean => m.key === IDENTIFIED_MARKER };

/** Where `script:NAME` steps find their scripts on the ESP. */
export function guestScriptPath(name: string): string {
  return `/bootctl-test/${name}.sh`;
}

/** The /init script (busybox ash), kept as a plain shell file next to the suite. */
export const INIT_SCRIPT_PATH = fileURLToPath(new URL("../guest/init.sh", import.meta.url));
/** The guest's /bin/systemctl (what the boot-failure service calls to reboot). */
export const SYSTEMCTL_SCRIPT_PATH = fileURLToPath(new URL("../guest/systemctl.sh", import.meta.url));
/** Preloaded into bootctl-ts by the clicut step: stops it at a chosen file-system call. */
export const POWERCUT_HOOK_PATH = fileURLToPath(new URL("../guest/powercut-hook.cjs", import.meta.url));
/** Where the clicut step reads its cut point (WHEN:OP:N or "none"), on the ESP. */
export const CUT_FILE = "/bootctl-test/cut.txt";

/** The /init script's text, checked to carry the GUIDs this module names. */
export async function initScript(): Promise<string> {
  const text = await readFile(INIT_SCRIPT_PATH, "utf8");
  if (!text.includes(`LOADER_GUID=${LOADER_GUID}`) || !text.includes(`EFI_GLOBAL_GUID=${EFI_GLOBAL_GUID}`)) {
    throw new SuiteError("E_QEMU_GUEST", `${INIT_SCRIPT_PATH} does not define the loader and global GUIDs`);
  }
  return text;
}
