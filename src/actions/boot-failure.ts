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
import { BootctlError, errnoOf } from "../errors.ts";
import { atomicReplace, mkdirDurable } from "../adapters/durable-fs.ts";
import { readEfiString } from "../adapters/efivarfs.ts";
import { inRoot, resolveSafe } from "../adapters/root-path.ts";
import { readBounded, TEXT_CONFIG_MAX } from "../adapters/bounded-read.ts";
import { interpretLoaderConf, parseLoaderConf, unquoteBootValue } from "../formats/bls/loader-conf.ts";
import { targetEfivarsPath } from "../adapters/target-efivars.ts";
import { LOADER_VENDOR_GUID } from "../formats/efi/guids.ts";
import { tryExtractTries } from "../model/boot-counter.ts";
import { failedChecksOf } from "../model/rollback.ts";
import { decideOnFailure, nextBootFromNames, wasCounted, type FailureDecision, type FailureFacts } from "../ops/boot-failure.ts";
import { blessBoot, blessStatusOf, type BlessOptions, type BlessStatusResult } from "./bless-boot.ts";

export const FAILURE_RECORD = "/run/bootctl-ts/boot-failure.json";
/** The report of this boot's health checks (`health --json`), written by the service's `health`. */
export const HEALTH_REPORT = "/run/bootctl-ts/health.json";

export interface FailureOptions extends BlessOptions {
  /** Kernel command line; default: read /proc/cmdline. */
  cmdline?: string;
  /** Performs the reboot; default `systemctl reboot`. Tests pass a recorder. */
  reboot?: () => void;
  /** Runs just before the reboot (the service writes its metrics); its failure is the caller's to report. */
  beforeReboot?: (outcome: FailureOutcome) => Promise<void>;
}

export interface FailureOutcome extends FailureDecision {
  state: string;
  rebooted: boolean;
  /** The required checks that failed, from this boot's health report (empty when none is found). */
  failedChecks: string[];
  /** Why the note for the rollback record could not be written (the boot is handled anyway). */
  recordError?: string;
}

/** The failed required checks in this boot's health report; none when there is no report. */
export async function failedChecksOfBoot(root: string): Promise<string[]> {
  try {
    const text = (await readBounded(await resolveSafe(root, inRoot(root, HEALTH_REPORT)), TEXT_CONFIG_MAX, "a health report")).toString("utf8");
    return failedChecksOf(JSON.parse(text));
  } catch (err) {
    if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR" || err instanceof SyntaxError || err instanceof BootctlError) return [];
    throw err;
  }
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

/**
 * The names in `relative` below a partition, the path confined to it and no symbolic link below
 * it followed (adapters/root-path.ts: sd-boot reads a FAT ESP, where a link can only have been
 * planted). A missing directory has no names; a refused link is thrown.
 */
async function names(partition: string, relative: string): Promise<string[]> {
  try {
    return await readdir(await resolveSafe(partition, relative));
  } catch (err) {
    if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") return [];
    throw err;
  }
}

/** The names of the entry files sd-boot reads: Type #1 in loader/entries, Type #2 in EFI/Linux. */
export async function entryFileNames(partitions: readonly string[]): Promise<string[]> {
  const entryNames: string[] = [];
  for (const partition of partitions) {
    entryNames.push(...(await names(partition, "loader/entries")).filter((n) => /\.conf$/i.test(n)));
    entryNames.push(...(await names(partition, "EFI/Linux")).filter((n) => /\.efi$/i.test(n)));
  }
  return entryNames;
}

/**
 * loader.conf's `default` as sd-boot reads it: the ESP's `loader/loader.conf` (the first
 * partition that has one), through the one codec (formats/bls/loader-conf.ts: the last
 * occurrence wins, as in systemd), unquoted as sd-boot unquotes it. Confined like `names`.
 */
async function loaderConfDefault(partitions: readonly string[]): Promise<string | undefined> {
  for (const partition of partitions) {
    let text: string;
    try {
      text = (await readBounded(await resolveSafe(partition, "loader/loader.conf"), TEXT_CONFIG_MAX, "a loader.conf")).toString("utf8");
    } catch (err) {
      if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") continue;
      throw err;
    }
    const pattern = interpretLoaderConf(parseLoaderConf(text)).defaultPattern;
    return pattern === undefined ? undefined : unquoteBootValue(pattern);
  }
  return undefined;
}

/** The entry that just failed, by id: from LoaderBootCountPath, else LoaderEntrySelected. */
async function failedEntryId(status: BlessStatusResult, efivarsPath: string | undefined): Promise<string | undefined> {
  if (status.path !== undefined) return tryExtractTries(path.posix.basename(status.path))?.stripped;
  if (efivarsPath === undefined) return undefined;
  // Absent is undefined; an unreadable variable is thrown: what boots next cannot be told.
  const selected = await readEfiString(efivarsPath, "LoaderEntrySelected", LOADER_VENDOR_GUID);
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
  const entryNames = await entryFileNames(status.partitions);
  // sd-boot: LoaderEntryDefault before loader.conf's default.
  const variable = efivars === undefined ? undefined : await readEfiString(efivars, "LoaderEntryDefault", LOADER_VENDOR_GUID);
  const pattern = variable || (await loaderConfDefault(status.partitions));
  return nextBootFromNames(failed, entryNames, pattern ? [pattern] : []);
}

export async function handleBootFailure(options: FailureOptions): Promise<FailureOutcome> {
  const status = await blessStatusOf(options);
  const counted = wasCounted(status.state);
  if (counted && !options.dryRun) await blessBoot("bad", options);
  const root = options.root ?? "/";
  const failedChecks = await failedChecksOfBoot(root);
  let recordError: string | undefined;
  if (counted && !options.dryRun) {
    // The rollback record (actions/rollback.ts): why, for the boot that sees the fallback. Not
    // being able to write it never stops the fallback.
    try {
      const { notePendingFailure, pendingFailureOf } = await import("./rollback.ts");
      const note = pendingFailureOf(status, failedChecks, new Date());
      if (note) await notePendingFailure(root, note);
    } catch (err) {
      recordError = err instanceof Error ? err.message : String(err);
    }
  }
  let next: FailureFacts["nextBoot"] = "unknown";
  let nextBootError: string | undefined;
  if (!options.dryRun) {
    try {
      next = await nextBoot(status, options);
    } catch (err) {
      // E.g. a symbolic link out of the ESP: what boots next is unknown, so rebooting could
      // loop; the guard stops, and the record says why.
      if (!(err instanceof BootctlError)) throw err;
      next = "error";
      nextBootError = err.message;
    }
  }
  const decision = decideOnFailure({ state: status.state, cmdline: options.cmdline ?? (await kernelCmdline()), nextBoot: next, ...(nextBootError ? { nextBootError } : {}) });
  const outcome: FailureOutcome = { ...decision, state: status.state, rebooted: false, failedChecks, ...(recordError !== undefined ? { recordError } : {}) };
  if (!options.dryRun) {
    await mkdirDurable(root, inRoot(root, "/run/bootctl-ts"));
    await atomicReplace(root, inRoot(root, FAILURE_RECORD), JSON.stringify({ ...outcome, time: new Date().toISOString() }) + "\n");
    if (decision.reboot) {
      await options.beforeReboot?.(outcome);
      (options.reboot ?? systemctlReboot)();
      outcome.rebooted = true;
    }
  }
  return outcome;
}
