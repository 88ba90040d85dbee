/**
 * `handleBootFailure`: run by the service when the health checks failed (unit OnFailure=):
 * mark the booted entry bad when counting is in effect, work out whether the next boot would
 * start another entry, then reboot unless the bootloop guard or `bootctl-ts.reboot=0` says not
 * to (ops/boot-failure.ts). The decision is recorded in `/run/bootctl-ts/boot-failure.json`
 * under the root so `status` can explain it later in this boot. Node built-ins only.
 */
import { readdir, readFile } from "node:fs/promises";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { errnoOf } from "../errors.ts";
import { atomicReplace, mkdirDurable } from "../adapters/durable-fs.ts";
import { readEfiString } from "../adapters/efivarfs.ts";
import { inRoot } from "../adapters/root-path.ts";
import { targetEfivarsPath } from "../adapters/target-efivars.ts";
import { LOADER_VENDOR_GUID } from "../formats/efi/guids.ts";
import { tryExtractTries } from "../model/boot-counter.ts";
import { decideOnFailure, nextBootFromNames, wasCounted, type FailureDecision } from "../ops/boot-failure.ts";
import { blessBoot, blessStatusOf, type BlessOptions, type BlessStatusResult } from "./bless-boot.ts";

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

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/** The entry that just failed, by id: from LoaderBootCountPath, else LoaderEntrySelected. */
async function failedEntryId(status: BlessStatusResult, efivarsPath: string | undefined): Promise<string | undefined> {
  if (status.path !== undefined) return tryExtractTries(path.posix.basename(status.path))?.stripped;
  if (efivarsPath === undefined) return undefined;
  const selected = await readEfiString(efivarsPath, "LoaderEntrySelected", LOADER_VENDOR_GUID).catch(() => undefined);
  return selected === undefined ? undefined : (tryExtractTries(selected)?.stripped ?? selected);
}

/** After marking bad: would the loader start another entry at the next boot? */
async function nextBoot(status: BlessStatusResult, options: FailureOptions): Promise<"other" | "same" | "unknown"> {
  if (status.loader === "grub") {
    const g = status.grub;
    if (!g || !wasCounted(status.state)) return "same";
    return g.fallback !== undefined && g.fallback !== g.trial ? "other" : "same";
  }
  const efivars = targetEfivarsPath(options);
  const failed = await failedEntryId(status, efivars);
  if (failed === undefined) return "unknown";
  const entryNames: string[] = [];
  const patterns: string[] = [];
  for (const partition of status.partitions) {
    entryNames.push(...(await names(path.join(partition, "loader/entries"))).filter((n) => /\.conf$/i.test(n)));
    entryNames.push(...(await names(path.join(partition, "EFI/Linux"))).filter((n) => /\.efi$/i.test(n)));
    const conf = await readFile(path.join(partition, "loader/loader.conf"), "utf8").catch(() => "");
    const m = /^\s*default\s+(\S+)/m.exec(conf);
    if (m) patterns.push(m[1]!.replace(/^"|"$/g, ""));
  }
  const variable = efivars === undefined ? undefined : await readEfiString(efivars, "LoaderEntryDefault", LOADER_VENDOR_GUID).catch(() => undefined);
  if (variable) patterns.unshift(variable);
  return nextBootFromNames(failed, entryNames, patterns.slice(0, 1));
}

export async function handleBootFailure(options: FailureOptions): Promise<FailureOutcome> {
  const status = await blessStatusOf(options);
  const counted = wasCounted(status.state);
  if (counted && !options.dryRun) await blessBoot("bad", options);
  const next = options.dryRun ? "unknown" : await nextBoot(status, options);
  const decision = decideOnFailure({ state: status.state, cmdline: options.cmdline ?? (await kernelCmdline()), nextBoot: next });
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
