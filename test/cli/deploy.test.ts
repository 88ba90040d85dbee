/** `add`, `remove`, `health` and `install-units` through the built binary. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { CLI, runBuiltCli } from "../support/cli.ts";
import { requireTool } from "../support/exec.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { withTempRoot } from "../support/tmp.ts";
import { writeImageTree } from "../support/image-tree.ts";

function image(root: string): void {
  writeImageTree(root, { id: "opensuse-tumbleweed", prettyName: "openSUSE Tumbleweed" });
}

test("add --dry-run prints the plan and changes nothing; add then remove", async () => {
  await withTempRoot(async (root) => {
    image(root);
    const base = ["--root", root, "--esp-path", "/efi"];
    const dry = runBuiltCli([...base, "--dry-run", "add", "--tries", "3", "--options", "root=/dev/vda2", "6.12.1-1-default", path.join(root, "vmlinuz")]);
    assert.is(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^would write .*loader\/entries\/opensuse-tumbleweed-6\.12\.1-1-default\+3\.conf/m);
    assert.equal(readdirSync(path.join(root, "efi/loader/entries")), []);
    const json = JSON.parse(runBuiltCli([...base, "--json=short", "add", "--tries", "3", "--options", "root=/dev/vda2", "6.12.1-1-default", path.join(root, "vmlinuz")]).stdout);
    assert.is(json.entry, "opensuse-tumbleweed-6.12.1-1-default+3.conf");
    assert.is(json.dryRun, false);
    assert.equal(readdirSync(path.join(root, "efi/loader/entries")), ["opensuse-tumbleweed-6.12.1-1-default+3.conf"]);
    const removed = runBuiltCli([...base, "remove", "6.12.1-1-default"]);
    assert.is(removed.status, 0, removed.stderr);
    assert.equal(readdirSync(path.join(root, "efi/loader/entries")), []);
  });
});

test("add --make-default on an image writes loader.conf; --oneshot needs EFI variables", async () => {
  await withTempRoot(async (root) => {
    image(root);
    const base = ["--root", root, "--esp-path", "/efi"];
    const r = runBuiltCli([...base, "add", "--make-default", "6.12", path.join(root, "vmlinuz")]);
    assert.is(r.status, 0, r.stderr);
    assert.match(readFileSync(path.join(root, "efi/loader/loader.conf"), "utf8"), /^default opensuse-tumbleweed-6\.12\.conf$/m);
    const oneshot = runBuiltCli([...base, "add", "--oneshot", "6.13", path.join(root, "vmlinuz")]);
    assert.is(oneshot.status, 1);
    assert.match(oneshot.stderr, /^bootctl-ts: a one-shot entry on systemd-boot is an EFI variable/);
    mkdirSync(path.join(root, "efivars"));
    writeLoaderString(path.join(root, "efivars"), "LoaderInfo", "systemd-boot 252");
    const withVars = runBuiltCli([...base, "--efivars-path", path.join(root, "efivars"), "--json=short", "add", "--oneshot", "6.14", path.join(root, "vmlinuz")]);
    assert.is(withVars.status, 0, withVars.stderr);
    assert.equal(JSON.parse(withVars.stdout).selection, ['set LoaderEntryOneShot="opensuse-tumbleweed-6.14.conf"']);
  });
});

test("add with bad input: one line, exit status, nothing written", async () => {
  await withTempRoot(async (root) => {
    image(root);
    const base = ["--root", root, "--esp-path", "/efi"];
    const cases: [string[], number, RegExp][] = [
      [[...base, "add", "--tries", "x", "6.1", path.join(root, "vmlinuz")], 2, /--tries: expected a non-negative integer/],
      [[...base, "add", "6.1", path.join(root, "missing")], 1, /cannot read .*missing/],
      [[...base, "add", "6.1"], 2, /^bootctl-ts: add: missing argument <kernel-image>/],
      [["--root", root, "--esp-path", "/nope", "add", "6.1", path.join(root, "vmlinuz")], 1, /^bootctl-ts: /],
    ];
    for (const [args, status, message] of cases) {
      const r = runBuiltCli(args);
      assert.is(r.status, status, args.join(" "));
      assert.match(r.stderr, message, args.join(" "));
      assert.is(r.stderr.trim().split("\n").length, 1, "one line");
    }
    assert.equal(readdirSync(path.join(root, "efi/loader/entries")), []);
  });
});

test("add --tries warns when no entry is known to boot, in text and JSON; predict calls no such fallback 'boots fine' (GRUB)", async () => {
  await withTempRoot(async (root) => {
    image(root);
    mkdirSync(path.join(root, "boot/grub"), { recursive: true });
    writeFileSync(path.join(root, "efi/loader/entries/opensuse-tumbleweed-6.12.conf"), "title T\nversion 6.12\nlinux /k\n");
    // 6.12 was the trial and ran out of tries; nothing else is installed.
    const env = path.join(root, "boot/grub/grubenv");
    spawnSync("grub-editenv", [env, "create"]);
    spawnSync("grub-editenv", [env, "set", "bootctl_trial=opensuse-tumbleweed-6.12", "bootctl_tries=0", "bootctl_fallback=0"]);
    const base = ["--root", root, "--esp-path", "/efi"];
    const args = ["add", "--loader", "grub", "--tries", "3", "6.13", path.join(root, "vmlinuz")];
    const dry = JSON.parse(runBuiltCli([...base, "--dry-run", "--json=short", ...args]).stdout);
    assert.ok(dry.notes.some((n: string) => /^GRUB: warning: no entry is known to boot if opensuse-tumbleweed-6\.13 never does: the fallback is opensuse-tumbleweed-6\.12, the trial, out of tries/.test(n)), dry.notes.join("; "));
    const r = runBuiltCli([...base, ...args]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /^bootctl-ts: GRUB: warning: no entry is known to boot/m);
    const predicted = runBuiltCli([...base, "predict", "--loader", "grub"]);
    assert.is(predicted.status, 0, predicted.stderr);
    assert.match(predicted.stdout, /^attempt 4: opensuse-tumbleweed-6\.12 \(fallback\) .*boots as assumed, not known to boot \(an earlier trial that ended without being marked good \(bootctl_bad\)\)$/m);
    assert.not.match(predicted.stdout, /boots fine|boots successfully/);
    assert.match(predicted.stdout, /which is not known to boot/);
  });
});

test("add --tries warns when no entry is known to boot; predict says the fallback is an untried trial (systemd-boot)", async () => {
  await withTempRoot(async (root) => {
    image(root);
    writeFileSync(path.join(root, "efi/loader/entries/opensuse-tumbleweed-6.12+2.conf"), "title T 6.12\nversion 6.12\nlinux /k\n");
    const base = ["--root", root, "--esp-path", "/efi"];
    const r = runBuiltCli([...base, "add", "--loader", "systemd-boot", "--tries", "3", "6.13", path.join(root, "vmlinuz")]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /^bootctl-ts: warning: no entry is known to boot if opensuse-tumbleweed-6\.13\.conf never does: the fallback is opensuse-tumbleweed-6\.12\.conf, an untried trial \(\+2\)$/m);
    const predicted = runBuiltCli([...base, "predict", "--loader", "systemd-boot", "--fail", "3"]);
    assert.is(predicted.status, 0, predicted.stderr);
    assert.match(predicted.stdout, /^attempt 4: T 6\.12 \(fallback\) .*boots as assumed, not known to boot \(an untried trial \(\+2\)\)$/m);
    assert.not.match(predicted.stdout, /boots fine|boots successfully/);
    const json = JSON.parse(runBuiltCli([...base, "--json=short", "predict", "--loader", "systemd-boot"]).stdout);
    assert.match(json.summary, /falls back to T 6\.12, which is not known to boot: an untried trial \(\+2\)/);
  });
});

test("add --root IMAGE on a host booted by systemd-boot: a GRUB image's tries go to its grubenv, not into the file name", async () => {
  requireTool("unshare", "util-linux");
  await withTempRoot(async (root) => {
    const img = path.join(root, "image");
    image(img);
    mkdirSync(path.join(img, "boot/grub"), { recursive: true });
    writeFileSync(path.join(img, "efi/loader/entries/opensuse-tumbleweed-6.11.conf"), "title T\nversion 6.11\nlinux /k\n");
    spawnSync("grub-editenv", [path.join(img, "boot/grub/grubenv"), "create"]);
    // The host's own EFI variables, at the default path, say systemd-boot booted it: a private
    // mount namespace puts them at /sys/firmware/efi/efivars for this one command.
    const vars = path.join(root, "host-efivars");
    mkdirSync(vars);
    writeLoaderString(vars, "LoaderInfo", "systemd-boot 252.39-1~deb12u1");
    const args = ["--root", img, "--esp-path", "/efi", "--json=short", "add", "--tries", "3", "6.12", path.join(img, "vmlinuz")];
    const script = [
      "set -e", "mount -t tmpfs bootctl-ts-test /sys/firmware", "mkdir -p /sys/firmware/efi/efivars",
      `cp ${vars}/* /sys/firmware/efi/efivars/`, 'exec "$@"',
    ].join("\n");
    const { FORCE_COLOR: _forced, ...env } = process.env;
    const r = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", script, "sh", process.execPath, CLI, ...args], { encoding: "utf8", env: { ...env, NO_COLOR: "1" } });
    assert.is(r.status, 0, `needs root for a mount namespace: ${r.stderr}`);
    const plan = JSON.parse(r.stdout);
    assert.equal([plan.loader, plan.entry], ["grub", "opensuse-tumbleweed-6.12.conf"]);
    assert.equal(readdirSync(path.join(img, "efi/loader/entries")).sort(), ["opensuse-tumbleweed-6.11.conf", "opensuse-tumbleweed-6.12.conf"]);
    const listed = spawnSync("grub-editenv", [path.join(img, "boot/grub/grubenv"), "list"], { encoding: "utf8" }).stdout;
    assert.match(listed, /^bootctl_trial=opensuse-tumbleweed-6\.12$/m);
    assert.match(listed, /^bootctl_tries=3$/m);
    // The same command with the image's variables given explicitly: they do decide.
    const explicit = runBuiltCli(["--efivars-path", vars, "--dry-run", "--root", img, "--esp-path", "/efi", "--json=short", "add", "--tries", "3", "6.13", path.join(img, "vmlinuz")]);
    assert.is(explicit.status, 0, explicit.stderr);
    assert.is(JSON.parse(explicit.stdout).entry, "opensuse-tumbleweed-6.13+3.conf");
  });
});

test("health: exit 1 on a required failure, JSON report", async () => {
  await withTempRoot(async (root) => {
    const dir = path.join(root, "etc/bootctl-ts/checks/required.d");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "50-fail"), "#!/bin/sh\necho disk full\nexit 4\n");
    chmodSync(path.join(dir, "50-fail"), 0o755);
    const r = runBuiltCli(["--root", root, "health"]);
    assert.is(r.status, 1);
    assert.match(r.stdout, /required check 50-fail failed with exit status 4: disk full/);
    const json = JSON.parse(runBuiltCli(["--root", root, "--json=short", "health"]).stdout);
    assert.is(json.verdict, "red");
  });
});

function fakeNode(root: string): void {
  mkdirSync(path.join(root, "usr/bin"), { recursive: true });
  writeFileSync(path.join(root, "usr/bin/node"), "#!/bin/sh\n");
  chmodSync(path.join(root, "usr/bin/node"), 0o755);
}

test("install-units --root installs under the root only", async () => {
  await withTempRoot(async (root) => {
    fakeNode(root);
    const r = runBuiltCli(["--root", root, "install-units"]);
    assert.is(r.status, 0, r.stderr);
    assert.equal(readdirSync(path.join(root, "etc/systemd/system")).sort(),
      ["boot-complete.target.requires", "bootctl-ts-bless.service", "bootctl-ts-boot-failure.service", "bootctl-ts-health.service", "multi-user.target.wants", "systemd-bless-boot.service.d"]);
    assert.ok(existsSync(path.join(root, "etc/kernel/install.d/90-loaderentry.install")));
    assert.ok(existsSync(path.join(root, "usr/lib/bootctl-ts/cli.cjs")));
    assert.ok(existsSync(path.join(root, "usr/local/bin/bootctl-ts")));
    // The installed CLI runs without dist/, and can install again from there.
    const again = path.join(root, "again");
    mkdirSync(again);
    fakeNode(again);
    const r2 = spawnSync(process.execPath, [path.join(root, "usr/lib/bootctl-ts/cli.cjs"), "--root", again, "install-units", "--vendor"], { encoding: "utf8" });
    assert.is(r2.status, 0, r2.stderr);
    for (const file of ["cli.cjs", "cli-main.cjs", "cli-main.cache", "service.cjs"]) {
      assert.equal(readFileSync(path.join(again, "usr/lib/bootctl-ts", file)), readFileSync(path.join(root, "usr/lib/bootctl-ts", file)), file);
    }
    assert.ok(existsSync(path.join(again, "usr/lib/systemd/system/bootctl-ts-bless.service")));
    assert.match(runBuiltCli(["--root", root, "install-units"]).stdout, /^unchanged \/etc\/systemd\/system\/bootctl-ts-bless\.service$/m);
  });
});

test("install-units: no Node in the root, or a bad option, is one line and nothing written", async () => {
  await withTempRoot(async (root) => {
    const noNode = runBuiltCli(["--root", root, "install-units"]);
    assert.is(noNode.status, 1);
    assert.match(noNode.stderr, /^bootctl-ts: cannot install units: \/usr\/bin\/node does not exist in .*--node PATH\n$/);
    const badMode = runBuiltCli(["--root", root, "install-units", "--mode=distro"]);
    assert.is(badMode.status, 2);
    assert.match(badMode.stderr, /^bootctl-ts: --mode: expected admin or vendor, got 'distro'\n$/);
    const relative = runBuiltCli(["--root", root, "install-units", "--node", "node"]);
    assert.is(relative.status, 2);
    assert.equal(readdirSync(root), []);
  });
});

test("status after a fallback: the exhausted entry and the bootloop guard's reason", async () => {
  const { handleBootFailure } = await import("../../src/actions/boot-failure.ts");
  await withTempRoot(async (root) => {
    const entries = path.join(root, "efi/loader/entries");
    mkdirSync(entries, { recursive: true });
    mkdirSync(path.join(root, "efivars"));
    writeFileSync(path.join(entries, "os-6.12+0-3.conf"), "title OS\nversion 6.12\nlinux /k\n");
    writeFileSync(path.join(entries, "os-6.11.conf"), "title OS\nversion 6.11\nlinux /k\n");
    // The fallback (uncounted) entry fails its health checks too: no reboot.
    const outcome = await handleBootFailure({ root, partitions: ["/efi"], efivarsPath: path.join(root, "efivars"), cmdline: "", reboot: () => {} });
    assert.is(outcome.guard, true);
    const r = runBuiltCli(["--root", root, "--esp-path", "/efi", "--efivars-path", path.join(root, "efivars"), "--json=short", "status"]);
    assert.is(r.status, 0, r.stderr);
    const status = JSON.parse(r.stdout);
    assert.equal(status.badEntries, ["os-6.12.conf"]);
    assert.match(status.bootFailure.reason, /bootloop guard/);
    const text = runBuiltCli(["--root", root, "--esp-path", "/efi", "--efivars-path", path.join(root, "efivars"), "status"]).stdout;
    assert.match(text, /Fallen back from: os-6\.12\.conf/);
    assert.match(text, /Last failure: .*bootloop guard/);
  });
});

test.run();
