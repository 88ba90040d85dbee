import { test } from "uvu";
import * as assert from "uvu/assert";
import { decideOnFailure, rebootDisabledByCmdline } from "../../src/ops/boot-failure.ts";

test("a counted entry that fails is marked bad and the machine reboots when another entry would boot", () => {
  const d = decideOnFailure({ state: "indeterminate", cmdline: "root=/dev/vda2 quiet", nextBoot: "other" });
  assert.equal([d.markBad, d.reboot, d.guard], [true, true, false]);
});

test("the last try (counter already at 0 after systemd-boot's rename) still falls back", () => {
  const d = decideOnFailure({ state: "dirty", cmdline: "", nextBoot: "other" });
  assert.equal([d.markBad, d.reboot, d.guard], [true, true, false]);
});

test("bootctl-ts.reboot=0 keeps the mark but not the reboot", () => {
  const d = decideOnFailure({ state: "indeterminate", cmdline: "quiet bootctl-ts.reboot=0", nextBoot: "other" });
  assert.equal([d.markBad, d.reboot], [true, false]);
  assert.match(d.reason, /bootctl-ts\.reboot=0/);
});

test("bootloop guard: when the same entry would boot again, never reboot", () => {
  for (const state of ["clean", "good", "bad", "indeterminate", "dirty"] as const) {
    const d = decideOnFailure({ state, cmdline: "", nextBoot: "same" });
    assert.equal([d.reboot, d.guard], [false, true], state);
    assert.match(d.reason, /bootloop guard/);
  }
  const fallback = decideOnFailure({ state: "clean", cmdline: "", nextBoot: "unknown" });
  assert.equal([fallback.markBad, fallback.reboot, fallback.guard], [false, false, true]);
});

test("kernel command line parsing: last occurrence wins, other words ignored", () => {
  assert.ok(rebootDisabledByCmdline("bootctl-ts.reboot=0"));
  assert.ok(rebootDisabledByCmdline("a bootctl-ts.reboot=1 bootctl-ts.reboot=no"));
  assert.not.ok(rebootDisabledByCmdline("bootctl-ts.reboot=0 bootctl-ts.reboot=1"));
  assert.not.ok(rebootDisabledByCmdline("xbootctl-ts.reboot=0 bootctl-ts.rebootx=0"));
});

test("the next boot could not be worked out: the guard stops and the reason names the error", () => {
  const d = decideOnFailure({ state: "indeterminate", cmdline: "", nextBoot: "error", nextBootError: "refusing to follow symbolic link: /efi/loader" });
  assert.equal([d.markBad, d.reboot, d.guard], [true, false, true]);
  assert.match(d.reason, /cannot tell what the boot loader starts next \(refusing to follow symbolic link: \/efi\/loader\): not rebooting \(bootloop guard\)/);
});

test.run();
