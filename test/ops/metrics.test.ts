import { test } from "uvu";
import * as assert from "uvu/assert";
import { healthFactsOf, metricFamilies, type MetricFacts } from "../../src/ops/metrics.ts";

const base: MetricFacts = { state: "indeterminate", loader: "grub", triesLeft: 2, rollbacksTotal: 3, lastRollback: 1700000000, health: undefined, time: 1700000100 };
const byName = (f: MetricFacts) => Object.fromEntries(metricFamilies(f).map((m) => [m.name, m.samples]));

test("the state is one 1 among 0s, one sample per state", () => {
  const s = byName(base).bootctl_ts_boot_assessment_state!;
  assert.equal(s.filter((x) => x.value === 1).map((x) => x.labels), [{ state: "indeterminate", loader: "grub" }]);
  assert.is(s.length, 5);
  assert.equal(byName({ ...base, state: undefined }).bootctl_ts_boot_assessment_state, []);
});

test("tries left, rollbacks and their time; absent facts give no sample", () => {
  const m = byName(base);
  assert.equal([m.bootctl_ts_boot_tries_left, m.bootctl_ts_rollbacks_total, m.bootctl_ts_last_rollback_timestamp_seconds], [[{ value: 2 }], [{ value: 3 }], [{ value: 1700000000 }]]);
  const none = byName({ ...base, triesLeft: undefined, lastRollback: undefined, rollbacksTotal: 0 });
  assert.equal([none.bootctl_ts_boot_tries_left, none.bootctl_ts_last_rollback_timestamp_seconds, none.bootctl_ts_rollbacks_total], [[], [], [{ value: 0 }]]);
});

test("health: result and duration in seconds per check; a name twice keeps the first", () => {
  const health = healthFactsOf({ verdict: "red", checks: [
    { kind: "required", name: "net", ok: false, durationMs: 1500 }, { kind: "required", name: "net", ok: true, durationMs: 1 }, { kind: "wanted", name: "ntp", ok: true },
  ], hooks: [{ kind: "red", name: "notify", ok: true, durationMs: 20 }] });
  const m = byName({ ...base, health });
  assert.equal(m.bootctl_ts_health_verdict_green, [{ value: 0 }]);
  assert.equal(m.bootctl_ts_health_check_success!.map((s) => [s.labels, s.value]), [[{ check: "net", kind: "required" }, 0], [{ check: "ntp", kind: "wanted" }, 1], [{ check: "notify", kind: "red" }, 1]]);
  assert.equal(m.bootctl_ts_health_check_duration_seconds!.map((s) => s.value), [1.5, 0, 0.02]);
  assert.is(healthFactsOf({ verdict: "maybe" }), undefined);
  assert.is(healthFactsOf("x"), undefined);
});

test.run();
