/**
 * `runHealthChecks`: run every required and wanted check (ops/health.ts for the rules), then the
 * green.d or red.d hooks for the verdict. Node built-ins only (the early-boot service runs it).
 */
import { lstat, readdir } from "node:fs/promises";
import * as path from "node:path";
import { errnoOf } from "../errors.ts";
import { inRoot } from "../adapters/root-path.ts";
import { runExecutable } from "../adapters/run-executable.ts";
import { CHECK_DIRECTORIES, mergeLayers, verdictOf, type CheckFile, type CheckKind, type CheckResult, type HookKind, type Verdict } from "../ops/health.ts";

export interface HealthOptions {
  root?: string;
  /** Time limit per check, default 120 s (systemd's default start timeout is 90 s per unit). */
  timeoutMs?: number;
}

export interface HealthReport {
  verdict: Verdict;
  checks: CheckResult[];
  hooks: CheckResult[];
}

async function listExecutables(root: string, kind: CheckKind | HookKind): Promise<CheckFile[][]> {
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
      if ((st.isFile() || st.isSymbolicLink()) && (st.isSymbolicLink() || (st.mode & 0o111) !== 0)) files.push({ name, path: `${imageDir}/${name}` });
    }
    layers.push(files);
  }
  return layers;
}

async function runAll(root: string, kind: CheckKind | HookKind, timeoutMs: number, verdict?: Verdict): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const files = mergeLayers(await listExecutables(root, kind));
  for (const file of files) {
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
  const checks = [...(await runAll(root, "required", timeoutMs)), ...(await runAll(root, "wanted", timeoutMs))];
  const verdict = verdictOf(checks);
  const hooks = await runAll(root, verdict, timeoutMs, verdict);
  return { verdict, checks, hooks };
}

/** One line per check, as the service logs them and the CLI prints them. */
export function describeCheck(r: CheckResult): string {
  const state = r.ok ? "passed" : r.timedOut ? `timed out after ${r.durationMs} ms` : r.signal ? `killed by ${r.signal}` : r.status === null ? "could not run" : `failed with exit status ${r.status}`;
  const tail = !r.ok && r.output ? `: ${r.output.split("\n").slice(-1)[0]}` : "";
  const what = r.kind === "required" || r.kind === "wanted" ? `${r.kind} check` : `${r.kind}.d hook`;
  return `${what} ${r.name} ${state}${tail}`;
}
