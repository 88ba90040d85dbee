/**
 * CI-sized fuzzing of every decoder (test/fuzz/targets.ts): arbitrary and mutated inputs raise
 * nothing but our typed errors, and accepted inputs round-trip. `npm run fuzz` runs the same
 * targets with ≥100,000 cases each. Also: no input makes time grow faster than linearly.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { performance } from "node:perf_hooks";
import { BootctlError } from "../../src/errors.ts";
import { extractTries } from "../../src/model/boot-counter.ts";
import { compareVersions } from "../../src/model/version.ts";
import { fuzz, TARGETS } from "./targets.ts";

const RUNS = Number(process.env.BOOTCTL_TS_FUZZ_RUNS ?? 1500);

for (const target of TARGETS) {
  test(`fuzz ${target.name}: only typed errors (${RUNS} cases)`, () => {
    fuzz(target, RUNS);
  });
}

function timed(fn: () => void): number {
  const start = performance.now();
  try {
    fn();
  } catch (err) {
    if (!(err instanceof BootctlError)) throw err;
  }
  return performance.now() - start;
}

/**
 * 8x the input (128 KiB → 1 MiB) may cost at most 32x the time: linear is 8x, quadratic 64x.
 * The margin is for what one measurement meets on a busy 2-core machine: a garbage collection of
 * the large input's heap, a fast small run (a 4x ratio with a 16x limit failed twice in full
 * runs, at 16.3x and 28x, on parsers that are linear). Each size is timed as the mean of as many
 * runs as fill 20 ms (at least three), so a decoder that rejects its input in microseconds is
 * measured too, not rounded up to a floor.
 */
function assertLinear(name: string, make: (size: number) => Uint8Array, run: (b: Uint8Array) => void): void {
  const small = make(128 * 1024);
  const large = make(1024 * 1024);
  timed(() => run(small)); // warm-up
  const perRun = (input: Uint8Array): number => {
    let runs = 0;
    let total = 0;
    while (runs < 3 || (total < 20 && runs < 10_000)) {
      total += timed(() => run(input));
      runs++;
    }
    return total / runs;
  };
  const t1 = perRun(small);
  const t8 = perRun(large);
  assert.ok(t8 < 2000, `${name}: 1 MiB took ${t8.toFixed(0)} ms`);
  assert.ok(t8 / Math.max(t1, 1e-3) < 32, `${name}: 1 MiB took ${(t8 / t1).toFixed(1)}x the time of 128 KiB`);
}

test("1 MiB inputs: every decoder stays linear", () => {
  const random = (size: number) => {
    const b = new Uint8Array(size);
    for (let i = 0; i < size; i++) b[i] = (i * 2654435761) >>> 24;
    return b;
  };
  const lines = (size: number) => new Uint8Array(Buffer.from("options a b c\n".repeat(Math.ceil(size / 14))).subarray(0, size));
  for (const target of TARGETS) {
    assertLinear(`${target.name} (random bytes)`, random, target.run);
    assertLinear(`${target.name} (many lines)`, lines, target.run);
  }
});

test("pathological grub.cfg: deep nesting and long quote runs stay linear", async () => {
  const { parse } = await import("../../src/formats/grubcfg/parser.ts");
  const run = (b: Uint8Array) => void parse(Buffer.from(b).toString());
  assertLinear("nested if", (size) => {
    const n = Math.floor(size / 40);
    return new Uint8Array(Buffer.from("if true; then\n".repeat(n) + "echo x\n" + "fi\n".repeat(n)));
  }, run);
  assertLinear("nested braces", (size) => {
    const n = Math.floor(size / 8);
    return new Uint8Array(Buffer.from("{ ".repeat(n) + "echo x" + " }".repeat(n) + "\n"));
  }, run);
  assertLinear("long quote runs", (size) => new Uint8Array(Buffer.from("echo " + "'a'\"b\"".repeat(size / 8) + "\n")), run);
  assertLinear("unterminated quote", (size) => new Uint8Array(Buffer.from("echo '" + "x".repeat(size))), run);
});

test("pathological inputs: many '+' in a file name, long version strings", () => {
  const pluses = (size: number) => new Uint8Array(Buffer.from("a" + "+1".repeat(size / 2) + ".conf"));
  assertLinear("file name with many +", pluses, (b) => void extractTries(Buffer.from(b).toString()));
  const tildes = (size: number) => new Uint8Array(Buffer.from("1.".repeat(size / 2)));
  assertLinear("long version", tildes, (b) => void compareVersions(Buffer.from(b).toString(), Buffer.from(b).toString() + "1"));
});

test("pathological entry lines: one long value with long whitespace runs stays linear (entries, loader.conf, sort keys)", async () => {
  const { interpretEntry, interpretEntryText, parseEntry } = await import("../../src/formats/bls/entry.ts");
  const { interpretLoaderConf, parseLoaderConf } = await import("../../src/formats/bls/loader-conf.ts");
  const { versionSortKey, versionSortKeysOf } = await import("../../src/model/version.ts");
  const spaced = (size: number) => new Uint8Array(Buffer.from("options a" + " ".repeat(size - 20) + "b\t \n"));
  const tabbed = (size: number) => new Uint8Array(Buffer.from("title " + "x \t".repeat(size / 3) + "\n"));
  for (const [name, make] of [["long space run", spaced], ["many short runs", tabbed]] as const) {
    assertLinear(`entry text: ${name}`, make, (b) => void interpretEntryText(Buffer.from(b).toString()));
    assertLinear(`entry document: ${name}`, make, (b) => void interpretEntry(parseEntry(Buffer.from(b).toString())));
    assertLinear(`loader.conf: ${name}`, make, (b) => void interpretLoaderConf(parseLoaderConf(Buffer.from(b).toString())));
  }
  const version = (size: number) => new Uint8Array(Buffer.from("1.a-".repeat(size / 4)));
  assertLinear("version sort key", version, (b) => void versionSortKey(Buffer.from(b).toString()));
  assertLinear("shared-prefix sort keys", version, (b) => {
    const s = Buffer.from(b).toString();
    void versionSortKeysOf([s + "1", s + "2", s]);
  });
});

test.run();
