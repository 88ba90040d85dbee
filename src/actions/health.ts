/**
 * `runHealthChecks`: run every required and wanted check (ops/health.ts for the rules), then the
 * green.d or red.d hooks for the verdict. Node built-ins only (the early-boot service runs it).
 * A regular file in a check directory that is not executable is not run, as run-parts(8) and
 * systemd's generator directories skip it, but it is reported (`skipped`), never dropped
 * silently: a required check an admin forgot to `chmod +x` shows up in every report.
 * `planHealthChecks` is the dry run: it lists what would run and executes nothing.
 *
 * Each check runs under its own limit (its drop-ins' TimeoutSec=, capped by `timeoutMs`; rules in
 * ops/health.ts); at the limit its whole process group is killed (adapters/run-executable.ts) and
 * it is reported with result `timeout` and its duration. Check units (the units CHECKS_TARGET
 * wants or requires) are asked about through `systemctl show` and reported in the same form.
 * With `reportPath` the report is also written there, crash-safely under the root; a failure to
 * write it is logged (`log`), never thrown: the assessment does not depend on it.
 */
import { lstat, readdir, readlink } from "node:fs/promises";
import { constants as osConstants } from "node:os";
import * as path from "node:path";
import { BootctlError, errnoOf } from "../errors.ts";
import { readBounded } from "../adapters/bounded-read.ts";
import { atomicReplace, mkdirDurable } from "../adapters/durable-fs.ts";
import { followLinksInRoot, inRoot } from "../adapters/root-path.ts";
import { runExecutable } from "../adapters/run-executable.ts";
import { systemctlShow } from "../adapters/systemctl-show.ts";
import { applyCheckDropIn, type CheckSettings } from "../formats/health/check-drop-in.ts";
import { unitList } from "../formats/health/systemctl-show.ts";
import { usecToMs } from "../formats/health/timespan.ts";
import {
  CHECKS_TARGET, CHECK_DIRECTORIES, DEFAULT_TIMEOUT_MS, HEALTH_REPORT_PATH, TARGET_PROPERTIES, UNIT_PROPERTIES,
  effectiveTimeoutMs, mergeLayers, unitResultOf, verdictOf,
  type CheckFile, type CheckKind, type CheckResult, type HookKind, type SkippedCheck, type Verdict,
} from "../ops/health.ts";

export { CHECKS_TARGET, HEALTH_REPORT_PATH };

export interface HealthOptions {
  root?: string;
  /** Time limit of every check: the default and the cap of each one's TimeoutSec=; default 120 s. */
  timeoutMs?: number;
  /**
   * Ask the service manager about the units of CHECKS_TARGET (`systemctl show`). Default: when
   * the root is `/` (the running system); an image's units are not running anywhere.
   */
  units?: boolean;
  /** Also write the report here (an image path, inside the root), e.g. HEALTH_REPORT_PATH. */
  reportPath?: string;
  /** Where a failure to write the report, or to ask systemctl, is said; default stderr. */
  log?: (message: string) => void;
}

export interface HealthReport {
  verdict: Verdict;
  checks: CheckResult[];
  hooks: CheckResult[];
  /** Files in the check and hook directories that were not run (not executable). */
  skipped: SkippedCheck[];
  /** Set when the check units could not be listed (systemctl failed): one line. */
  unitsError?: string;
}

/** What `health --dry-run` reports: every executable it would run, and what it would skip. */
export interface HealthPlan {
  dryRun: true;
  /** In the order they would run: required, wanted; then green.d when every required check
   * passes, red.d when one fails. */
  checks: CheckFile[];
  green: CheckFile[];
  red: CheckFile[];
  skipped: SkippedCheck[];
}

interface Listing {
  files: CheckFile[];
  skipped: SkippedCheck[];
}

async function listLayers(root: string, kind: CheckKind | HookKind): Promise<Listing> {
  const layers: CheckFile[][] = [];
  for (const base of CHECK_DIRECTORIES) {
    const imageDir = `${base}/${kind}.d`;
    const dir = inRoot(root, imageDir);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") {
        layers.push([]);
        continue;
      }
      throw err;
    }
    const files: CheckFile[] = [];
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const st = await lstat(path.join(dir, name));
      // Regular executables only; symlinks are followed by exec (vendor layouts use them).
      if (!st.isFile() && !st.isSymbolicLink()) continue;
      if (st.isSymbolicLink() || (st.mode & 0o111) !== 0) files.push({ kind, name, path: `${imageDir}/${name}` });
      else files.push({ kind, name, path: `${imageDir}/${name}`, notExecutable: true });
    }
    layers.push(files);
  }
  // As systemd's conf_files_list with CONF_FILES_EXECUTABLE: a file that is not executable is
  // ignored before files override each other by name (it masks nothing), here also reported.
  const files = mergeLayers(layers.map((l) => l.filter((f) => !f.notExecutable)));
  const skipped = mergeLayers(layers.map((l) => l.filter((f) => f.notExecutable)))
    .map((f): SkippedCheck => ({ kind, name: f.name, path: f.path, reason: "not executable" }));
  return { files, skipped };
}

