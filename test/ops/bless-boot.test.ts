import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseBootCountPath } from "../../src/model/boot-count-path.ts";
import { blessStatus, planBless, type NameFacts } from "../../src/ops/bless-boot.ts";
import { BootctlError } from "../../src/errors.ts";

const counted = parseBootCountPath("/loader/entries/os+2-1.conf");
const exhausted = parseBootCountPath("/loader/entries/os+0-3.conf");
const facts = (path: boolean, good: boolean, bad: boolean, root = "/efi"): NameFacts => ({ root, path, good, bad });

// bless-boot.c verb_status(): booted name → indeterminate (dirty when LEFT is 0), good, bad, in that order.
test("status", () => {
  assert.is(blessStatus(undefined, []), "clean");
  assert.is(blessStatus(counted, [facts(true, false, false)]), "indeterminate");
  assert.is(blessStatus(exhausted, [facts(true, false, false)]), "dirty");
  assert.is(blessStatus(counted, [facts(false, true, false)]), "good");
  assert.is(blessStatus(counted, [facts(false, false, true)]), "bad");
  assert.is(blessStatus(counted, [facts(false, false, false, "/efi"), facts(false, true, false, "/boot")]), "good");
  assert.throws(() => blessStatus(counted, [facts(false, false, false)]), (e: unknown) => (e as BootctlError).code === "E_BOOT_STATE_UNKNOWN");
});

test("good renames the booted file, or the bad one, to the good name", () => {
  assert.equal(planBless(counted, "good", [facts(true, false, false)]).effects,
    [{ kind: "rename", root: "/efi", from: "loader/entries/os+2-1.conf", to: "loader/entries/os.conf" }]);
  assert.equal(planBless(counted, "good", [facts(false, false, true)]).effects,
    [{ kind: "rename", root: "/efi", from: "loader/entries/os+0-1.conf", to: "loader/entries/os.conf" }]);
  assert.is(planBless(counted, "good", [facts(false, true, false)]).outcome, "already");
});

test("bad and indeterminate", () => {
  assert.equal(planBless(counted, "bad", [facts(true, false, false)]).effects,
    [{ kind: "rename", root: "/efi", from: "loader/entries/os+2-1.conf", to: "loader/entries/os+0-1.conf" }]);
  assert.equal(planBless(counted, "indeterminate", [facts(false, true, false)]).effects,
    [{ kind: "rename", root: "/efi", from: "loader/entries/os.conf", to: "loader/entries/os+2-1.conf" }]);
  assert.throws(() => planBless(exhausted, "indeterminate", [facts(true, false, false)]), (e: unknown) => (e as BootctlError).code === "E_ALREADY_BAD");
});

test("the twin case (systemd issue 33504) replaces the uncounted twin when marking good", () => {
  const plan = planBless(counted, "good", [facts(true, true, false)]);
  assert.is(plan.outcome, "twin");
  assert.equal(plan.effects, [{ kind: "rename-replace", root: "/efi", from: "loader/entries/os+2-1.conf", to: "loader/entries/os.conf" }]);
  // Marking bad with a twin present is systemd's rename: the uncounted twin stays.
  assert.is(planBless(counted, "bad", [facts(true, true, false)]).effects[0]?.kind, "rename");
});

test("refuses without counting or without any file", () => {
  assert.throws(() => planBless(undefined, "good", []), (e: unknown) => (e as BootctlError).code === "E_NOT_COUNTING");
  assert.throws(() => planBless(counted, "good", [facts(false, false, false)]), (e: unknown) => (e as BootctlError).code === "E_BOOT_STATE_UNKNOWN");
});

test.run();
