/**
 * Exit statuses as the README documents them (issue 19, item 7): 0 success, 1 the operation
 * failed, 2 the command line is wrong; the first complaint is about what the user typed.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { runBuiltCli } from "../support/cli.ts";
import { withTempRoot } from "../support/tmp.ts";
import { writeImageTree } from "../support/image-tree.ts";

function image(root: string): string[] {
  return writeImageTree(root, { id: "debian", prettyName: "Debian GNU/Linux 12" });
}

test("grubenv: an unknown command, and FILE without a command, are usage errors (exit 2)", () =>
  withTempRoot((root) => {
    const file = path.join(root, "grubenv");
    for (const args of [["grubenv", file, "frob"], ["grubenv", file]]) {
      const r = runBuiltCli(args);
      assert.is(r.status, 2, args.join(" "));
      assert.is(r.stdout, "");
      assert.match(r.stderr, /^bootctl-ts: grubenv: unknown command '[^']+' \(expected create, list, set or unset\)\n$/);
    }
    assert.equal(readdirSync(root), [], "nothing created");
  }));

test("remove of a version that is not installed succeeds like kernel-install remove, with a note", () =>
  withTempRoot((root) => {
    const base = image(root);
    const r = runBuiltCli([...base, "remove", "6.1.0-99-amd64"]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, "");
    assert.is(r.stderr, "nothing to remove: no entry or files for debian-6.1.0-99-amd64\n");
    assert.equal(runBuiltCli([...base, "-q", "remove", "6.1.0-99-amd64"]), { status: 0, stdout: "", stderr: "" });
    const json = runBuiltCli([...base, "--json=short", "remove", "6.1.0-99-amd64"]);
    assert.is(json.status, 0);
    assert.equal(JSON.parse(json.stdout), { dryRun: false, effects: [], notes: ["nothing to remove: no entry or files for debian-6.1.0-99-amd64"] });
    // An installed one is still removed, and a missing ESP is still an error.
    assert.is(runBuiltCli([...base, "add", "6.1.0-18-amd64", path.join(root, "vmlinuz")]).status, 0);
    assert.is(runBuiltCli([...base, "remove", "6.1.0-18-amd64"]).status, 0);
    assert.equal(readdirSync(path.join(root, "efi/loader/entries")), []);
    assert.is(runBuiltCli(["--root", root, "--esp-path", "/nope", "remove", "6.1.0-18-amd64"]).status, 1);
  }));

test("--root that does not exist, or is not a directory, is named as typed (exit 1)", () =>
  withTempRoot((root) => {
    const missing = path.join(root, "nonexistent");
    const r = runBuiltCli(["--root", missing, "list"]);
    assert.equal(r, { status: 1, stdout: "", stderr: `bootctl-ts: --root: ${missing}: no such directory\n` });
    writeFileSync(path.join(root, "file"), "");
    const file = runBuiltCli(["--root", path.join(root, "file"), "status"]);
    assert.equal(file, { status: 1, stdout: "", stderr: `bootctl-ts: --root: ${path.join(root, "file")}: not a directory\n` });
    // Relative, as typed.
    const relative = runBuiltCli(["--root", "nonexistent", "list"], { cwd: root });
    assert.is(relative.stderr, "bootctl-ts: --root: nonexistent: no such directory\n");
  }));

test("set-timeout: a malformed value is the first complaint (exit 2), before the boot loader is looked for", () =>
  withTempRoot((root) => {
    for (const verb of ["set-timeout", "set-timeout-oneshot"]) {
      const r = runBuiltCli(["--root", root, verb, "abc"]);
      assert.is(r.status, 2, `${verb}: ${r.stderr}`);
      assert.is(r.stderr, "bootctl-ts: invalid timeout 'abc' (seconds, menu-force, menu-hidden or menu-disabled)\n");
      // A well-formed value gets as far as the boot loader (none here).
      assert.is(runBuiltCli(["--root", root, verb, "5"]).status, 1, verb);
    }
  }));

test.run();
