/**
 * The built binary on path arguments under --root, GRUB-only and Fedora-style layouts, offline
 * set-timeout, links to partitions, `list`'s paths and `grub render`'s prefixes (issue 19,
 * items 4, 5, 9 and 14). The comparisons with the real bootctl are in
 * test/differential/bootctl-root.test.ts.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { runBuiltCli } from "../support/cli.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

function write(root: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

const GRUB_CFG = "set default=0\nmenuentry 'Debian GNU/Linux' --id debian {\n  linux /vmlinuz\n}\nmenuentry 'Rescue' --id rescue {\n  linux /vmlinuz single\n}\n";

/** One line on stderr, `bootctl-ts: …`. */
function oneLine(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => l !== "");
  assert.is(lines.length, 1, stderr);
  assert.match(lines[0]!, /^bootctl-ts: /);
  return lines[0]!;
}

test("item 4: grub check FILE and --grub-cfg are paths inside --root, relative ones too; a path typed with the root in front is named as typed, with the path meant", async () => {
  await withTempRoot((root) => {
    write(root, "boot/grub/grub.cfg", GRUB_CFG);
    for (const file of ["/boot/grub/grub.cfg", "boot/grub/grub.cfg"]) {
      const r = runBuiltCli(["--root", root, "grub", "check", file], { cwd: "/" });
      assert.is(r.status, 0, `${file}: ${r.stderr}`);
      const menu = runBuiltCli(["--root", root, "--json=short", "grub", "menu", "--grub-cfg", file], { cwd: "/" });
      assert.is(menu.status, 0, `${file}: ${menu.stderr}`);
    }
    const env = runBuiltCli(["--root", root, "grubenv", "boot/grub/grubenv", "create"], { cwd: "/" });
    assert.is(env.status, 0, env.stderr);
    assert.ok(existsSync(path.join(root, "boot/grub/grubenv")));
    const typed = path.join(root, "boot/grub/grub.cfg");
    for (const args of [["grub", "check", typed], ["grub", "menu", "--grub-cfg", typed], ["grub", "default", "--grub-cfg", typed]]) {
      const r = runBuiltCli(["--root", root, ...args]);
      assert.is(r.status, 1, r.stderr);
      assert.is(oneLine(r.stderr), `bootctl-ts: cannot read ${typed} under --root ${root}: no such file or directory (paths under --root are inside it: did you mean /boot/grub/grub.cfg?)`);
    }
    write(root, "boot/loader/entries/a.conf", "title A\nlinux /vmlinuz\n");
    const output = path.join(root, "boot/bls.cfg");
    const render = runBuiltCli(["--root", root, "grub", "render", "--output", output]);
    assert.is(render.status, 1);
    assert.is(oneLine(render.stderr), `bootctl-ts: cannot write ${output} under --root ${root}: no such file or directory (paths under --root are inside it: did you mean /boot/bls.cfg?)`);
    assert.is(runBuiltCli(["--root", root, "grub", "render", "--output", "boot/bls.cfg"], { cwd: "/" }).status, 0);
    assert.ok(existsSync(output));
    mkdirSync(path.join(root, "efi/loader/entries"), { recursive: true });
    const esp = runBuiltCli(["--root", root, "--esp-path", path.join(root, "efi"), "list"]);
    assert.is(esp.status, 1);
    assert.is(oneLine(esp.stderr), `bootctl-ts: --esp-path ${path.join(root, "efi")}: no such directory under --root ${root} (paths under --root are inside it: did you mean /efi?)`);
  });
});

