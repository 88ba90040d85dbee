/**
 * Every file read whole has a size cap and a clear error, through the built binary: a 300 MB
 * grub.cfg (sparse: no disk used) fails on its size with one line, and so do an oversized
 * grubenv, EFI variable, loader.conf and os-release; nothing is written.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, readdirSync, truncateSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { CLI, runBuiltCli } from "../support/cli.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";
import { writeLoaderString } from "../support/efivars.ts";

function sparse(file: string, bytes: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, "");
  truncateSync(file, bytes);
}

function oneLine(r: { stderr: string }, pattern: RegExp): void {
  const lines = r.stderr.trim().split("\n");
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0]!, pattern);
}

const MiB = 1024 * 1024;

test("a 300 MB grub.cfg: grub check, grub menu, predict and set-default fail with 'too large', one line, exit 1", async () => {
  await withTempRoot(async (root) => {
    sparse(path.join(root, "boot/grub/grub.cfg"), 300 * MiB);
    writeFileSync(path.join(root, "boot/grub/grubenv"), `# GRUB Environment Block\n${"#".repeat(1024 - 25)}`);
    const runs = [
      ["--root", root, "grub", "check", "/boot/grub/grub.cfg"],
      ["--root", root, "grub", "menu", "--grub-cfg", "/boot/grub/grub.cfg"],
      ["--root", root, "predict", "--loader", "grub"],
    ];
    for (const args of runs) {
      const r = runBuiltCli(args);
      assert.is(r.status, 1, `${args.join(" ")}: ${r.stderr}`);
      oneLine(r, /^bootctl-ts: \/boot\/grub\/grub\.cfg is too large for a GRUB script: 300 MiB \(the limit is 32 MiB\)$/);
    }
  });
});

test("an oversized grubenv, EFI variable, loader.conf and os-release: one 'too large' line each, nothing written", async () => {
  await withTempRoot(async (root) => {
    sparse(path.join(root, "grubenv"), 2 * MiB);
    oneLine(runBuiltCli(["grubenv", path.join(root, "grubenv"), "set", "a=b"]), /grubenv is too large for a grubenv: 2 MiB \(the limit is 1 MiB\)$/);

    const vars = path.join(root, "efivars");
    mkdirSync(vars);
    writeLoaderString(vars, "LoaderInfo", "systemd-boot 252");
    sparse(path.join(vars, "Boot0001-8be4df61-93ca-11d2-aa0d-00e098032b8c"), 2 * MiB);
    const efi = runBuiltCli(["--efivars-path", vars, "efi", "list"]);
    assert.is(efi.status, 1, efi.stderr);
    oneLine(efi, /Boot0001-8be4df61-93ca-11d2-aa0d-00e098032b8c is too large for an EFI variable: 2 MiB \(the limit is 1 MiB\)$/);

    mkdirSync(path.join(root, "img/efi/loader/entries"), { recursive: true });
    writeFileSync(path.join(root, "img/efi/loader/entries/a.conf"), "title A\nlinux /k\n");
    sparse(path.join(root, "img/efi/loader/loader.conf"), 2 * MiB);
    const conf = runBuiltCli(["--root", path.join(root, "img"), "--esp-path", "/efi", "set-default", "--loader", "systemd-boot", "a.conf"]);
    assert.is(conf.status, 1, conf.stderr);
    oneLine(conf, /loader\.conf is too large for a loader\.conf: 2 MiB \(the limit is 1 MiB\)$/);

    sparse(path.join(root, "img/etc/os-release"), 2 * MiB);
    writeFileSync(path.join(root, "img/vmlinuz"), "k\n");
    const add = runBuiltCli(["--root", path.join(root, "img"), "--esp-path", "/efi", "add", "--loader", "systemd-boot", "6.1", path.join(root, "img/vmlinuz")]);
    assert.is(add.status, 1, add.stderr);
    oneLine(add, /^bootctl-ts: \/etc\/os-release is too large for a configuration file: 2 MiB \(the limit is 1 MiB\)$/);
    assert.equal(readdirSync(path.join(root, "img/efi/loader/entries")), ["a.conf"]);
  });
});

test("add --dry-run of a unified kernel image reads it by its headers: a 300 MB image (sparse tail) is not read whole", async () => {
  requireTool("time", "time");
  const { buildUki } = await import("../support/pe-builder.ts");
  await withTempRoot(async (root) => {
    mkdirSync(path.join(root, "efi/loader/entries"), { recursive: true });
    const uki = path.join(root, "os.efi");
    writeFileSync(uki, buildUki({ osrel: "ID=fedora\nVERSION_ID=41\n", cmdline: "quiet", uname: "6.12" }));
    truncateSync(uki, 300 * MiB); // trailing data after the last section, as a signature would be
    const r = spawnSync("/usr/bin/time", ["-f", "maxrss-kib=%M", process.execPath, CLI, "--root", root, "--esp-path", "/efi", "--dry-run", "add", "--loader", "systemd-boot", "--entry-token", "fedora", "6.12", uki], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /^would copy .*EFI\/Linux\/fedora-6\.12\.efi$/m);
    const rss = Number(/maxrss-kib=(\d+)/.exec(r.stderr)?.[1]);
    assert.ok(rss > 0 && rss < 200 * 1024, `peak memory ${rss} KiB: the image was read whole`);
  });
});

test.run();
