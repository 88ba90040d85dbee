/** Health checks on a temporary root: every check runs, /etc overrides /usr/lib, timeouts, hooks. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { runHealthChecks, describeCheck } from "../../src/actions/health.ts";
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
    assert.equal(report, { verdict: "green", checks: [], hooks: [] });
  });
});

test.run();
