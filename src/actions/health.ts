/**
 * `runHealthChecks`: run every required and wanted check (ops/health.ts for the rules), then the
 * green.d or red.d hooks for the verdict. Node built-ins only (the early-boot service runs it).
 * A regular file in a check directory that is not executable is not run, as run-parts(8) and
 * systemd's generator directories skip it, but it is reported (`skipped`), never dropped
 * silently: a required check an admin forgot to `chmod +x` shows up in every report.
 * `planHealthChecks` is the dry run: it lists what would run and executes nothing.
 */
import { lstat, readdir } from "node:fs/promises";
import * as path from "node:path";
import { errnoOf } from "../errors.ts";
import { inRoot } from "../adapters/root-path.ts";
import { runExecutable } from "../adapters/run-executable.ts";
import { CHECK_DIRECTORIES, mergeLayers, verdictOf, type CheckFile, type CheckKind, type CheckResult, type HookKind, type SkippedCheck, type Verdict } from "../ops/health.ts";

export interface HealthOptions {
  root?: string;
  /** Time limit per check, default 120 s (systemd's default start timeout is 90 s per unit). */
  timeoutMs?: number;
}

export interface HealthReport {
  verdict: Verdict;
  checks: CheckResult[];
  hooks: CheckResult[];
  /** Files in the check and hook directories that were not run (not executable). */
  skipped: SkippedCheck[];
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

async function runAll(root: string, listing: Listing, kind: CheckKind | HookKind, timeoutMs: number, verdict?: Verdict): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const file of listing.files) {
    const env = { ...process.env, BOOTCTL_TS_CHECK_KIND: kind, ...(verdict ? { BOOTCTL_TS_VERDICT: verdict } : {}) };
    const r = await runExecutable(inRoot(root, file.path), { timeoutMs, env });
    const output = r.spawnError ? `cannot run: ${r.spawnError}` : r.output;
    results.push({ kind, name: file.name, path: file.path, status: r.status, signal: r.signal, timedOut: r.timedOut, durationMs: r.durationMs, output, ok: r.status === 0 && !r.timedOut });
  }
  return results;
}

export async function runHealthChecks(options: HealthOptions = {}): Promise<HealthReport> {
  const root = options.root ?? "/";
  const timeoutMs = options.timeoutMs ?? 120_000;
  const required = await listLayers(root, "required");
  const wanted = await listLayers(root, "wanted");
  const checks = [...(await runAll(root, required, "required", timeoutMs)), ...(await runAll(root, wanted, "wanted", timeoutMs))];
  const verdict = verdictOf(checks);
  const hookListing = await listLayers(root, verdict);
  const hooks = await runAll(root, hookListing, verdict, timeoutMs, verdict);
  return { verdict, checks, hooks, skipped: [...required.skipped, ...wanted.skipped, ...hookListing.skipped] };
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
  const state = r.ok ? "passed" : r.timedOut ? `timed out after ${r.durationMs} ms` : r.signal ? `killed by ${r.signal}` : r.status === null ? "could not run" : `failed with exit status ${r.status}`;
  const tail = !r.ok && r.output ? `: ${r.output.split("\n").slice(-1)[0]}` : "";
  return `${whatOf(r.kind)} ${r.name} ${state}${tail}`;
}
