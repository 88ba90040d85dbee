/**
 * CI-sized fuzzing of every decoder (test/fuzz/targets.ts): arbitrary and mutated inputs raise
 * nothing but our typed errors, and accepted inputs round-trip. `npm run fuzz` runs the same
 * targets with ≥100,000 cases each.
 */
import { test } from "uvu";
import { BootctlError } from "../../src/errors.ts";
import { GROWTH_GROUPS } from "./growth-cases.ts";
import { fuzz, TARGETS } from "./targets.ts";

const RUNS = Number(process.env.BOOTCTL_TS_FUZZ_RUNS ?? 1500);

for (const target of TARGETS) {
  test(`fuzz ${target.name}: only typed errors (${RUNS} cases)`, () => {
    fuzz(target, RUNS);
  });
}

/**
 * 1 MiB inputs, ordinary and pathological (test/fuzz/growth-cases.ts): every decoder finishes and
 * raises nothing but our typed errors. How their time grows with the input size (linear, not
 * quadratic) is measured by `npm run bench` (test/bench/rows/growth.ts), not here: a unit test must
 * not depend on how busy the machine is.
 */
for (const group of GROWTH_GROUPS) {
  test(`1 MiB inputs: ${group.name}`, async () => {
    for (const c of await group.cases()) {
      try {
        c.run(c.make(1024 * 1024));
      } catch (err) {
        if (!(err instanceof BootctlError)) throw new Error(`${c.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  });
}

test.run();
