/** `health` through the built binary: `--dry-run` executes nothing; a check that is not executable is reported. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { runBuiltCli } from "../support/cli.ts";
import { withTempRoot } from "../support/tmp.ts";

function script(root: string, dir: string, name: string, body: string, executable = true): void {
  mkdirSync(path.join(root, dir), { recursive: true });
  writeFileSync(path.join(root, dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(path.join(root, dir, name), executable ? 0o755 : 0o644);
}

test("--dry-run health runs no check and no red.d/green.d hook, and says what it would run", async () => {
  await withTempRoot(async (root) => {
    script(root, "etc/bootctl-ts/checks/required.d", "10-fail", `touch ${root}/ran-check; exit 1`);
    script(root, "etc/bootctl-ts/checks/red.d", "50-red", `touch ${root}/ran-red`);
    script(root, "usr/lib/bootctl-ts/checks/green.d", "50-green", `touch ${root}/ran-green`);
    const r = runBuiltCli(["--root", root, "--dry-run", "health"]);
    assert.is(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split("\n"), [
      "would run required check 10-fail (/etc/bootctl-ts/checks/required.d/10-fail)",
      "would run green.d hook 50-green (/usr/lib/bootctl-ts/checks/green.d/50-green) if every required check passes",
      "would run red.d hook 50-red (/etc/bootctl-ts/checks/red.d/50-red) if a required check fails",
    ]);
    const json = JSON.parse(runBuiltCli(["--root", root, "--dry-run", "--json=short", "health"]).stdout);
    assert.is(json.dryRun, true);
    assert.equal(json.checks.map((c: { name: string }) => c.name), ["10-fail"]);
    assert.equal(json.red.map((c: { name: string }) => c.name), ["50-red"]);
    for (const f of ["ran-check", "ran-red", "ran-green"]) assert.not.ok(existsSync(path.join(root, f)), `${f}: a dry run executed it`);
  });
});

test("health reports a required check that is not executable, in text and in --json", async () => {
  await withTempRoot(async (root) => {
    script(root, "etc/bootctl-ts/checks/required.d", "10-ok", "exit 0");
    script(root, "etc/bootctl-ts/checks/required.d", "20-disk", "exit 1", false);
    const r = runBuiltCli(["--root", root, "health"]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /^required check 20-disk skipped: not executable \(\/etc\/bootctl-ts\/checks\/required\.d\/20-disk\)$/m);
    const json = JSON.parse(runBuiltCli(["--root", root, "--json=short", "health"]).stdout);
    assert.equal(json.skipped, [{ kind: "required", name: "20-disk", path: "/etc/bootctl-ts/checks/required.d/20-disk", reason: "not executable" }]);
    const dry = runBuiltCli(["--root", root, "--dry-run", "health"]);
    assert.match(dry.stdout, /^would skip required check 20-disk: not executable/m);
  });
});

test.run();
