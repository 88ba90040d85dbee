/** `predict` through the built binary: one counted entry and nothing to fall back to. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { runBuiltCli } from "../support/cli.ts";
import { withTempRoot } from "../support/tmp.ts";
import { UPSTREAM_00_HEADER_ENV } from "../support/grub-header.ts";
import { grubCountingScript } from "../../src/ops/grub-counting-script.ts";
import { writeImageTree } from "../support/image-tree.ts";
import { ubuntuStyleCfg } from "../support/grub-styles.ts";

function image(root: string): void {
  writeImageTree(root, { id: "tw", prettyName: "Tumbleweed" });
}

test("GRUB: the only entry on trial: a few attempts and one line saying there is no fallback, warned in text and JSON", async () => {
  await withTempRoot(async (root) => {
    image(root);
    mkdirSync(path.join(root, "boot/grub"), { recursive: true });
    spawnSync("grub-editenv", [path.join(root, "boot/grub/grubenv"), "create"]);
    const base = ["--root", root, "--esp-path", "/efi"];
    assert.is(runBuiltCli([...base, "add", "--loader", "grub", "--tries", "3", "6.13", path.join(root, "vmlinuz")]).status, 0);
    // grub.cfg as grub-mkconfig makes it: 00_header's environment code, 09_bootctl_counting, 20_bootctl-ts.
    const entries = runBuiltCli([...base, "grub", "render"]);
    assert.is(entries.status, 0, entries.stderr);
    writeFileSync(path.join(root, "boot/grub/grub.cfg"), `${UPSTREAM_00_HEADER_ENV}${grubCountingScript()}${entries.stdout}`);
    const r = runBuiltCli([...base, "predict", "--loader", "grub"]);
    assert.is(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.ok(lines.length <= 5, r.stdout);
    assert.not.match(r.stdout, /64 attempts/);
    assert.match(lines.at(-1)!, /^no fallback: Tumbleweed boots again at every attempt/);
    assert.match(r.stderr, /^bootctl-ts: warning: no fallback: Tumbleweed is the only entry the loader would boot/m);
    const json = JSON.parse(runBuiltCli([...base, "--json=short", "predict", "--loader", "grub"]).stdout);
    assert.ok(json.warnings.some((w: string) => /^no fallback: /.test(w)), JSON.stringify(json.warnings));
    assert.is(json.end, "no-fallback-left");
  });
});

test("systemd-boot: the only entry on trial is warned about in text and JSON", async () => {
  await withTempRoot(async (root) => {
    image(root);
    writeFileSync(path.join(root, "efi/loader/entries/tw-6.13+3.conf"), "title T 6.13\nversion 6.13\nlinux /k\n");
    const base = ["--root", root, "--esp-path", "/efi"];
    const r = runBuiltCli([...base, "predict", "--loader", "systemd-boot"]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /^bootctl-ts: warning: no fallback: T 6\.13 is the only entry the loader would boot/m);
    assert.match(r.stdout.trim().split("\n").at(-1)!, /^no fallback: /);
    const json = JSON.parse(runBuiltCli([...base, "--json=short", "predict", "--loader", "systemd-boot"]).stdout);
    assert.ok(json.warnings.some((w: string) => /^no fallback: /.test(w)));
  });
});


test("GRUB: a grub.cfg cut off mid-write predicts the entries before the cut, with a warning naming the line", async () => {
  await withTempRoot(async (root) => {
    image(root);
    mkdirSync(path.join(root, "boot/grub"), { recursive: true });
    const env = path.join(root, "boot/grub/grubenv");
    spawnSync("grub-editenv", [env, "create"]);
    spawnSync("grub-editenv", [env, "set", "saved_entry=gnulinux-advanced-u1>gnulinux-6.8.0-40-generic-recovery-u1"]);
    const full = ubuntuStyleCfg(["6.8.0-40-generic", "6.8.0-31-generic"], "u1");
    const cut = full.slice(0, full.indexOf("6.8.0-31-generic root=UUID"));
    writeFileSync(path.join(root, "boot/grub/grub.cfg"), cut);
    const base = ["--root", root, "--esp-path", "/efi"];
    const json = JSON.parse(runBuiltCli([...base, "--json=short", "predict", "--loader", "grub"]).stdout);
    // The cut falls inside the submenu: its whole unit fails, saved_entry names nothing left and
    // GRUB boots entry 0 (grub-emu does the same: test/differential/grub-truncated-emu.test.ts).
    assert.is(json.attempts[0].title, "Ubuntu");
    const lines = cut.split("\n").length;
    assert.ok(json.warnings.some((w: string) => w.includes(`:${lines}:`) || w.includes(`${lines}: `)), JSON.stringify(json.warnings));
    assert.ok(json.warnings.some((w: string) => /cut off/.test(w)), JSON.stringify(json.warnings));
    const d = runBuiltCli([...base, "grub", "default"]);
    assert.is(d.status, 0, d.stderr);
    assert.match(d.stdout, /^title: Ubuntu$/m);
    assert.match(d.stderr, /GRUB skips this command/);
  });
});
test.run();
