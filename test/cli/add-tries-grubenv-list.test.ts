/** `add --tries 0` is refused; `grubenv FILE list` on a missing file creates it as grub-editenv does and says so. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { runBuiltCli } from "../support/cli.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";
import { writeImageTree } from "../support/image-tree.ts";

function image(root: string): void {
  writeImageTree(root, { id: "tw", prettyName: "Tumbleweed" });
}

test("add --tries 0 is a usage error (exit 2, one line) and writes nothing", async () => {
  await withTempRoot(async (root) => {
    image(root);
    for (const loader of ["systemd-boot", "grub"]) {
      const r = runBuiltCli(["--root", root, "--esp-path", "/efi", "add", "--loader", loader, "--tries", "0", "6.13", path.join(root, "vmlinuz")]);
      assert.is(r.status, 2, r.stderr);
      assert.equal(r.stderr.trim().split("\n"), ["bootctl-ts: --tries 0 would make the entry bad before its first boot (a +0 counter means bad); give 1 or more tries, or leave --tries out for an entry without boot counting"]);
    }
    assert.equal(readdirSync(path.join(root, "efi/loader/entries")), []);
    assert.not.ok(existsSync(path.join(root, "efi/tw")));
  });
});

test("/etc/kernel/tries 0 is kept as kernel-install keeps it (+0), and said plainly", async () => {
  await withTempRoot(async (root) => {
    image(root);
    writeFileSync(path.join(root, "etc/kernel/tries"), "0\n");
    const r = runBuiltCli(["--root", root, "--esp-path", "/efi", "add", "--loader", "systemd-boot", "6.13", path.join(root, "vmlinuz")]);
    assert.is(r.status, 0, r.stderr);
    assert.equal(readdirSync(path.join(root, "efi/loader/entries")), ["tw-6.13+0.conf"]);
    assert.match(r.stderr, /warning: \/etc\/kernel\/tries is 0: the entry starts as bad \(\+0\)/);
  });
});

test("grubenv FILE list on a missing file: the block grub-editenv creates, and a line on stderr saying so", async () => {
  requireTool("grub-editenv", "grub-common");
  await withTempRoot(async (root) => {
    const theirs = path.join(root, "theirs");
    const ours = path.join(root, "ours");
    const ref = spawnSync("grub-editenv", [theirs, "list"], { encoding: "utf8" });
    assert.is(ref.status, 0);
    const r = runBuiltCli(["grubenv", ours, "list"]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, ref.stdout);
    assert.ok(readFileSync(ours).equals(readFileSync(theirs)), "the same 1024-byte block");
    assert.equal(r.stderr.trim().split("\n"), [`created ${ours}: there was no environment block (grub-editenv list creates it too)`]);
    // An existing file: nothing on stderr.
    assert.is(runBuiltCli(["grubenv", ours, "list"]).stderr, "");
    // -q silences the note, not the creation.
    const quiet = path.join(root, "quiet");
    const q = runBuiltCli(["-q", "grubenv", quiet, "list"]);
    assert.is(q.stderr, "");
    assert.ok(existsSync(quiet));
  });
});

test.run();
