/**
 * `set-default` / `set-oneshot` check the id against the menu through the built binary: refused
 * with one line (exit 1, nothing written) when it matches no entry, `--force` writes it anyway,
 * '' still removes; `status` flags a default or one-shot that matches nothing.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { runBuiltCli } from "../support/cli.ts";
import { requireTool } from "../support/exec.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { withTempRoot } from "../support/tmp.ts";
import { UPSTREAM_00_HEADER_ENV } from "../support/grub-header.ts";
import { grubCountingScript } from "../../src/ops/grub-counting-script.ts";

function entries(root: string): void {
  mkdirSync(path.join(root, "efi/loader/entries"), { recursive: true });
  writeFileSync(path.join(root, "efi/loader/entries/opensuse-6.12+2.conf"), "title Tumbleweed 6.12\nversion 6.12\nlinux /k\n");
  writeFileSync(path.join(root, "efi/loader/entries/opensuse-6.11.conf"), "title Tumbleweed 6.11\nversion 6.11\nlinux /k\n");
}

test("systemd-boot image (loader.conf): set-default nope is refused, globs and ids as systemd-boot matches them pass, --force writes", async () => {
  await withTempRoot(async (root) => {
    entries(root);
    const conf = path.join(root, "efi/loader/loader.conf");
    const r = runBuiltCli(["--root", root, "--esp-path", "/efi", "set-default", "--loader", "systemd-boot", "nope"]);
    assert.is(r.status, 1, r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1);
    assert.match(r.stderr.trim(), /^bootctl-ts: no boot entry matches 'nope' \(systemd-boot entries in .*\); nothing written; --force writes it anyway$/);
    assert.not.ok(existsSync(conf));
    for (const id of ["opensuse-6.12.conf", "OPENSUSE-6.11.CONF", "opensuse-*"]) {
      const ok = runBuiltCli(["--root", root, "--esp-path", "/efi", "set-default", "--loader", "systemd-boot", id]);
      assert.is(ok.status, 0, `${id}: ${ok.stderr}`);
      assert.is(readFileSync(conf, "utf8"), `default ${id}\n`);
    }
    assert.is(runBuiltCli(["--root", root, "--esp-path", "/efi", "set-default", "--loader", "systemd-boot", "--force", "nope"]).status, 0);
    assert.is(readFileSync(conf, "utf8"), "default nope\n");
    const status = runBuiltCli(["--root", root, "--esp-path", "/efi", "status"]);
    assert.match(status.stdout, /Matches nothing: loader\.conf default 'nope' matches no boot entry/);
    const json = JSON.parse(runBuiltCli(["--root", root, "--esp-path", "/efi", "--json=short", "status"]).stdout);
    assert.equal(json.unmatchedSelections, ["loader.conf default 'nope' matches no boot entry: the loader boots another one"]);
    assert.is(runBuiltCli(["--root", root, "--esp-path", "/efi", "set-default", "--loader", "systemd-boot", ""]).status, 0);
    assert.is(readFileSync(conf, "utf8"), "");
  });
});

test("systemd-boot with EFI variables: set-oneshot checks against the entries and LoaderEntries", async () => {
  await withTempRoot(async (root) => {
    entries(root);
    const vars = path.join(root, "efivars");
    mkdirSync(vars);
    writeLoaderString(vars, "LoaderInfo", "systemd-boot 252");
    const base = ["--root", root, "--esp-path", "/efi", "--efivars-path", vars];
    const bad = runBuiltCli([...base, "set-oneshot", "opensuse-6.13.conf"]);
    assert.is(bad.status, 1);
    assert.match(bad.stderr, /^bootctl-ts: no boot entry matches 'opensuse-6\.13\.conf'/);
    assert.not.ok(existsSync(path.join(vars, "LoaderEntryOneShot-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f")));
    assert.is(runBuiltCli([...base, "set-oneshot", "opensuse-6.12.conf"]).status, 0);
    assert.ok(existsSync(path.join(vars, "LoaderEntryOneShot-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f")));
    assert.is(runBuiltCli([...base, "set-oneshot", ""]).status, 0);
    assert.not.ok(existsSync(path.join(vars, "LoaderEntryOneShot-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f")));
  });
});

test("GRUB with grub.cfg: set-oneshot fedora-typo is refused (GRUB would boot entry 0, the trial); ids, titles and numbers as GRUB resolves them pass", async () => {
  requireTool("grub-editenv", "grub-common");
  await withTempRoot(async (root) => {
    entries(root);
    mkdirSync(path.join(root, "boot/grub"), { recursive: true });
    const env = path.join(root, "boot/grub/grubenv");
    spawnSync("grub-editenv", [env, "create"]);
    const rendered = runBuiltCli(["--root", root, "--esp-path", "/efi", "grub", "render"]);
    assert.is(rendered.status, 0, rendered.stderr);
    writeFileSync(path.join(root, "boot/grub/grub.cfg"), `${UPSTREAM_00_HEADER_ENV}${grubCountingScript()}${rendered.stdout}`);
    const list = () => spawnSync("grub-editenv", [env, "list"], { encoding: "utf8" }).stdout;
    for (const [verb, value] of [["set-oneshot", "fedora-typo"], ["set-default", "nope"], ["set-oneshot", "2"]] as const) {
      const r = runBuiltCli(["--root", root, "--esp-path", "/efi", verb, "--loader", "grub", value]);
      assert.is(r.status, 1, `${verb} ${value}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n"), [`bootctl-ts: no menu entry of /boot/grub/grub.cfg matches '${value}': GRUB would boot entry 0 instead; nothing written; --force writes it anyway`]);
    }
    assert.is(list(), "");
    for (const [value, written] of [["opensuse-6.11.conf", "opensuse-6.11"], ["opensuse-6.11", "opensuse-6.11"], ["Tumbleweed 6.11", "Tumbleweed 6.11"], ["1", "1"]]) {
      const r = runBuiltCli(["--root", root, "--esp-path", "/efi", "set-oneshot", "--loader", "grub", value!]);
      assert.is(r.status, 0, `${value}: ${r.stderr}`);
      assert.is(list(), `next_entry=${written}\n`);
    }
    assert.is(runBuiltCli(["--root", root, "--esp-path", "/efi", "set-oneshot", "--loader", "grub", "--force", "fedora-typo"]).status, 0);
    assert.is(list(), "next_entry=fedora-typo\n");
    const json = JSON.parse(runBuiltCli(["--root", root, "--esp-path", "/efi", "--json=short", "status"]).stdout);
    assert.equal(json.unmatchedSelections, ["next_entry 'fedora-typo' matches no menu entry of /boot/grub/grub.cfg: GRUB boots entry 0 instead"]);
    assert.is(runBuiltCli(["--root", root, "--esp-path", "/efi", "set-oneshot", "--loader", "grub", ""]).status, 0);
    assert.is(list(), "");
  });
});

test.run();
