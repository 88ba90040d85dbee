/**
 * Running one executable with a time limit (health checks and hooks). On timeout the process
 * group gets SIGTERM, then SIGKILL after a grace period, so a hung check cannot hold the boot.
 * Output is kept to its last 4 KiB.
 */
import { spawn } from "node:child_process";
import { hasErrno } from "../errors.ts";

export interface RunResult {
  status: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  output: string;
  /** Set when the executable could not be started at all (ENOENT, EACCES, ENOEXEC). */
  spawnError?: string;
}

const KEEP = 4096;

export function runExecutable(file: string, options: { timeoutMs: number; env?: NodeJS.ProcessEnv; graceMs?: number }): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let output = "";
    let timedOut = false;
    let settled = false;
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-KEEP);
    };
    const child = spawn(file, [], { cwd: "/", env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch (err) {
        if (!hasErrno(err, "ESRCH")) throw err; // ESRCH: the group is already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup("SIGTERM");
      setTimeout(() => killGroup("SIGKILL"), options.graceMs ?? 2000).unref();
    }, options.timeoutMs);
    const finish = (result: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    child.on("error", (err: NodeJS.ErrnoException) => {
      finish({ status: null, signal: null, timedOut: false, durationMs: Date.now() - started, output, spawnError: err.code ?? err.message });
    });
    child.on("close", (status, signal) => {
      finish({ status, signal, timedOut, durationMs: Date.now() - started, output: output.trimEnd() });
    });
  });
}
