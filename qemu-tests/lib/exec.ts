/**
 * Running host tools (sgdisk, mtools, grub-mkstandalone, apt-get, …) with their output captured.
 * A tool that exits non-zero throws a SuiteError naming the command and its standard error, so a
 * failing build step reads as one line in the transcript.
 */
import { spawn } from "node:child_process";
import { SuiteError } from "./errors.ts";

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Bytes written to the tool's standard input. */
  input?: string | Buffer;
  /** Exit codes other than 0 that count as success. */
  okCodes?: readonly number[];
}

export interface ExecResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}

/** Runs `command args…` to completion; rejects with E_QEMU_TOOL when it fails to start or exits badly. */
export function exec(command: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr?.on("data", (c: Buffer) => err.push(c));
    child.on("error", (e) => reject(new SuiteError("E_QEMU_TOOL", `${command}: cannot run (${e.message})`)));
    child.on("close", (code, signal) => {
      const status = code ?? 128;
      const stderr = Buffer.concat(err).toString("utf8").trim();
      const ok = status === 0 || (options.okCodes ?? []).includes(status);
      if (!ok) {
        const why = signal ? `killed by ${signal}` : `exit ${status}`;
        reject(new SuiteError("E_QEMU_TOOL", `${commandLine(command, args)}: ${why}${stderr ? `: ${stderr}` : ""}`));
        return;
      }
      resolve({ status, stdout: Buffer.concat(out), stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Standard output as text. */
export async function execText(command: string, args: readonly string[], options: ExecOptions = {}): Promise<string> {
  return (await exec(command, args, options)).stdout.toString("utf8");
}
