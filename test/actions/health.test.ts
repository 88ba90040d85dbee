/** Health checks on a temporary root: every check runs, /etc overrides /usr/lib, timeouts, hooks. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { runHealthChecks, describeCheck, describePlan, describeSkipped, planHealthChecks } from "../../src/actions/health.ts";
import { withTempRoot } from "../support/tmp.ts";

function script(root: string, dir: string, name: string, body: string, executable = true) {
  const full = path.join(root, dir);
  mkdirSync(full, { recursive: true });
  writeFileSync(path.join(full, name), `#!/bin/sh\n${body}\n`);
  chmodSync(path.join(full, name), executable ? 0o755 : 0o644);
}

const VENDOR = "usr/lib/bootctl-ts/checks";
const ADMIN = "etc/bootctl-ts/checks";

test("green when every required check passes; wanted failures are reported but not fatal", async () => {
  await withTempRoot(async (root) => {
    script(root, `${VENDOR}/required.d`, "10-ok", "exit 0");
    script(root, `${VENDOR}/wanted.d`, "20-flaky", "echo network slow; exit 3");
    script(root, `${VENDOR}/green.d`, "hook", `touch ${root}/green-ran`);
    script(root, `${VENDOR}/red.d`, "hook", `touch ${root}/red-ran`);
    const report = await runHealthChecks({ root });
    assert.is(report.verdict, "green");
    assert.equal(report.checks.map((c) => [c.kind, c.name, c.ok]), [["required", "10-ok", true], ["wanted", "20-flaky", false]]);
    assert.match(describeCheck(report.checks[1]!), /wanted check 20-flaky failed with exit status 3: network slow/);
    assert.ok(existsSync(path.join(root, "green-ran")));
    assert.not.ok(existsSync(path.join(root, "red-ran")));
  });
});

test("red: all required checks run and every failure is reported; red.d hooks run", async () => {
  await withTempRoot(async (root) => {
    script(root, `${VENDOR}/required.d`, "10-first", "exit 1");
    script(root, `${VENDOR}/required.d`, "20-second", "exit 2");
    script(root, `${VENDOR}/required.d`, "30-third", "exit 0");
    script(root, `${VENDOR}/red.d`, "hook", `echo "$BOOTCTL_TS_VERDICT" > ${root}/red-ran`);
    const report = await runHealthChecks({ root });
    assert.is(report.verdict, "red");
    assert.equal(report.checks.map((c) => [c.name, c.status]), [["10-first", 1], ["20-second", 2], ["30-third", 0]]);
    assert.equal(report.hooks.map((h) => [h.kind, h.ok]), [["red", true]]);
  });
});

test("/etc overrides a vendor check of the same name; non-executables and dotfiles are ignored", async () => {
  await withTempRoot(async (root) => {
    script(root, `${VENDOR}/required.d`, "10-disk", "exit 1");
    script(root, `${ADMIN}/required.d`, "10-disk", "exit 0");
    script(root, `${ADMIN}/required.d`, "README", "exit 1", false);
    script(root, `${ADMIN}/required.d`, ".hidden", "exit 1");
    const report = await runHealthChecks({ root });
    assert.is(report.verdict, "green");
    assert.equal(report.checks.map((c) => c.path), [`/${ADMIN}/required.d/10-disk`]);
    assert.equal(report.skipped, [{ kind: "required", name: "README", path: `/${ADMIN}/required.d/README`, reason: "not executable" }]);
  });
});

test("a check that is not executable is skipped and reported; it masks no vendor check and counts for no verdict", async () => {
  await withTempRoot(async (root) => {
    script(root, `${VENDOR}/required.d`, "10-disk", "exit 0");
    script(root, `${ADMIN}/required.d`, "10-disk", "exit 1", false);
    script(root, `${VENDOR}/wanted.d`, "20-net", "exit 1", false);
    script(root, `${VENDOR}/green.d`, "30-hook", "exit 0", false);
    const report = await runHealthChecks({ root });
    assert.is(report.verdict, "green");
    assert.equal(report.checks.map((c) => c.path), [`/${VENDOR}/required.d/10-disk`]);
    assert.equal(report.skipped.map((s) => [s.kind, s.path]), [["required", `/${ADMIN}/required.d/10-disk`], ["wanted", `/${VENDOR}/wanted.d/20-net`], ["green", `/${VENDOR}/green.d/30-hook`]]);
    assert.is(describeSkipped(report.skipped[0]!), `required check 10-disk skipped: not executable (/${ADMIN}/required.d/10-disk)`);
  });
});

test("planHealthChecks executes nothing and lists the checks and both verdicts' hooks", async () => {
  await withTempRoot(async (root) => {
    script(root, `${VENDOR}/required.d`, "10-req", `touch ${root}/ran-req`);
    script(root, `${VENDOR}/wanted.d`, "20-want", `touch ${root}/ran-want`);
    script(root, `${VENDOR}/green.d`, "g", `touch ${root}/ran-green`);
    script(root, `${ADMIN}/red.d`, "r", `touch ${root}/ran-red`);
    script(root, `${ADMIN}/required.d`, "30-off", "exit 1", false);
    const plan = await planHealthChecks({ root });
    assert.equal(plan.checks.map((c) => [c.kind, c.name]), [["required", "10-req"], ["wanted", "20-want"]]);
    assert.equal([plan.green.map((h) => h.name), plan.red.map((h) => h.name)], [["g"], ["r"]]);
    assert.equal(plan.skipped.map((s) => s.name), ["30-off"]);
    assert.equal(describePlan(plan), [
      `would run required check 10-req (/${VENDOR}/required.d/10-req)`,
      `would run wanted check 20-want (/${VENDOR}/wanted.d/20-want)`,
      `would run green.d hook g (/${VENDOR}/green.d/g) if every required check passes`,
      `would run red.d hook r (/${ADMIN}/red.d/r) if a required check fails`,
      `would skip required check 30-off: not executable (/${ADMIN}/required.d/30-off)`,
    ]);
    for (const f of ["ran-req", "ran-want", "ran-green", "ran-red"]) assert.not.ok(existsSync(path.join(root, f)), f);
  });
});

test("a hanging check is killed at its time limit and counts as failed", async () => {
  await withTempRoot(async (root) => {
    script(root, `${VENDOR}/required.d`, "hang", "sleep 30");
    const report = await runHealthChecks({ root, timeoutMs: 300 });
    assert.is(report.verdict, "red");
    assert.ok(report.checks[0]!.timedOut);
    // Killed at the limit (its group got SIGTERM), not waited for: no clock needed to tell.
    assert.is(report.checks[0]!.signal, "SIGTERM");
    assert.match(describeCheck(report.checks[0]!), /timed out/);
  });
});

test("no checks at all is green", async () => {
  await withTempRoot(async (root) => {
    const report = await runHealthChecks({ root });
    assert.equal(report, { verdict: "green", checks: [], hooks: [], skipped: [] });
  });
});

test.run();
