/** The built binary as users run it: version, help, usage errors and exit statuses. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { CLI, runBuiltCli } from "../support/cli.ts";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

test("--version prints the package version", () => {
  const r = runBuiltCli(["--version"]);
  assert.is(r.status, 0);
  assert.is(r.stdout, `bootctl-ts ${pkg.version}\n`);
  assert.is(r.stderr, "");
});

test("--help lists verbs and global options", () => {
  const r = runBuiltCli(["--help"]);
  assert.is(r.status, 0);
  for (const text of ["compare-versions", "--esp-path", "--boot-path", "--root", "--efivars-path", "--json", "--dry-run", "--no-color"]) {
    assert.ok(r.stdout.includes(text), text);
  }
});

test("help VERB shows that verb's usage", () => {
  const r = runBuiltCli(["help", "compare-versions"]);
  assert.is(r.status, 0);
  assert.match(r.stdout, /compare-versions \[--\] A B/);
});

test("usage errors: one line on stderr, exit 2, nothing on stdout", () => {
  for (const args of [["no-such-verb"], ["compare-versions", "--no-such-option", "1", "2"], ["--json=loud", "compare-versions", "1", "2"], ["compare-versions", "1"], ["help", "nope"], ["compare-versions", "1", "~", "2"]]) {
    const r = runBuiltCli(args);
    assert.is(r.status, 2, args.join(" "));
    assert.is(r.stdout, "", args.join(" "));
    assert.match(r.stderr, /^bootctl-ts: [^\n]+\n$/, args.join(" "));
    assert.not.match(r.stderr, /\bat \S+:\d+/, "no stack trace");
  }
});

test("no verb prints the help", () => {
  const r = runBuiltCli([]);
  assert.is(r.status, 0);
  assert.match(r.stdout, /Usage:/);
});

test("compare-versions: exit statuses 12/0/11 and operator form", () => {
  assert.equal(runBuiltCli(["compare-versions", "1", "2"]), { status: 12, stdout: "1 < 2\n", stderr: "" });
  assert.equal(runBuiltCli(["compare-versions", "2", "2.0"]).status, 12);
  assert.equal(runBuiltCli(["compare-versions", "1.01", "1.1"]), { status: 0, stdout: "1.01 == 1.1\n", stderr: "" });
  assert.equal(runBuiltCli(["compare-versions", "--", "", "-1"]), { status: 12, stdout: "'' < -1\n", stderr: "" });
  assert.is(runBuiltCli(["compare-versions", "5.10", "gt", "5.9"]).status, 0);
  assert.is(runBuiltCli(["compare-versions", "5.10", "lt", "5.9"]).status, 1);
});

test("output that cannot be written (stdout is /dev/full) is one line and exit 1, never a silent 0", () => {
  const full = openSync("/dev/full", "w");
  try {
    for (const args of [["--version"], ["compare-versions", "1", "2"], ["--help"]]) {
      const r = spawnSync(process.execPath, [CLI, ...args], { stdio: ["ignore", full, "pipe"], encoding: "utf8" });
      assert.is(r.status, 1, `${args.join(" ")}: ${r.stderr}`);
      assert.is(r.stderr, "bootctl-ts: cannot write output: no space left on device\n", args.join(" "));
    }
  } finally {
    closeSync(full);
  }
});

test.run();