/** Drop-ins `NAME.d/*.conf` of one check, from both directories, merged by file name (later wins). */
async function checkSettings(root: string, kind: CheckKind | HookKind, name: string): Promise<CheckSettings> {
  const byName = new Map<string, string>();
  for (const base of CHECK_DIRECTORIES) {
    const imageDir = `${base}/${kind}.d/${name}.d`;
    let names: string[];
    try {
      names = await readdir(inRoot(root, imageDir));
    } catch (err) {
      if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") continue;
      throw err;
    }
    for (const n of names) if (n.endsWith(".conf") && !n.startsWith(".")) byName.set(n, `${imageDir}/${n}`);
  }
  let settings: CheckSettings = {};
  for (const n of [...byName.keys()].sort()) {
    const imagePath = byName.get(n)!;
    const absolute = inRoot(root, imagePath);
    const st = await lstat(absolute);
    // A link to /dev/null masks the vendor file of the same name (systemd.unit(5), drop-ins).
    if (st.isSymbolicLink() && (await readlink(absolute)) === "/dev/null") continue;
    const text = (await readBounded(followLinksInRoot(root, absolute), 64 * 1024, "a check drop-in", imagePath)).toString("utf8");
    settings = applyCheckDropIn(settings, text, imagePath);
  }
  return settings;
}

function outcomeOf(r: { status: number | null; signal: string | null; timedOut: boolean; spawnError?: string }): string {
  return r.timedOut ? "timeout" : r.spawnError ? "spawn-error" : r.signal ? "signal" : r.status === 0 ? "success" : "exit-code";
}

async function runAll(root: string, listing: Listing, kind: CheckKind | HookKind, globalMs: number, verdict?: Verdict): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const file of listing.files) {
    let configError: string | undefined;
    let ownMs: number | undefined;
    try {
      const settings = await checkSettings(root, kind, file.name);
      if (settings.timeoutUsec !== undefined) ownMs = usecToMs(settings.timeoutUsec);
    } catch (err) {
      if (!(err instanceof BootctlError)) throw err;
      configError = err.message;
    }
    const limit = effectiveTimeoutMs(globalMs, ownMs);
    const env = { ...process.env, BOOTCTL_TS_CHECK_KIND: kind, ...(verdict ? { BOOTCTL_TS_VERDICT: verdict } : {}) };
    const r = await runExecutable(inRoot(root, file.path), { timeoutMs: limit, env });
    const output = r.spawnError ? `cannot run: ${r.spawnError}` : r.output;
    const result: CheckResult = {
      kind, name: file.name, path: file.path, source: "executable", result: outcomeOf(r), timeoutMs: Number.isFinite(limit) ? limit : null,
      status: r.status, signal: r.signal, timedOut: r.timedOut, durationMs: r.durationMs, output, ok: r.status === 0 && !r.timedOut,
    };
    if (configError !== undefined) result.configError = configError;
    results.push(result);
  }
  return results;
}

function signalName(n: number): string | null {
  for (const [name, value] of Object.entries(osConstants.signals)) if (value === n) return name;
  return null;
}

/** The check units: what CHECKS_TARGET requires (required) and wants (wanted), as results. */
async function unitChecks(): Promise<CheckResult[]> {
  const [target] = await systemctlShow([CHECKS_TARGET], TARGET_PROPERTIES);
  if (target!.LoadState !== "loaded") return [];
  const required = [...new Set([...unitList(target!.Requires), ...unitList(target!.Requisite), ...unitList(target!.BindsTo)])].sort();
  const wanted = [...new Set(unitList(target!.Wants))].filter((u) => !required.includes(u)).sort();
  const all = [...required, ...wanted];
  if (all.length === 0) return [];
  const blocks = await systemctlShow(all, UNIT_PROPERTIES);
  return blocks.map((b, i) => unitResultOf(i < required.length ? "required" : "wanted", { ...b, Id: b.Id || all[i]! }, signalName));
}

