/**
 * How decoders' time grows with their input (test/fuzz/growth-cases.ts): each case timed at
 * 128 KiB and at 1 MiB in this process (mean of as many runs as fill 20 ms, at least three, after
 * a warm-up). One row per group, showing its worst case: ratio = time(1 MiB) / (8 x time(128 KiB)),
 * so linear growth is about 1x and quadratic about 8x; the target is 4x.
 */
import { performance } from "node:perf_hooks";
import { BootctlError } from "../../../src/errors.ts";
import { GROWTH_GROUPS, type GrowthCase } from "../../fuzz/growth-cases.ts";
import type { BenchRow } from "../harness.ts";

function timed(fn: () => void): number {
  const start = performance.now();
  try {
    fn();
  } catch (err) {
    if (!(err instanceof BootctlError)) throw err;
  }
  return performance.now() - start;
}

function meanTime(c: GrowthCase, input: Uint8Array): number {
  let runs = 0;
  let total = 0;
  while (runs < 3 || (total < 20 && runs < 10_000)) {
    total += timed(() => c.run(input));
    runs++;
  }
  return total / runs;
}

export async function rows(): Promise<BenchRow[]> {
  const out: BenchRow[] = [];
  for (const group of GROWTH_GROUPS) {
    let worst: { c: GrowthCase; small: number; large: number; ratio: number } | undefined;
    for (const c of await group.cases()) {
      const small = c.make(128 * 1024);
      const large = c.make(1024 * 1024);
      timed(() => c.run(small));
      const tSmall = meanTime(c, small);
      const tLarge = meanTime(c, large);
      const ratio = tLarge / Math.max(8 * tSmall, 1e-3);
      if (!worst || ratio > worst.ratio) worst = { c, small: tSmall, large: tLarge, ratio };
    }
    if (!worst) continue;
    out.push({
      name: `growth: ${group.name} (worst: ${worst.c.name})`,
      ours: "1 MiB input",
      theirs: "8 x 128 KiB input",
      oursMs: worst.large,
      theirsMs: 8 * worst.small,
      ratio: worst.ratio,
      target: 4,
    });
  }
  return out;
}
