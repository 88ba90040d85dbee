/**
 * The rollback record, kept by the early-boot service (model/rollback.ts for what it holds):
 * - `recordRollbacks`, at the start of `mark-good` and `on-failure`: did the loader fall back
 *   from a failed trial at this boot? Each new rollback goes into the history.
 * - `notePendingFailure`, by `on-failure` after marking a trial bad: the trial and the failed
 *   health checks, so that the rollback seen at the next boot says why.
 * Node built-ins only.
 */
import * as path from "node:path";
import { BootctlError } from "../errors.ts";
import { readEfiString } from "../adapters/efivarfs.ts";
import { targetEfivarsPath } from "../adapters/target-efivars.ts";
import { readRollbackHistory, writeRollbackHistory } from "../adapters/rollback-file.ts";
import { LOADER_VENDOR_GUID } from "../formats/efi/guids.ts";
import { parseBootCountPath } from "../model/boot-count-path.ts";
import { tryExtractTries } from "../model/boot-counter.ts";
import {
  failureReason, grubFallback, grubKey, notePendingFailure as withPending, recordFallbacks, sdBootFallbacks, sdBootKey,
  type FallbackObservation, type PendingFailure, type RollbackRecord,
} from "../model/rollback.ts";
import type { BlessOptions, BlessStatusResult } from "./bless-boot.ts";

/** What the loader fell back from, as this boot shows it (see model/rollback.ts). */
export async function observeFallbacks(status: BlessStatusResult, options: BlessOptions): Promise<FallbackObservation[]> {
  if (status.loader === "grub") {
    const seen = status.grub ? grubFallback(status.grub) : undefined;
    return seen ? [seen] : [];
  }
  const efivars = targetEfivarsPath(options);
  let booted: string | undefined;
  if (status.path !== undefined) booted = path.posix.basename(status.path);
  else if (efivars !== undefined) booted = await readEfiString(efivars, "LoaderEntrySelected", LOADER_VENDOR_GUID);
  if (booted === undefined) return [];
  const { entryFileNames } = await import("./boot-failure.ts");
  return sdBootFallbacks(await entryFileNames(status.partitions), tryExtractTries(booted)?.stripped ?? booted);
}

/** Record the rollbacks this boot shows that the history does not have yet; returns them. */
export async function recordRollbacks(status: BlessStatusResult, options: BlessOptions, now: Date = new Date()): Promise<RollbackRecord[]> {
  const root = options.root ?? "/";
  const seen = await observeFallbacks(status, options);
  if (seen.length === 0) return [];
  const { history, added } = recordFallbacks(await readRollbackHistory(root), seen, now.toISOString());
  if (added.length > 0 && !options.dryRun) await writeRollbackHistory(root, history);
  return added;
}

/**
 * The note for a trial `on-failure` marks bad (status taken before marking): keyed as the
 * rollback the next boot will see (the bad name on systemd-boot; trial and fallback on GRUB).
 */
export function pendingFailureOf(status: BlessStatusResult, failedChecks: readonly string[], now: Date): PendingFailure | undefined {
  const common = { reason: failureReason(failedChecks), time: now.toISOString(), ...(failedChecks.length > 0 ? { failedChecks: [...failedChecks] } : {}) };
  if (status.loader === "grub") {
    const g = status.grub;
    if (!g || g.trial === undefined || g.booted !== g.trial) return undefined;
    return { key: grubKey(g.trial, g.fallback), from: g.trial, tries: null, ...common };
  }
  if (status.path === undefined) return undefined;
  let counted;
  try {
    counted = parseBootCountPath(status.path);
  } catch (err) {
    if (err instanceof BootctlError) return undefined;
    throw err;
  }
  const bad = path.posix.basename(counted.bad);
  const from = tryExtractTries(bad)?.stripped ?? bad;
  return { key: sdBootKey(bad), from, tries: Number(counted.done), ...common };
}

export async function notePendingFailure(root: string, note: PendingFailure): Promise<void> {
  await writeRollbackHistory(root, withPending(await readRollbackHistory(root), note));
}

/** The last rollback and the count, for `status` and the metrics. */
export async function lastRollback(root: string): Promise<{ last: RollbackRecord | undefined; total: number }> {
  const history = await readRollbackHistory(root);
  return { last: history.records[history.records.length - 1], total: history.total };
}
