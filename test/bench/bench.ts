/**
 * `npm run bench`: one table of ratios, bootctl-ts against the real tools, all measured in this
 * run on the same inputs. Lower ratios are better; a row over its target is marked.
 */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { pathToFileURL } from "node:url";
import type { BenchRow, RowModule } from "./harness.ts";

const modules: Record<string, () => Promise<RowModule>> = {
  startup: () => import("./rows/startup.ts"),
  grubenv: () => import("./rows/grubenv.ts"),
  bls: () => import("./rows/bls.ts"),
  efi: () => import("./rows/efi.ts"),
  versions: () => import("./rows/versions.ts"),
  grubcfg: () => import("./rows/grubcfg.ts"),
  memory: () => import("./rows/memory.ts"),
  growth: () => import("./rows/growth.ts"),
  qemu: () => import("./rows/qemu.ts"),
};

// The rows run the reference tools: install what is missing as `npm test` does (root), or stop.
const { ensurePackages, FAST_PACKAGES } = (await import(pathToFileURL("scripts/debian-packages.mjs").href)) as { ensurePackages(p: readonly string[]): boolean; FAST_PACKAGES: readonly string[] };
if (!ensurePackages(FAST_PACKAGES)) process.exit(1);
execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
const only = process.argv.slice(2);
/** Rows that take minutes run only when named. */
const onRequest = new Set(["qemu"]);
const rows: BenchRow[] = [];
for (const [name, load] of Object.entries(modules)) {
  if (only.length > 0 ? !only.includes(name) : onRequest.has(name)) continue;
  rows.push(...(await (await load()).rows()));
}

const fmt = (value: number, unit: BenchRow["unit"]) => (unit === "MiB" ? `${value.toFixed(1)} MiB` : `${value.toFixed(1)} ms`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}`);
console.log("| row | bootctl-ts | reference | ours | theirs | ratio | target |");
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) {
  const verdict = r.target === undefined ? "" : r.ratio <= r.target ? `≤ ${r.target}x ok` : `≤ ${r.target}x MISSED`;
  console.log(`| ${r.name} | \`${r.ours}\` | \`${r.theirs}\` | ${fmt(r.oursMs, r.unit)} | ${fmt(r.theirsMs, r.unit)} | ${r.ratio.toFixed(2)}x | ${verdict} |`);
}
