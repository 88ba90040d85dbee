/**
 * Options are checked wherever they stand (issue 19, item 1): before the verb, after it, between
 * its arguments. A wrong one is one line naming it as typed, exit 2, nothing done; the parser's
 * messages are the tool's own (getopt_long's rules, as bootctl and kernel-install use them).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { runBuiltCli } from "../support/cli.ts";
import { withTempRoot } from "../support/tmp.ts";

/** What cac (the declaration library) says in its own words; none of it may reach the user. */
const FOREIGN = /Unknown option|Unused args|missing required args|value is missing|`|[a-z][A-Z]/;

function usageError(args: string[], expected: RegExp): void {
  const r = runBuiltCli(args);
  const what = args.join(" ");
  assert.is(r.status, 2, `${what}: ${r.stdout}${r.stderr}`);
  assert.is(r.stdout, "", what);
  assert.match(r.stderr, /^bootctl-ts: [^\n]+\n$/, what);
  assert.match(r.stderr, expected, what);
  assert.not.match(r.stderr.replace(/^bootctl-ts: /, "").replace(/'[^']*'/g, "''"), FOREIGN, what);
}

test("an unknown option before the verb is refused, not eaten with the verb as its value", () => {
  usageError(["-x", "list"], /unknown option '-x'/);
  usageError(["--frob", "list"], /unknown option '--frob'/);
  usageError(["--frob", "no-such-verb"], /unknown option '--frob'/);
  usageError(["-x"], /unknown option '-x'/);
});

test("an unknown option is named as typed (not camelCased), before or after the verb", () => {
  usageError(["--no-such-thing", "list"], /'--no-such-thing'/);
  usageError(["list", "--no-such-thing"], /^bootctl-ts: list: unknown option '--no-such-thing'; see 'bootctl-ts help list'$/m);
  usageError(["compare-versions", "1", "--dryRun", "2"], /'--dryRun'/);
  usageError(["list", "-qx"], /list: unknown option '-x'/);
  // Another verb's option is not this verb's.
  usageError(["list", "--tries", "3"], /list: unknown option '--tries'/);
  usageError(["--tries", "3", "list"], /list: unknown option '--tries'/);
});

test("values: a missing one, one given to a flag, and a value that looks like an option", () => {
  usageError(["--root"], /option '--root' needs a value/);
  usageError(["list", "--esp-path"], /option '--esp-path' needs a value/);
  usageError(["--dry-run=yes", "list"], /option '--dry-run' takes no value/);
  usageError(["--no-color=1", "list"], /option '--no-color' takes no value/);
  usageError(["--json=loud", "list"], /--json: expected pretty, short or off, got 'loud'/);
  // getopt_long: a required value is the next word, whatever it looks like (here a root "-q").
  const r = runBuiltCli(["--root", "-q", "list"]);
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /^bootctl-ts: --root: -q: /);
});

test("arguments: too few and too many, in the tool's words with the usage", () => {
  usageError(["add", "6.1"], /^bootctl-ts: add: missing argument <kernel-image> \(usage: bootctl-ts add \[options\] KERNEL-VERSION KERNEL-IMAGE \[INITRD\.\.\.\]\)$/m);
  usageError(["set-default"], /set-default: missing argument <id>/);
  usageError(["list", "extra"], /^bootctl-ts: list: unexpected argument 'extra'/);
  usageError(["status", "a", "b"], /status: unexpected argument 'a'/);
});

test("options stand anywhere: before the verb, after it, between its arguments; -- ends them", () => {
  for (const args of [
    ["-q", "--no-color", "compare-versions", "1", "2"],
    ["compare-versions", "1", "2", "-q", "--no-color"],
    ["compare-versions", "1", "--quiet", "2"],
    ["compare-versions", "--", "1", "2"],
  ]) {
    assert.equal(runBuiltCli(args), { status: 12, stdout: "1 < 2\n", stderr: "" }, args.join(" "));
  }
  // After `--`, words that look like options are arguments, as for systemd-analyze.
  const analyze = spawnSync("systemd-analyze", ["compare-versions", "--", "-1", "-2"], { encoding: "utf8" });
  assert.is(analyze.error, undefined, "systemd-analyze is needed");
  assert.equal(runBuiltCli(["compare-versions", "--", "-1", "-2"]), { status: analyze.status!, stdout: analyze.stdout, stderr: "" });
});

test("a refused command line changes nothing on disk", () =>
  withTempRoot((root) => {
    mkdirSync(path.join(root, "efi/loader/entries"), { recursive: true });
    mkdirSync(path.join(root, "etc"), { recursive: true });
    writeFileSync(path.join(root, "etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
    writeFileSync(path.join(root, "vmlinuz"), "kernel\n");
    for (const args of [
      ["--frob", "--root", root, "--esp-path", "/efi", "add", "6.1", path.join(root, "vmlinuz")],
      ["--root", root, "--esp-path", "/efi", "add", "6.1", path.join(root, "vmlinuz"), "--tries=3", "-x"],
    ]) {
      assert.is(runBuiltCli(args).status, 2, args.join(" "));
      assert.equal(readdirSync(path.join(root, "efi/loader/entries")), [], args.join(" "));
    }
  }));

test("-h/--help and -V/--version work wherever they stand", () => {
  for (const args of [["-V"], ["--version"], ["-V", "list"], ["list", "--version"]]) {
    const r = runBuiltCli(args);
    assert.is(r.status, 0, args.join(" "));
    assert.match(r.stdout, /^bootctl-ts \d+\.\d+\.\d+/, args.join(" "));
  }
  const verb = runBuiltCli(["add", "--help"]);
  assert.is(verb.status, 0);
  assert.match(verb.stdout, /^Usage: bootctl-ts \[OPTIONS\.\.\.\] add /);
  assert.equal(runBuiltCli(["add", "-h"]), verb);
  assert.equal(runBuiltCli(["help", "add"]), verb);
});

test.run();
