/**
 * The userspace half of GRUB boot counting (ops/grub-counting.ts): states and plans, checked
 * through what the real grub-editenv lists for the resulting block.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { BootctlError } from "../../src/errors.ts";
import { createGrubenv, parseGrubenv, serializeGrubenv, setVariable, type GrubenvBlock } from "../../src/formats/grubenv.ts";
import { grubBlessStatus, planGrubBless, planGrubTrial, readCountingState } from "../../src/ops/grub-counting.ts";
import { grubCountingScript } from "../../src/ops/grub-counting-script.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

function block(vars: Record<string, string>): GrubenvBlock {
  let b = parseGrubenv(createGrubenv());
  for (const [k, v] of Object.entries(vars)) b = setVariable(b, k, v);
  return b;
}

/** What the real grub-editenv lists for a block. */
async function listed(b: GrubenvBlock): Promise<string[]> {
  requireTool("grub-editenv", "grub-common");
  return withTempRoot((dir) => {
    const file = path.join(dir, "grubenv");
    writeFileSync(file, serializeGrubenv(b));
    return spawnSync("grub-editenv", [file, "list"], { encoding: "utf8" }).stdout.trim().split("\n").filter((l) => l !== "");
  });
}

test("a trial: variables as grub/README.md describes them", async () => {
  const b = planGrubTrial(block({ saved_entry: "os-6.11.conf", bootctl_state: "good" }), { trial: "os-6.12.conf", tries: 3, fallback: "os-6.11.conf" });
  assert.equal(await listed(b), ["saved_entry=os-6.11.conf", "bootctl_trial=os-6.12.conf", "bootctl_tries=3", "bootctl_fallback=os-6.11.conf"]);
  assert.throws(() => planGrubTrial(b, { trial: "x", tries: 10, fallback: "y" }), (e: unknown) => (e as BootctlError).code === "E_BOOT_COUNTER_RANGE");
});

test("status words", () => {
  assert.is(grubBlessStatus(readCountingState(block({}))), "clean");
  assert.is(grubBlessStatus(readCountingState(block({ bootctl_trial: "n", bootctl_tries: "2", bootctl_booted: "n" }))), "indeterminate");
  assert.is(grubBlessStatus(readCountingState(block({ bootctl_trial: "n", bootctl_tries: "0", bootctl_booted: "o", bootctl_fallback: "o" }))), "clean");
  assert.is(grubBlessStatus(readCountingState(block({ bootctl_state: "good" }))), "good");
  assert.is(grubBlessStatus(readCountingState(block({ bootctl_state: "bad", bootctl_trial: "n" }))), "bad");
});

test("good: the trial becomes saved_entry, counting stops; again is a no-op", async () => {
  const booted = block({ saved_entry: "o", bootctl_trial: "n", bootctl_tries: "1", bootctl_fallback: "o", bootctl_booted: "n" });
  const plan = planGrubBless(booted, "good");
  assert.is(plan.outcome, "changed");
  assert.equal(await listed(plan.after), ["saved_entry=n", "bootctl_booted=n", "bootctl_state=good"]);
  assert.is(planGrubBless(plan.after, "good").outcome, "already");
});

test("bad: tries drop to 0 so the next boot falls back", async () => {
  const plan = planGrubBless(block({ bootctl_trial: "n", bootctl_tries: "2", bootctl_fallback: "o", bootctl_booted: "n" }), "bad");
  assert.equal(await listed(plan.after), ["bootctl_trial=n", "bootctl_tries=0", "bootctl_fallback=o", "bootctl_booted=n", "bootctl_state=bad"]);
});

test("greenboot counters: good sets boot_success=1 and unsets boot_counter", async () => {
  const plan = planGrubBless(block({ boot_success: "0", boot_counter: "2" }), "good");
  assert.equal(await listed(plan.after), ["boot_success=1"]);
});

test("not booted on trial: refused, naming what the record says", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /no entry on trial/],
    [{ bootctl_trial: "n", bootctl_tries: "0", bootctl_booted: "o" }, /GRUB booted o, not n/],
    // A trial without a menu entry: the fallback ran and recorded itself, the trial kept its tries.
    [{ bootctl_trial: "n", bootctl_tries: "2", bootctl_fallback: "o", bootctl_booted: "o" }, /GRUB booted o, not n/],
    // No entry recorded the boot (menu entries without grub render's hooks).
    [{ bootctl_trial: "n", bootctl_tries: "2", bootctl_fallback: "o" }, /no menu entry recorded this boot/],
  ];
  for (const [vars, message] of cases) {
    for (const verb of ["good", "bad"] as const) {
      assert.throws(() => planGrubBless(block(vars), verb), (e: unknown) => (e as BootctlError).code === "E_NOT_COUNTING" && message.test((e as Error).message));
    }
  }
});

test("the GRUB script passes grub-script-check for every ladder length", () => {
  requireTool("grub-script-check", "grub-common");
  for (const n of [1, 3, 9]) {
    const r = spawnSync("grub-script-check", [], { input: grubCountingScript(n), encoding: "utf8" });
    assert.is(r.status, 0, r.stdout + r.stderr);
  }
});

test("a trial replaced before it was marked good joins bootctl_bad; the new trial leaves it; ids without an entry are dropped", async () => {
  let b = planGrubTrial(block({ bootctl_trial: "a", bootctl_tries: "0" }), { trial: "b", tries: 3, fallback: "x" });
  assert.equal(await listed(b), ["bootctl_trial=b", "bootctl_tries=3", "bootctl_fallback=x", "bootctl_bad=a"]);
  b = planGrubTrial(b, { trial: "c", tries: 2, fallback: "x" });
  assert.equal(readCountingState(b).bad, ["a", "b"]);
  // c is installed again as a new trial: the old c is not listed as its own bad predecessor.
  b = planGrubTrial(b, { trial: "c", tries: 2, fallback: "x" });
  assert.equal(readCountingState(b).bad, ["a", "b"]);
  // a is installed again; b's entry was removed.
  b = planGrubTrial(b, { trial: "a", tries: 2, fallback: "x", exists: (id) => id !== "b" });
  assert.equal(readCountingState(b).bad, ["c"]);
  // No trial before and nothing listed: no bootctl_bad line at all.
  assert.equal(await listed(planGrubTrial(block({}), { trial: "n", tries: 1, fallback: "x" })), ["bootctl_trial=n", "bootctl_tries=1", "bootctl_fallback=x"]);
});

test.run();
