/**
 * `handleBootFailure`: run by the service when the health checks failed (unit OnFailure=):
 * mark the booted entry bad when counting is in effect, then reboot unless the bootloop guard or
 * `bootctl-ts.reboot=0` says not to (ops/boot-failure.ts). The decision is recorded in
 * `/run/bootctl-ts/boot-failure.json` under the root so `status` can explain it later in this boot.
 * Node built-ins only.
 */
import { readFile } from "node:fs/promises";
import { spawnSync } from "node:child_process";
import { errnoOf } from "../errors.ts";
import { atomicReplace, mkdirDurable } from "../adapters/durable-fs.ts";
import { inRoot } from "../adapters/root-path.ts";
import { decideOnFailure, type FailureDecision } from "../ops/boot-failure.ts";
import { blessBoot, blessStatusOf, type BlessOptions } from "./bless-boot.ts";

export const FAILURE_RECORD = "/run/bootctl-ts/boot-failure.json";

export interface FailureOptions extends BlessOptions {
  /** Kernel command line; default: read /proc/cmdline. */
  cmdline?: string;
  /** Performs the reboot; default `systemctl reboot`. Tests pass a recorder. */
  reboot?: () => void;
}

export interface FailureOutcome extends FailureDecision {
  state: string;
  rebooted: boolean;
}

async function kernelCmdline(): Promise<string> {
  try {
    return await readFile("/proc/cmdline", "utf8");
  } catch (err) {
    if (errnoOf(err) === "ENOENT") return "";
    throw err;
  }
}

function systemctlReboot(): void {
  spawnSync("systemctl", ["reboot"], { stdio: "inherit" });
}

export async function handleBootFailure(options: FailureOptions): Promise<FailureOutcome> {
  const status = await blessStatusOf(options);
  const decision = decideOnFailure({ state: status.state, cmdline: options.cmdline ?? (await kernelCmdline()) });
  if (decision.markBad && !options.dryRun) await blessBoot("bad", options);
  const outcome: FailureOutcome = { ...decision, state: status.state, rebooted: false };
  if (!options.dryRun) {
    const root = options.root ?? "/";
    await mkdirDurable(root, inRoot(root, "/run/bootctl-ts"));
    await atomicReplace(root, inRoot(root, FAILURE_RECORD), JSON.stringify({ ...outcome, time: new Date().toISOString() }) + "\n");
    if (decision.reboot) {
      (options.reboot ?? systemctlReboot)();
      outcome.rebooted = true;
    }
  }
  return outcome;
}
