import { test } from "uvu";
import * as assert from "uvu/assert";
import { decideOnFailure, rebootDisabledByCmdline } from "../../src/ops/boot-failure.ts";

test("a counted entry that fails is marked bad and the machine reboots", () => {
  const d = decideOnFailure({ state: "indeterminate", cmdline: "root=/dev/vda2 quiet" });
  assert.equal([d.markBad, d.reboot, d.guard], [true, true, false]);
});

test("bootctl-ts.reboot=0 keeps the mark but not the reboot", () => {
  const d = decideOnFailure({ state: "indeterminate", cmdline: "quiet bootctl-ts.reboot=0" });
  assert.equal([d.markBad, d.reboot], [true, false]);
  assert.match(d.reason, /bootctl-ts\.reboot=0/);
});

test("bootloop guard: the fallback (uncounted), an exhausted or a bad entry never reboots", () => {
  for (const state of ["clean", "good", "dirty", "bad"] as const) {
    const d = decideOnFailure({ state, cmdline: "" });
    assert.equal([d.reboot, d.guard], [false, true], state);
    assert.match(d.reason, /bootloop guard/);
  }
});

test("kernel command line parsing: last occurrence wins, other words ignored", () => {
  assert.ok(rebootDisabledByCmdline("bootctl-ts.reboot=0"));
  assert.ok(rebootDisabledByCmdline("a bootctl-ts.reboot=1 bootctl-ts.reboot=no"));
  assert.not.ok(rebootDisabledByCmdline("bootctl-ts.reboot=0 bootctl-ts.reboot=1"));
  assert.not.ok(rebootDisabledByCmdline("xbootctl-ts.reboot=0 bootctl-ts.rebootx=0"));
});

test.run();
