/**
 * `bootctl-ts grubenv` as users run it (the built dist/cli.cjs): grub-editenv's argument rules
 * and exit statuses, checked against the real grub-editenv where both must agree, and
 * bootctl-ts's own additions (--root, --json, --dry-run, name checks).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createGrubenv } from "../../src/formats/grubenv.ts";
import { runBuiltCli } from "../support/cli.ts";
import { execTool, requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

test("argument edge cases: same exit status, stdout and file as grub-editenv", async () => {
  requireTool("grub-editenv", "grub-common");
  await withTempRoot(async (dir) => {
    const cases: string[][] = [
      ["F", "list"], ["F", "set"], ["F", "unset"], ["F", "unset", "zz"], ["F", "list", "extra"],
      ["F", "set", "a=1", "b=x=y"], ["F", "set", "c=1", "noequals", "d=2"], ["F", "list"],
      ["F", "bogus"], ["F", "create", "extra"], ["F", "set", "a="], ["F", "list"], ["F", "-v", "list"],
    ];
    for (const c of cases) {
      const g = await execTool("grub-editenv", c.map((a) => (a === "F" ? path.join(dir, "g.env") : a)));
      const o = runBuiltCli(["grubenv", ...c.map((a) => (a === "F" ? path.join(dir, "o.env") : a))]);
      // An unknown command is a usage error here (exit 2, as documented), where grub-editenv exits 1.
      assert.is(o.status, c[1] === "bogus" && g.status === 1 ? 2 : g.status, c.join(" "));
      assert.is(o.stdout, g.stdout, c.join(" "));
      assert.ok(readFileSync(path.join(dir, "o.env")).equals(readFileSync(path.join(dir, "g.env"))), c.join(" "));
    }
    const noEq = runBuiltCli(["grubenv", path.join(dir, "o.env"), "set", "foo"]);
    assert.is(noEq.stderr, "bootctl-ts: invalid parameter foo\n");
    const unknown = runBuiltCli(["grubenv", path.join(dir, "o.env"), "bogus"]);
    assert.is(unknown.status, 2);
    assert.match(unknown.stderr, "unknown command 'bogus'");
  });
});

test("no command is a usage error; one argument is the command on the default file", () => {
  const none = runBuiltCli(["grubenv"]);
  assert.is(none.status, 2);
  assert.match(none.stderr, "you need to specify at least one command");
  return withTempRoot(async (root) => {
    mkdirSync(path.join(root, "boot/grub2"), { recursive: true });
    const r = runBuiltCli(["--root", root, "grubenv", "set", "a=1"]); // grub-editenv: FILE "set", command "a=1"
    assert.is(r.status, 2);
    assert.match(r.stderr, "unknown command 'a=1'");
    assert.is(runBuiltCli(["--root", root, "grubenv", "list"]).status, 0); // creates the default file
    assert.ok(readFileSync(path.join(root, "boot/grub2/grubenv")).equals(createGrubenv()));
    const dash = runBuiltCli(["--root", root, "grubenv", "-", "set", "saved_entry=2"]);
    assert.is(dash.status, 0, dash.stderr);
    assert.is(runBuiltCli(["grubenv", "--root", root, "-", "list"]).stdout, "saved_entry=2\n");
    // Absolute FILE is inside the root.
    assert.is(runBuiltCli(["--root", root, "grubenv", "/boot/grub2/grubenv", "list"]).stdout, "saved_entry=2\n");
  });
});

test("missing parent directory fails like grub-editenv (exit 1), nothing created", () =>
  withTempRoot(async (root) => {
    const r = runBuiltCli(["--root", root, "grubenv", "list"]);
    assert.is(r.status, 1);
    assert.match(r.stderr, /^bootctl-ts: cannot write .*boot\/grub\/grubenv: no such file or directory\n$/);
    assert.equal(readdirSync(root), []);
  }));

test("bad names: clear error, exit 1, nothing written (also not a missing file)", () =>
  withTempRoot(async (root) => {
    const file = path.join(root, "g.env");
    for (const args of [["set", "with space=1"], ["set", "ok=1", "1bad=2"], ["unset", "a.b"], ["set", "=x"]]) {
      const r = runBuiltCli(["grubenv", file, ...args]);
      assert.is(r.status, 1, args.join(" "));
      assert.match(r.stderr, /^bootctl-ts: invalid variable name ".*": names must match \[A-Za-z_\]\[A-Za-z0-9_\]\*; nothing was changed\n$/);
      assert.not.ok(existsSync(file));
    }
    writeFileSync(file, createGrubenv());
    assert.is(runBuiltCli(["grubenv", file, "set", "ok=1", "bad-name=2"]).status, 1);
    assert.ok(readFileSync(file).equals(createGrubenv()));
  }));

test("too small: exact message, exit 1, file untouched", () =>
  withTempRoot(async (root) => {
    const file = path.join(root, "g.env");
    assert.is(runBuiltCli(["grubenv", file, "set", "big=" + "x".repeat(925)]).status, 0);
    const before = readFileSync(file);
    const r = runBuiltCli(["grubenv", file, "set", "a="]);
    assert.is(r.status, 1);
    assert.is(r.stderr, "bootctl-ts: environment block too small\n");
    assert.ok(readFileSync(file).equals(before));
  }));

test("--json list prints one object with variables (last duplicate wins), entries and file-system facts", () =>
  withTempRoot(async (root) => {
    const file = path.join(root, "g.env");
    writeFileSync(file, Buffer.concat([Buffer.from("# GRUB Environment Block\na=1\na=2\nb=x\\\ny\n"), Buffer.alloc(1024 - 40, "#")]));
    const r = runBuiltCli(["--json=short", "grubenv", file, "list"]);
    assert.is(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.variables, { a: "2", b: "x\ny" });
    assert.equal(json.entries, [{ name: "a", value: "1" }, { name: "a", value: "2" }, { name: "b", value: "x\ny" }]);
    assert.is(json.size, 1024);
    assert.is(json.free, 1024 - 40);
    assert.is(json.broken, false);
    assert.ok(["boolean", "object"].includes(typeof json.filesystem.grubCanWrite));
    assert.type(json.filesystem.type, "string");
    assert.type(json.filesystem.summary, "string");
    assert.is(r.stdout.split("\n").length, 2); // short: one line
    const set = JSON.parse(runBuiltCli(["--json=short", "grubenv", file, "set", "c=3"]).stdout);
    assert.equal(set.changes, ["set c=\"3\""]);
    assert.ok(set.written);
    assert.is(set.variables.c, "3");
  }));

test("--dry-run prints the changes and writes nothing", () =>
  withTempRoot(async (root) => {
    const file = path.join(root, "g.env");
    const created = runBuiltCli(["--dry-run", "grubenv", file, "set", "a=1"]);
    assert.is(created.stdout, `would create ${file}\nwould set a="1"\n`);
    assert.not.ok(existsSync(file));
    writeFileSync(file, createGrubenv());
    runBuiltCli(["grubenv", file, "set", "a=1", "b=2"]);
    const before = readFileSync(file);
    const r = runBuiltCli(["--dry-run", "grubenv", file, "set", "a=5", "c=3"]);
    assert.is(r.stdout, "would set a=\"5\" (was \"1\")\nwould set c=\"3\"\n");
    assert.is(runBuiltCli(["--dry-run", "grubenv", file, "unset", "b"]).stdout, "would unset b\n");
    assert.is(runBuiltCli(["--dry-run", "grubenv", file, "create"]).stdout, `would reset ${file}\n`);
    assert.is(runBuiltCli(["--dry-run", "grubenv", file, "set", "a=1"]).stdout, `no change to ${file}\n`);
    assert.ok(readFileSync(file).equals(before));
  }));

test.run();
