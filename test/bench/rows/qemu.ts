/**
 * The QEMU suite's wall time against its 600 s limit (target 300 s). Running it takes minutes,
 * so `npm run bench` includes it only when asked (`npm run bench -- qemu`); the table then shows
 * the suite time as "ours" and the limit as the reference.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "../harness.ts";

const SUMMARY = fileURLToPath(new URL("../../../.qemu-work/results/summary.json", import.meta.url));

export function rows(): BenchRow[] {
  const started = Date.now();
  const run = spawnSync(process.execPath, ["--import", "tsx", "qemu-tests/run.ts"], { stdio: ["ignore", "ignore", "inherit"] });
  const wall = Date.now() - started;
  const summary = JSON.parse(readFileSync(SUMMARY, "utf8")) as { wallMs: number; scenarios: { name: string; ok: boolean; elapsedMs: number }[] };
  for (const s of summary.scenarios) console.log(`qemu ${s.ok ? "PASS" : "FAIL"} ${s.name}: ${(s.elapsedMs / 1000).toFixed(1)} s`);
  if (run.status !== 0) console.log(`qemu suite exited ${run.status}`);
  return [{ name: "QEMU suite (wall)", ours: "npm run test:qemu", theirs: "600 s limit", oursMs: wall, theirsMs: 600_000, ratio: wall / 600_000, target: 0.5 }];
}
