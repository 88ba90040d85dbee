/** The built `bootctl-ts efi …` verbs on a copy of the OVMF fixture, checked with efibootmgr 17. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { runBuiltCli } from "../support/cli.ts";
import { execTool, requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

const fixture = new URL("../../fixtures/efivars/ovmf-after-boot", import.meta.url).pathname;

async function efibootmgr(dir: string): Promise<string> {
  const r = await execTool("efibootmgr", [], { ...process.env, EFIVARFS_PATH: dir + "/" });
  assert.is(r.status, 0);
  return r.stdout;
}

test("set-next, set-order, set-inactive, delete, clear-next change what efibootmgr reads", () =>
  withTempRoot(async (root) => {
    requireTool("efibootmgr", "efibootmgr");
    const dir = path.join(root, "vars");
    cpSync(fixture, dir, { recursive: true });
    const run = (...args: string[]) => runBuiltCli(["--efivars-path", dir, "efi", ...args]);
    assert.is(run("set-next", "3").status, 0);
    assert.match(await efibootmgr(dir), /^BootNext: 0003$/m);
    assert.is(run("set-order", "3,0,1").status, 0);
    assert.match(await efibootmgr(dir), /^BootOrder: 0003,0000,0001$/m);
    assert.is(run("set-inactive", "1").status, 0);
    assert.match(await efibootmgr(dir), /^Boot0001  UEFI QEMU DVD-ROM/m);
    assert.is(run("delete", "1").status, 0);
    const after = await efibootmgr(dir);
    assert.not.match(after, /Boot0001/);
    assert.match(after, /^BootOrder: 0003,0000$/m);
    assert.is(run("clear-next").status, 0);
    assert.not.match(await efibootmgr(dir), /BootNext/);
    const dry = runBuiltCli(["--efivars-path", dir, "--dry-run", "efi", "set-next", "2"]);
    assert.match(dry.stdout, /^would write BootNext-8be4df61/m);
    assert.not.match(await efibootmgr(dir), /BootNext/);
  }));

/** `efibootmgr -v` on DIR (libefivar reads the efivarfs-format files under EFIVARFS_PATH). */
async function efibootmgrV(dir: string): Promise<string> {
  const r = await execTool("efibootmgr", ["-v"], { ...process.env, EFIVARFS_PATH: dir + "/" });
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
}

test("delete interrupted after Boot#### (BootOrder still names it): the same command finishes, keeps BootNext, then refuses", () =>
  withTempRoot(async (root) => {
    requireTool("efibootmgr", "efibootmgr");
    const dir = path.join(root, "vars");
    cpSync(fixture, dir, { recursive: true });
    // The state a kill between efibootmgr's two writes leaves: the option gone, BootOrder 0000,0001,
    // 0002,0003 still naming it, and the fixture's BootNext 0001 (which efibootmgr -B never touches).
    rmSync(path.join(dir, "Boot0001-8be4df61-93ca-11d2-aa0d-00e098032b8c"));
    const run = (...args: string[]) => runBuiltCli(["--efivars-path", dir, "efi", ...args]);
    const snapshot = () => readdirSync(dir).sort().map((f) => `${f}:${readFileSync(path.join(dir, f)).toString("hex")}`);
    const before = snapshot();
    const dry = runBuiltCli(["--efivars-path", dir, "--dry-run", "efi", "delete", "1"]);
    assert.is(dry.status, 0, dry.stderr);
    assert.is(dry.stdout, "would write BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c (attributes 0x7, 6 bytes: 000002000300)\n");
    assert.equal(snapshot(), before);
    const r = run("delete", "1");
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, "Boot0001 was already deleted (an interrupted delete); removing 0001 from BootOrder\n");
    assert.is(r.stdout, "");
    const after = await efibootmgrV(dir);
    assert.match(after, /^BootOrder: 0000,0002,0003$/m);
    assert.match(after, /^BootNext: 0001$/m);
    assert.not.match(after, /Boot0001/);
    // Finished: BootNext still naming 0001 is no reason to resume (efibootmgr -B refuses too).
    const kept = snapshot();
    const again = run("delete", "1");
    assert.is(again.status, 1);
    assert.is(again.stderr, "bootctl-ts: Boot entry 0001 does not exist\n");
    assert.equal(snapshot(), kept);
    // The same with -q: the note is information, so it is suppressed; the job is still done.
    assert.is(run("set-next", "2").status, 0);
    rmSync(path.join(dir, "Boot0002-8be4df61-93ca-11d2-aa0d-00e098032b8c"));
    const quiet = runBuiltCli(["--efivars-path", dir, "-q", "efi", "delete", "2"]);
    assert.is(quiet.status, 0, quiet.stderr);
    assert.is(quiet.stderr, "");
    const last = await efibootmgrV(dir);
    assert.match(last, /^BootOrder: 0000,0003$/m);
    assert.match(last, /^BootNext: 0002$/m);
  }));

test("delete of an option BootNext names keeps BootNext, as efibootmgr -b 1 -B does", () =>
  withTempRoot(async (root) => {
    requireTool("efibootmgr", "efibootmgr");
    const dir = path.join(root, "vars");
    cpSync(fixture, dir, { recursive: true });
    const before = await efibootmgrV(dir);
    assert.match(before, /^BootNext: 0001$/m);
    assert.match(before, /^BootOrder: 0000,0001,0002,0003$/m);
    const r = runBuiltCli(["--efivars-path", dir, "efi", "delete", "1"]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, "");
    // efibootmgr -B's result, read with efibootmgr -v: the old listing without the Boot0001 line
    // and with BootOrder without 0001; every other line, BootNext: 0001 included, unchanged.
    // (Its own result under EFIVARFS_PATH is not comparable: libefivar rewrites a regular file
    // without truncating it, so the shorter BootOrder keeps the old tail; see
    // test/ops/efi-boot-manager.test.ts, which compares the writes themselves.)
    const expected = before.split("\n").filter((l) => !l.startsWith("Boot0001"))
      .map((l) => (l.startsWith("BootOrder:") ? "BootOrder: 0000,0002,0003" : l)).join("\n");
    assert.is(await efibootmgrV(dir), expected);
  }));

test("usage and environment errors are one line with the right exit status", () =>
  withTempRoot(async (root) => {
    const missing = runBuiltCli(["--efivars-path", path.join(root, "none"), "efi", "list"]);
    assert.is(missing.status, 1);
    assert.match(missing.stderr, /^bootctl-ts: cannot use .* no such file or directory\n$/);
    const bad = runBuiltCli(["--efivars-path", root, "efi", "set-next", "xyz"]);
    assert.is(bad.status, 2);
    const noEntry = runBuiltCli(["--efivars-path", root, "efi", "set-next", "7"]);
    assert.is(noEntry.status, 1);
    assert.is(noEntry.stderr, "bootctl-ts: Boot entry 0007 does not exist\n");
    const unknown = runBuiltCli(["efi", "frobnicate"]);
    assert.is(unknown.status, 2);
  }));

test.run();
