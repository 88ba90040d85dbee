/** Running reference tools (systemd-analyze, grub-editenv, bootctl, …) from tests. */
import { execFile, spawnSync } from "node:child_process";

export interface ExecResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function execTool(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: "utf8", env: env ?? process.env, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** True when `command` can be found on PATH. */
export function haveTool(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/** Fail loudly (never skip silently) when a reference tool is missing. */
export function requireTool(command: string, debianPackage: string): void {
  if (!haveTool(command)) throw new Error(`reference tool '${command}' is missing: apt-get install ${debianPackage} (npm test installs it as root)`);
}
