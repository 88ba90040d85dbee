/** Spawning the built `bootctl-ts` binary (dist/cli.cjs), as users and scripts run it. */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/cli.cjs", import.meta.url));

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function runBuiltCli(args: string[], options: SpawnSyncOptions = {}): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  // uvu forces colour for its own output (FORCE_COLOR=1); the CLI must decide by itself.
  const { FORCE_COLOR: _forced, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, NO_COLOR: "1", ...(options.env ?? {}) };
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", ...options, env });
  return { status: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
