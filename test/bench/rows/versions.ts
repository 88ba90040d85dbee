/**
 * `bootctl-ts compare-versions A B` against `systemd-analyze compare-versions A B` (one call each,
 * as scripts use them), plus the library's throughput for the record.
 */
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { compareVersions } from "../../../src/model/version.ts";
import { compare, type BenchRow } from "../harness.ts";

const CLI = fileURLToPath(new URL("../../../dist/cli.cjs", import.meta.url));

export function rows(): BenchRow[] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < 1000; i++) pairs.push([`6.1.${i}-${i % 7}-amd64`, `6.1.${(i * 7) % 1000}~rc${i % 3}-amd64`]);
  const start = performance.now();
  let sink = 0;
  for (let round = 0; round < 200; round++) for (const [a, b] of pairs) sink += compareVersions(a, b);
  const perCallUs = ((performance.now() - start) * 1000) / (200 * pairs.length);
  console.log(`compareVersions library: ${perCallUs.toFixed(3)} µs per comparison (checksum ${sink})`);
  return [
    compare({
      name: "compare-versions (one call)",
      ours: { label: "bootctl-ts compare-versions", argv: [process.execPath, CLI, "compare-versions", "6.1.0-18-amd64", "6.1.0-9-amd64"] },
      theirs: { label: "systemd-analyze compare-versions", argv: ["systemd-analyze", "compare-versions", "6.1.0-18-amd64", "6.1.0-9-amd64"] },
    }, 15),
  ];
}
