/** The built `bootctl-ts efi …` verbs on a copy of the OVMF fixture, checked with efibootmgr 17. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpSync } from "node:fs";
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
