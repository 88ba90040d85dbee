/**
 * The metrics file for node_exporter's textfile collector (ops/metrics.ts for what is in it),
 * written crash-safely after every assessment by the service: the temp file durable-fs writes
 * beside it ends in `.bootctl-tmp`, which the collector (it reads `*.prom` only) never reads, and
 * the rename makes the new file appear whole. Also `status --format=prometheus`. Node built-ins only.
 */
import { stat } from "node:fs/promises";
import * as path from "node:path";
import { BootctlError, errnoOf } from "../errors.ts";
import { atomicReplace } from "../adapters/durable-fs.ts";
import { readBounded, TEXT_CONFIG_MAX } from "../adapters/bounded-read.ts";
import { inRoot, resolveSafe } from "../adapters/root-path.ts";
import { readRollbackHistory } from "../adapters/rollback-file.ts";
import { formatExposition } from "../formats/prometheus-text.ts";
import { healthFactsOf, metricFamilies, type MetricFacts } from "../ops/metrics.ts";
import { blessStatusOf, type BlessOptions } from "./bless-boot.ts";
import { HEALTH_REPORT } from "./boot-failure.ts";

/** Where node_exporter's Debian package points its textfile collector (--collector.textfile.directory). */
export const DEFAULT_METRICS_FILE = "/var/lib/prometheus/node-exporter/bootctl-ts.prom";
/** Overrides the file (a path inside the root); empty: write none. */
export const METRICS_FILE_ENV = "BOOTCTL_TS_METRICS_FILE";

async function healthReport(root: string): Promise<unknown> {
  try {
    return JSON.parse((await readBounded(await resolveSafe(root, inRoot(root, HEALTH_REPORT)), TEXT_CONFIG_MAX, "a health report")).toString("utf8"));
  } catch (err) {
    if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR" || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

export async function collectMetricFacts(options: BlessOptions, now: Date = new Date()): Promise<MetricFacts> {
  const root = options.root ?? "/";
  let state: string | undefined;
  let loader: MetricFacts["loader"] = "none";
  let triesLeft: number | undefined;
  try {
    const status = await blessStatusOf(options);
    state = status.state;
    loader = status.loader;
    const counted = status.state === "indeterminate" || status.state === "dirty";
    if (counted) triesLeft = status.loader === "grub" ? status.grub?.tries : status.left;
  } catch (err) {
    if (!(err instanceof BootctlError)) throw err;
  }
  const history = await readRollbackHistory(root);
  const last = history.records[history.records.length - 1];
  const lastTime = last ? Date.parse(last.time) / 1000 : NaN;
  return {
    state, loader, triesLeft,
    rollbacksTotal: history.total,
    lastRollback: Number.isFinite(lastTime) ? lastTime : undefined,
    health: healthFactsOf(await healthReport(root)),
    time: Math.floor(now.getTime() / 1000),
  };
}

export async function metricsText(options: BlessOptions, now?: Date): Promise<string> {
  return formatExposition(metricFamilies(await collectMetricFacts(options, now)));
}

/**
 * Write the metrics to `file` (inside the root; default DEFAULT_METRICS_FILE, or the
 * environment's BOOTCTL_TS_METRICS_FILE). The directory is not created: without node_exporter's
 * directory there is nobody to read the file (`written: false`); a file named explicitly whose
 * directory is missing is an error for the caller to log.
 */
export async function writeMetricsFile(options: BlessOptions, file?: string, env: NodeJS.ProcessEnv = process.env): Promise<{ written: boolean; path?: string }> {
  const root = options.root ?? "/";
  const configured = file ?? env[METRICS_FILE_ENV];
  if (configured === "") return { written: false };
  const target = inRoot(root, configured ?? DEFAULT_METRICS_FILE);
  if (configured === undefined) {
    try {
      await stat(await resolveSafe(root, path.dirname(target)));
    } catch (err) {
      if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") return { written: false, path: path.dirname(target) };
      throw err;
    }
  }
  return { written: true, path: await atomicReplace(root, target, await metricsText(options)) };
}