test("item 4: add's KERNEL and INITRD are paths on this machine, as kernel-install's; the help says so, with an example under --root", async () => {
  const help = runBuiltCli(["add", "--help"]);
  assert.is(help.status, 0, help.stderr);
  assert.match(help.stdout, /KERNEL-IMAGE and INITRD are paths on this machine/);
  assert.match(help.stdout, /bootctl-ts --root \/mnt add \S+ \/mnt\/usr\/lib\/modules\//);
  const grubHelp = runBuiltCli(["grub", "--help"]);
  assert.match(grubHelp.stdout, /Every FILE is a path inside --root/);
  await withTempRoot((root) => {
    write(root, "etc/machine-id", "0123456789abcdef0123456789abcdef\n");
    write(root, "etc/os-release", 'ID=debian\nPRETTY_NAME="Debian GNU/Linux 12"\n');
    mkdirSync(path.join(root, "efi/loader/entries"), { recursive: true });
    write(root, "usr/lib/modules/6.1/vmlinuz", "kernel\n");
    const r = runBuiltCli(["--root", root, "add", "6.1", path.join(root, "usr/lib/modules/6.1/vmlinuz")]);
    assert.is(r.status, 0, r.stderr);
    assert.is(readFileSync(path.join(root, "efi/0123456789abcdef0123456789abcdef/6.1/linux"), "utf8"), "kernel\n");
  });
});

test("item 5: a GRUB-only BIOS layout (/boot/grub/grub.cfg, no ESP): status and list work, exit 0; grub menu and default find grub.cfg themselves", async () => {
  await withTempRoot((root) => {
    write(root, "boot/grub/grub.cfg", GRUB_CFG);
    const status = runBuiltCli(["--root", root, "status"]);
    assert.is(status.status, 0, status.stderr);
    assert.match(status.stdout, /^ +ESP: \(none\)$/m);
    assert.match(status.stdout, /^ +GRUB boots: Debian GNU\/Linux \[debian\] \(\/boot\/grub\/grub\.cfg\)$/m);
    const json = runBuiltCli(["--root", root, "--json=short", "status"]);
    assert.is(json.status, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { esp: unknown; grubDefault: { id: string } }).grubDefault.id, "debian");
    const list = runBuiltCli(["--root", root, "list"]);
    assert.is(list.status, 0, list.stderr);
    assert.match(list.stderr, /^No boot loader entries found\.$/m);
    const listJson = runBuiltCli(["--root", root, "--json=short", "list"]);
    assert.is(listJson.status, 0, listJson.stderr);
    assert.is(listJson.stdout.trim(), "[]");
    const menu = runBuiltCli(["--root", root, "grub", "menu"]);
    assert.is(menu.status, 0, menu.stderr);
    assert.match(menu.stdout, /^1 +Rescue {2}\[rescue\]$/m);
    const def = runBuiltCli(["--root", root, "--json=short", "grub", "default"]);
    assert.is(def.status, 0, def.stderr);
    assert.is((JSON.parse(def.stdout) as { id: string }).id, "debian");
  });
  // Nothing of a boot loader at all: list still says it found no partition.
  await withTempRoot((root) => {
    const list = runBuiltCli(["--root", root, "list"]);
    assert.is(list.status, 1);
    assert.match(oneLine(list.stderr), /couldn't find EFI system partition/);
  });
});

test("item 5: a Fedora-style image (/boot with loader/entries and grub2/, the ESP at /boot/efi) is XBOOTLDR, not ESP; grub menu finds /boot/grub2/grub.cfg", async () => {
  await withTempRoot((root) => {
    write(root, "boot/loader/entries/fedora-6.12.conf", "title Fedora Linux\nversion 6.12\nlinux /vmlinuz-6.12\n");
    write(root, "boot/grub2/grub.cfg", GRUB_CFG);
    mkdirSync(path.join(root, "boot/efi/EFI/fedora"), { recursive: true });
    const status = runBuiltCli(["--root", root, "--json=short", "status"]);
    assert.is(status.status, 0, status.stderr);
    const j = JSON.parse(status.stdout) as { esp: string | null; xbootldr: string | null; entries: number };
    assert.equal([j.esp, j.xbootldr, j.entries], [path.join(root, "boot/efi"), path.join(root, "boot"), 1]);
    const list = runBuiltCli(["--root", root, "list"]);
    assert.match(list.stdout, /source: .*\/boot\/loader\/entries\/fedora-6\.12\.conf \(on the Extended Boot Loader Partition\)/);
    const menu = runBuiltCli(["--root", root, "grub", "menu"]);
    assert.is(menu.status, 0, menu.stderr);
    assert.match(menu.stdout, /Debian GNU\/Linux/);
  });
  // A BIOS Fedora: no ESP anywhere; /boot beside grub2/ is still $BOOT, not an ESP.
  await withTempRoot((root) => {
    write(root, "boot/loader/entries/fedora-6.12.conf", "title Fedora Linux\nversion 6.12\nlinux /vmlinuz-6.12\n");
    write(root, "boot/grub2/grub.cfg", GRUB_CFG);
    const status = runBuiltCli(["--root", root, "status"]);
    assert.is(status.status, 0, status.stderr);
    assert.match(status.stdout, /^ +ESP: \(none\)$/m);
    assert.match(status.stdout, new RegExp(`^ +XBOOTLDR: ${path.join(root, "boot").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
  });
});

test("item 5: status on a machine not booted with EFI (no variables directory) says so as bootctl does and goes on, exit 0", async () => {
  await withTempRoot((root) => {
    mkdirSync(path.join(root, "efi/loader/entries"), { recursive: true });
    const r = runBuiltCli(["--root", root, "--efivars-path", path.join(root, "no-efivars"), "status"]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /^System:\nNot booted with EFI\n\nBoot Loader Entries:\n/);
    const j = runBuiltCli(["--root", root, "--efivars-path", path.join(root, "no-efivars"), "--json=short", "status"]);
    assert.is((JSON.parse(j.stdout) as { bootedWithEfi: boolean }).bootedWithEfi, false);
  });
});

test("item 9: set-timeout on an image writes loader.conf's timeout (seconds, keywords, '' removes); set-timeout-oneshot is refused; bad values change nothing", async () => {
  await withTempRoot((root) => {
    write(root, "efi/loader/loader.conf", "#timeout 3\n#console-mode keep\ndefault a.conf\n");
    mkdirSync(path.join(root, "efi/loader/entries"), { recursive: true });
    mkdirSync(path.join(root, "efi/EFI/systemd"), { recursive: true });
    writeFileSync(path.join(root, "efi/EFI/systemd/systemd-bootx64.efi"), "");
    const conf = () => readFileSync(path.join(root, "efi/loader/loader.conf"), "utf8");
    for (const [value, line] of [["5", "timeout 5"], ["12s", "timeout 12"], ["menu-force", "timeout menu-force"], ["menu-hidden", "timeout menu-hidden"]] as const) {
      const r = runBuiltCli(["--root", root, "set-timeout", value]);
      assert.is(r.status, 0, r.stderr);
      assert.is(conf(), `#timeout 3\n#console-mode keep\ndefault a.conf\n${line}\n`, value);
    }
    const before = conf();
    const bad = runBuiltCli(["--root", root, "set-timeout", "abc"]);
    assert.is(bad.status, 2);
    oneLine(bad.stderr);
    const once = runBuiltCli(["--root", root, "set-timeout-oneshot", "5"]);
    assert.is(once.status, 1);
    assert.match(oneLine(once.stderr), /one-shot timeout/);
    assert.is(conf(), before);
    const removed = runBuiltCli(["--root", root, "set-timeout", ""]);
    assert.is(removed.status, 0, removed.stderr);
    assert.is(conf(), "#timeout 3\n#console-mode keep\ndefault a.conf\n");
  });
});

test("item 9: a partition reached through a link inside the root (/boot/efi -> ../efi) is followed; one out of the root is refused; list prints whole paths without '//'", async () => {
  await withTempRoot((root) => {
    write(root, "efi/loader/entries/a.conf", "title A\nlinux /vmlinuz\ninitrd /initrd.img\n");
    writeFileSync(path.join(root, "efi/vmlinuz"), "");
    mkdirSync(path.join(root, "boot"));
    symlinkSync("../efi", path.join(root, "boot/efi"));
    const r = runBuiltCli(["--root", root, "--esp-path", "/boot/efi", "list"]);
    assert.is(r.status, 0, r.stderr);
    const esp = path.join(root, "efi");
    assert.match(r.stdout, new RegExp(`^ +source: ${esp}/loader/entries/a\\.conf \\(on the EFI System Partition\\)$`, "m"));
    assert.match(r.stdout, new RegExp(`^ +linux: ${esp}/vmlinuz$`, "m"));
    assert.match(r.stdout, new RegExp(`^ +initrd: ${esp}/initrd\\.img \\(No such file or directory\\)$`, "m"));
    assert.not.match(r.stdout, /\/\//);
    const status = runBuiltCli(["--root", root, "--esp-path", "/boot/efi", "--json=short", "status"]);
    assert.is((JSON.parse(status.stdout) as { esp: string }).esp, esp);
    symlinkSync("../../..", path.join(root, "boot/up"));
    const out = runBuiltCli(["--root", root, "--esp-path", "/boot/up", "list"]);
    assert.is(out.status, 1);
    assert.match(oneLine(out.stderr), /refusing to follow symbolic link: .*\/boot\/up -> \.\.\/\.\.\/\.\. \(it leads out of the root\)/);
  });
});

test("item 14: grub render takes a path prefix per partition (--boot-prefix /boot for a /boot on the root file system); grub-script-check accepts the result", async () => {
  requireTool("grub-script-check", "grub-common");
  await withTempRoot((root) => {
    write(root, "boot/loader/entries/a.conf", "title A\nlinux /vmlinuz\ninitrd /initrd.img\n");
    write(root, "boot/grub/grub.cfg", GRUB_CFG);
    const r = runBuiltCli(["--root", root, "--boot-path", "/boot", "grub", "render", "--boot-prefix", "/boot/", "--output", "/boot/bls.cfg"]);
    assert.is(r.status, 0, r.stderr);
    const text = readFileSync(path.join(root, "boot/bls.cfg"), "utf8");
    assert.match(text, /^\tlinux '\/boot\/vmlinuz'$/m);
    assert.match(text, /^\tinitrd '\/boot\/initrd\.img'$/m);
    assert.is(spawnSync("grub-script-check", [path.join(root, "boot/bls.cfg")]).status, 0);
    // The ESP's prefix applies to entries on the ESP only.
    const esp = runBuiltCli(["--root", root, "--boot-path", "/boot", "grub", "render", "--esp-prefix", "/efi"]);
    assert.match(esp.stdout, /^\tlinux '\/vmlinuz'$/m);
    const bad = runBuiltCli(["--root", root, "--boot-path", "/boot", "grub", "render", "--boot-prefix", "boot"]);
    assert.is(bad.status, 2);
    assert.match(oneLine(bad.stderr), /--boot-prefix: expected an absolute directory/);
    assert.ok(!existsSync(path.join(root, "boot/bls.cfg.tmp")));
  });
});

test.run();
