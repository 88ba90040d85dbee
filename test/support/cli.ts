/** Spawning the built `bootctl-ts` binary (dist/cli.cjs), as users and scripts run it. */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The built files under test: dist/ of this checkout, or the copy the Node matrix gives each
 * Node version (with a code cache made by that version's V8; scripts/test.mjs).
 */
export const DIST = process.env.BOOTCTL_TS_TEST_DIST ?? fileURLToPath(new URL("../../dist/", import.meta.url));
export const CLI = path.join(DIST, "cli.cjs");
export const SERVICE = path.join(DIST, "service.cjs");

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
