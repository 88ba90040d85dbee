import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CLI, runBuiltCli } from "../support/cli.ts";
import { withTempRoot } from "../support/tmp.ts";

const FIX = fileURLToPath(new URL("../../fixtures/grubcfg/", import.meta.url));
const REPO = fileURLToPath(new URL("../../", import.meta.url));

test("grub menu --json lists the tree", () => {
  const r = runBuiltCli(["--json=short", "grub", "menu", "--grub-cfg", FIX + "ubuntu-22.04-cloudimg.grub.cfg"]);
  assert.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { entries: { title: string; type: string; children?: { indexPath: number[] }[] }[] };
  assert.is(j.entries.length, 2);
  assert.is(j.entries[1]!.type, "submenu");
  assert.equal(j.entries[1]!.children!.map((c) => c.indexPath), [[1, 0], [1, 1]]);
});

test("grub menu text output and errors", async () => {
  const r = runBuiltCli(["grub", "menu", "--grub-cfg", FIX + "rauc-contrib.grub.cfg"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^0 +Rescue$/m);
  await withTempRoot((dir) => {
    const missing = runBuiltCli(["--root", dir, "grub", "menu"]);
    assert.is(missing.status, 1);
    assert.is(missing.stderr, `bootctl-ts: no grub.cfg under ${dir} (looked for /boot/grub/grub.cfg, /boot/grub2/grub.cfg); give --grub-cfg FILE\n`);
  });
  const nofile = runBuiltCli(["grub", "menu", "--grub-cfg", "/nonexistent/grub.cfg"]);
  assert.is(nofile.status, 1);
  assert.match(nofile.stderr, /^bootctl-ts: cannot read/);
});

test("grub check reports syntax errors with file and line", async () => {
  const r = runBuiltCli(["grub", "check", FIX + "rauc-contrib.grub.cfg"]);
  assert.is(r.status, 0, r.stderr);
  await withTempRoot((dir) => {
    writeFileSync(path.join(dir, "bad.cfg"), "echo ok\necho a | b\n");
    const bad = runBuiltCli(["--root", dir, "grub", "check", "/bad.cfg"]);
    assert.is(bad.status, 1);
    assert.is(bad.stderr, "bootctl-ts: /bad.cfg:2:8: syntax error: unexpected '|', expected ';' or newline\n");
    const json = runBuiltCli(["--root", dir, "--json=short", "grub", "check", "/bad.cfg"]);
    assert.equal(JSON.parse(json.stdout), { valid: false, code: "E_GRUB_SYNTAX", line: 2, column: 8, message: "syntax error: unexpected '|', expected ';' or newline" });
  });
});

test("grub default: next_entry into a submenu is booted and cleared (verified in grub-emu)", async () => {
  await withTempRoot((dir) => {
    mkdirSync(path.join(dir, "boot/grub"), { recursive: true });
    copyFileSync(FIX + "ubuntu-22.04-cloudimg.grub.cfg", path.join(dir, "boot/grub/grub.cfg"));
    const env = path.join(dir, "boot/grub/grubenv");
    const created = spawnSync("grub-editenv", [env, "set", "next_entry=Advanced options for Ubuntu>Ubuntu, with Linux 5.15.0-100-generic (recovery mode)"]);
    assert.is(created.status, 0, String(created.stderr));
    const r = runBuiltCli(["--root", dir, "--json=short", "grub", "default", "--grub-cfg", "/boot/grub/grub.cfg"]);
    assert.is(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(j.titlePath, ["Advanced options for Ubuntu", "Ubuntu, with Linux 5.15.0-100-generic (recovery mode)"]);
    assert.equal(j.indexPath, [1, 1]);
    assert.is(j.id, "gnulinux-5.15.0-100-generic-recovery-e8328184-226c-4e5e-9635-8142cc114051");
    assert.equal(j.env, { next_entry: "" });
    const text = runBuiltCli(["--root", dir, "grub", "default", "--grub-cfg", "/boot/grub/grub.cfg", "--grubenv", "/nonexistent"]);
    assert.is(text.status, 0, text.stderr);
    assert.match(text.stdout, /^title: Ubuntu\n/);
  });
});

test("grub render writes a checked script; the grub.d generator prints it", async () => {
  await withTempRoot((dir) => {
    const entries = path.join(dir, "boot/loader/entries");
    mkdirSync(entries, { recursive: true });
    writeFileSync(path.join(entries, "a.conf"), "title It's $HOME; {x}\nlinux /vmlinuz\ninitrd /initrd\noptions root=/dev/sda1 quiet\n");
    const r = runBuiltCli(["--root", dir, "--boot-path", "/boot", "grub", "render", "--output", "/boot/bls.cfg"]);
    assert.is(r.status, 0, r.stderr);
    const written = readFileSync(path.join(dir, "boot/bls.cfg"), "utf8");
    assert.match(written, /^menuentry --id='a' --class='bootctl-ts' -- 'It'\\''s \$HOME; \{x\}' \{$/m);
    assert.is(spawnSync("grub-script-check", [path.join(dir, "boot/bls.cfg")]).status, 0);
    const bin = path.join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "bootctl-ts"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
    const gen = spawnSync(path.join(REPO, "grub/20_bootctl-ts"), [], {
      encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, GRUB_BOOTCTL_TS_ARGS: `--root=${dir} --boot-path=/boot` },
    });
    assert.is(gen.status, 0, gen.stderr);
    assert.is(gen.stdout, written);
  });
});

test.run();
