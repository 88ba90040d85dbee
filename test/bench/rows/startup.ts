/**
 * Start-up: `bootctl-ts --version` against `node -e 0` (target ≤ 1.25x), the early-boot service
 * (`bless-boot status` on a system without boot counting) against `node -e 0` (≤ 1.2x), and the
 * copy users get (`npm pack`, then `npm install -g` of the tarball into a private prefix)
 * against the repository's dist/ (≤ 1.05x: the installed copy must keep its code cache).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compare, type BenchRow } from "../harness.ts";

const CLI = fileURLToPath(new URL("../../../dist/cli.cjs", import.meta.url));
const SERVICE = fileURLToPath(new URL("../../../dist/service.cjs", import.meta.url));
const REPO = fileURLToPath(new URL("../../..", import.meta.url));

/** `npm pack` of the checkout installed globally into a temporary prefix; returns its binary. */
function installedCopy(): string {
  const work = mkdtempSync(path.join(tmpdir(), "bootctl-ts-bench-npm-"));
  const env = { ...process.env, npm_config_cache: path.join(work, "npm-cache"), npm_config_update_notifier: "false" };
  const pack = spawnSync("npm", ["pack", "--pack-destination", work, "--silent"], { cwd: REPO, env, encoding: "utf8" });
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  if (pack.status !== 0 || !tarball) throw new Error(`npm pack failed: ${pack.stderr}`);
  const install = spawnSync("npm", ["install", "-g", "--prefix", path.join(work, "prefix"), path.join(work, tarball)], { env, encoding: "utf8" });
  if (install.status !== 0) throw new Error(`npm install failed: ${install.stderr}`);
  return path.join(work, "prefix/bin/bootctl-ts");
}

export function rows(): BenchRow[] {
  const nodeBaseline = { label: "node -e 0", argv: [process.execPath, "-e", "0"] };
  const emptyEfivars = mkdtempSync(path.join(tmpdir(), "bootctl-ts-bench-efivars-"));
  return [
    compare({ name: "start-up", ours: { label: "bootctl-ts --version", argv: [process.execPath, CLI, "--version"] }, theirs: nodeBaseline, target: 1.25 }, 30),
    compare({
      name: "service start-up",
      ours: { label: "service.cjs bless-boot status", argv: [process.execPath, SERVICE, "bless-boot", "status", "--efivars-path", emptyEfivars, "--path", emptyEfivars] },
      theirs: nodeBaseline,
      target: 1.2,
    }, 30),
    compare({
      name: "installed copy start-up",
      ours: { label: "installed bootctl-ts --version", argv: [installedCopy(), "--version"] },
      theirs: { label: "dist/cli.cjs --version", argv: [process.execPath, CLI, "--version"] },
      target: 1.05,
    }, 30),
  ];
}
