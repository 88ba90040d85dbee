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
 *   bless-mv            renames the file named by LoaderBootCountPath to its name without the
 *                       "+LEFT[-DONE]" counter, with busybox mv (what systemd-bless-boot does);
 *                       stand-in until `bootctl-ts bless-boot good` exists
 *   grubenv-unset:VAR   removes VAR from /efi/EFI/BOOT/grubenv, rewriting its 1024 bytes in place
 *                       with '#' padding (GRUB's "mark good"); stand-in until bootctl-ts does it
 *   node-version        runs `node --version` and `node /app/dist/cli.cjs --version` in the guest
 *   cli:ARG:ARG…        runs `node /app/dist/cli.cjs ARG ARG…` (bootctl-ts) with the ESP at /efi
 *   script:NAME         sources /efi/bootctl-test/NAME.sh; it may call bootctl_ts, mark, need_rw
 *
 * Serial markers, one per line, `BTQ:KEY=VALUE`: INIT_START, BOOTED, LOADER_ENTRY_SELECTED,
 * LOADER_BOOT_COUNT_PATH, LOADER_ENTRY_ONESHOT, LOADER_ENTRY_DEFAULT, BOOT_CURRENT, ESP, BLESSED,
 * BLESS, GRUBENV_UNSET, SCRIPT, SCRIPT_RC, FROZEN, NODE_READY, NODE_VERSION, CLI_VERSION, CLI_OUT, CLI_RC, STEP_ERROR, RESULT (uptimes in
 * seconds).
 *
 * Disks: /dev/vda is the disk under test (ESP = partition 1), mounted read-only at /efi until a
 * step needs to write (so a panic or reset leaves FAT clean); /dev/vdb is the Node runtime (ext4,
 * its /usr bind-mounted over /usr) and /dev/vdc the app (dist/), both read-only and only attached
 * to boots that run Node (reference/qemu-node.md §2).
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
  | "bless-mv"
  | "node-version"
  | { hangWatchdog: number }
  | { grubenvUnset: string }
  | { cli: readonly string[] }
  | { script: string };

const SAFE_WORD = /^[A-Za-z0-9_./=+@%-]+$/;

function encodeStep(step: GuestStep): string {
  if (typeof step === "string") return step;
  if ("hangWatchdog" in step) {
    if (!Number.isInteger(step.hangWatchdog) || step.hangWatchdog < 1) throw new SuiteError("E_QEMU_GUEST", `bad watchdog margin ${step.hangWatchdog}`);
    return `hang-wd:${step.hangWatchdog}`;
  }
  if ("grubenvUnset" in step) {
    if (!/^[A-Za-z0-9_]+$/.test(step.grubenvUnset)) throw new SuiteError("E_QEMU_GUEST", `bad grubenv variable ${JSON.stringify(step.grubenvUnset)}`);
    return `grubenv-unset:${step.grubenvUnset}`;
  }
  if ("cli" in step) {
    for (const arg of step.cli) {
      if (!SAFE_WORD.test(arg)) throw new SuiteError("E_QEMU_GUEST", `guest CLI argument ${JSON.stringify(arg)} cannot travel on the kernel command line`);
    }
    return ["cli", ...step.cli].join(":");
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

/** Where `script:NAME` steps find their scripts on the ESP. */
export function guestScriptPath(name: string): string {
  return `/bootctl-test/${name}.sh`;
}

/** The /init script (busybox ash), kept as a plain shell file next to the suite. */
export const INIT_SCRIPT_PATH = fileURLToPath(new URL("../guest/init.sh", import.meta.url));

/** The /init script's text, checked to carry the GUIDs this module names. */
export async function initScript(): Promise<string> {
  const text = await readFile(INIT_SCRIPT_PATH, "utf8");
  if (!text.includes(`LOADER_GUID=${LOADER_GUID}`) || !text.includes(`EFI_GLOBAL_GUID=${EFI_GLOBAL_GUID}`)) {
    throw new SuiteError("E_QEMU_GUEST", `${INIT_SCRIPT_PATH} does not define the loader and global GUIDs`);
  }
  return text;
}