export async function runHealthChecks(options: HealthOptions = {}): Promise<HealthReport> {
  const root = options.root ?? "/";
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const log = options.log ?? ((m: string) => process.stderr.write(`bootctl-ts: ${m}\n`));
  const required = await listLayers(root, "required");
  const wanted = await listLayers(root, "wanted");
  const checks = [...(await runAll(root, required, "required", timeoutMs)), ...(await runAll(root, wanted, "wanted", timeoutMs))];
  let unitsError: string | undefined;
  if (options.units ?? path.resolve(root) === "/") {
    try {
      const units = await unitChecks();
      checks.push(...units.filter((u) => u.kind === "required"), ...units.filter((u) => u.kind === "wanted"));
    } catch (err) {
      if (!(err instanceof BootctlError)) throw err;
      unitsError = err.message;
      log(`cannot list the check units of ${CHECKS_TARGET}: ${err.message}`);
    }
  }
  const verdict = verdictOf(checks);
  const hookListing = await listLayers(root, verdict);
  const hooks = await runAll(root, hookListing, verdict, timeoutMs, verdict);
  const report: HealthReport = { verdict, checks, hooks, skipped: [...required.skipped, ...wanted.skipped, ...hookListing.skipped] };
  if (unitsError !== undefined) report.unitsError = unitsError;
  if (options.reportPath !== undefined) await writeHealthReport(report, { root, path: options.reportPath, log });
  return report;
}

/**
 * Write a report as `health --json` prints it (pretty JSON), crash-safely, to `path` inside the
 * root (default HEALTH_REPORT_PATH). Never throws: returns false after logging why it could not.
 */
export async function writeHealthReport(report: HealthReport, options: { root?: string; path?: string; log?: (message: string) => void } = {}): Promise<boolean> {
  const root = options.root ?? "/";
  const imagePath = options.path ?? HEALTH_REPORT_PATH;
  try {
    const target = inRoot(root, imagePath);
    await mkdirDurable(root, path.dirname(target));
    await atomicReplace(root, target, JSON.stringify(report, null, 2) + "\n", { mode: 0o644 });
    return true;
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
    (options.log ?? ((m: string) => process.stderr.write(`bootctl-ts: ${m}\n`)))(`cannot write the health report ${imagePath}: ${message}`);
    return false;
  }
}

/** The dry run: what `runHealthChecks` would run and skip, without running anything. */
export async function planHealthChecks(options: HealthOptions = {}): Promise<HealthPlan> {
  const root = options.root ?? "/";
  const [required, wanted, green, red] = [await listLayers(root, "required"), await listLayers(root, "wanted"), await listLayers(root, "green"), await listLayers(root, "red")];
  return {
    dryRun: true, checks: [...required.files, ...wanted.files], green: green.files, red: red.files,
    skipped: [...required.skipped, ...wanted.skipped, ...green.skipped, ...red.skipped],
  };
}

function whatOf(kind: CheckKind | HookKind): string {
  return kind === "required" || kind === "wanted" ? `${kind} check` : `${kind}.d hook`;
}

/** One line for a file that was not run. */
export function describeSkipped(s: SkippedCheck): string {
  return `${whatOf(s.kind)} ${s.name} skipped: ${s.reason} (${s.path})`;
}

/** The dry run's lines: what would run, in order, and what would be skipped. */
export function describePlan(plan: HealthPlan): string[] {
  const lines = plan.checks.map((c) => `would run ${whatOf(c.kind)} ${c.name} (${c.path})`);
  for (const h of plan.green) lines.push(`would run ${whatOf(h.kind)} ${h.name} (${h.path}) if every required check passes`);
  for (const h of plan.red) lines.push(`would run ${whatOf(h.kind)} ${h.name} (${h.path}) if a required check fails`);
  if (plan.checks.length + plan.green.length + plan.red.length === 0) lines.push("no health checks or hooks to run");
  for (const s of plan.skipped) lines.push(`would skip ${describeSkipped(s).replace(/ skipped: /, ": ")}`);
  return lines;
}

/** One line per check, as the service logs them and the CLI prints them. */
export function describeCheck(r: CheckResult): string {
  const what = r.source === "unit" ? `${r.kind} check unit` : whatOf(r.kind);
  if (r.source === "unit") {
    const state = r.ok ? (r.result === "condition" ? "skipped (condition not met)" : "passed") : r.result === "timeout" ? `timed out after ${r.durationMs} ms` : `failed (${r.result})`;
    return `${what} ${r.name} ${state}${!r.ok && r.output ? `: ${r.output}` : ""}`;
  }
  const state = r.ok ? "passed" : r.timedOut ? `timed out after ${r.durationMs} ms (limit ${r.timeoutMs} ms)` : r.signal ? `killed by ${r.signal}` : r.status === null ? "could not run" : `failed with exit status ${r.status}`;
  const tail = !r.ok && r.output ? `: ${r.output.split("\n").slice(-1)[0]}` : "";
  const config = r.configError ? ` (drop-in refused, ran under the global limit: ${r.configError})` : "";
  return `${what} ${r.name} ${state}${tail}${config}`;
}
