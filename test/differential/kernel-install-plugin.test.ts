/**
 * The real `kernel-install add|remove` (systemd 252) driving our plugin in place of
 * 90-loaderentry.install: the entry, the kernel files and the tries come out as bootctl-ts writes
 * them, and `bootctl list` (the real one) reads the result.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { kernelInstallPlugin } from "../../src/install/kernel-install-plugin.ts";
import { cliLauncher } from "../../src/install/launcher.ts";
import { CLI } from "../support/cli.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

test("kernel-install add/remove through the plugin", async () => {
  requireTool("kernel-install", "systemd");
  requireTool("bootctl", "systemd-boot");
  if (process.getuid?.() !== 0) throw new Error("this test needs root (mounts); run npm test as root");
  await withTempRoot(async (work) => {
    const boot = path.join(work, "boot");
    const conf = path.join(work, "conf");
    mkdirSync(boot);
    mkdirSync(conf);
    const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "size=16m", "bootctl-ts-test", boot], { encoding: "utf8" });
    assert.is(mount.status, 0, mount.stderr);
    try {
      writeFileSync(path.join(conf, "install.conf"), "layout=bls\n");
      writeFileSync(path.join(conf, "tries"), "3\n");
      writeFileSync(path.join(conf, "cmdline"), "root=/dev/vda2 ro\n");
      writeFileSync(path.join(conf, "entry-token"), "demo\n");
      const plugin = path.join(work, "90-loaderentry.install");
      // BOOTCTL_TS is one executable (never word-split): the launcher install-units puts on
      // PATH, here in a directory whose name has a space.
      const launcher = path.join(work, "bin dir", "bootctl-ts");
      mkdirSync(path.dirname(launcher));
      writeFileSync(launcher, cliLauncher({ node: process.execPath, cli: CLI }));
      chmodSync(launcher, 0o755);
      writeFileSync(plugin, kernelInstallPlugin({ cli: launcher }));
      chmodSync(plugin, 0o755);
      const kernel = path.join(work, "vmlinuz");
      const initrd = path.join(work, "initrd.img");
      writeFileSync(kernel, "kernel\n");
      writeFileSync(initrd, "initrd\n");
      const env = { ...process.env, KERNEL_INSTALL_CONF_ROOT: conf, BOOT_ROOT: boot, MACHINE_ID: "0123456789abcdef0123456789abcdef", KERNEL_INSTALL_PLUGINS: plugin, NO_COLOR: "1" };
      const add = spawnSync("kernel-install", ["add", "6.1.0-99-amd64", kernel, initrd], { encoding: "utf8", env });
      assert.is(add.status, 0, add.stderr);
      assert.equal(readdirSync(path.join(boot, "loader/entries")), ["demo-6.1.0-99-amd64+3.conf"]);
      assert.match(readFileSync(path.join(boot, "loader/entries/demo-6.1.0-99-amd64+3.conf"), "utf8"), /^linux      \/demo\/6\.1\.0-99-amd64\/linux$/m);
      assert.equal(readdirSync(path.join(boot, "demo/6.1.0-99-amd64")).sort(), ["initrd.img", "linux"]);
      const list = spawnSync("bootctl", ["--no-pager", `--esp-path=${boot}`, `--boot-path=${boot}`, "list", "--json=short"], { encoding: "utf8", env: { ...env, SYSTEMD_RELAX_ESP_CHECKS: "1" } });
      assert.is(list.status, 0, list.stderr);
      const entry = JSON.parse(list.stdout.trim().split("\n")[0]!);
      assert.is(entry.id, "demo-6.1.0-99-amd64.conf");
      assert.is(entry.triesLeft, 3);
      const remove = spawnSync("kernel-install", ["remove", "6.1.0-99-amd64"], { encoding: "utf8", env });
      assert.is(remove.status, 0, remove.stderr);
      assert.equal(readdirSync(path.join(boot, "loader/entries")), []);
    } finally {
      spawnSync("umount", [boot]);
    }
  });
});

test("kernel-install add/remove with layout=uki: the UKI goes to EFI/Linux with its tries, as 90-uki-copy.install lays it out", async () => {
  requireTool("kernel-install", "systemd");
  const { buildUki } = await import("../support/pe-builder.ts");
  await withTempRoot(async (work) => {
    const boot = path.join(work, "boot");
    const conf = path.join(work, "conf");
    mkdirSync(path.join(boot, "EFI/Linux"), { recursive: true });
    mkdirSync(conf);
    writeFileSync(path.join(conf, "install.conf"), "layout=uki\n");
    writeFileSync(path.join(conf, "tries"), "2\n");
    // A command line for Type #1 entries; a UKI carries its own, so the plugin passes none.
    writeFileSync(path.join(conf, "cmdline"), "root=/dev/vda2 ro\n");
    writeFileSync(path.join(conf, "entry-token"), "demo\n");
    const launcher = path.join(work, "bootctl-ts");
    writeFileSync(launcher, cliLauncher({ node: process.execPath, cli: CLI }));
    chmodSync(launcher, 0o755);
    const plugin = path.join(work, "90-bootctl-ts.install");
    writeFileSync(plugin, kernelInstallPlugin({ cli: launcher }));
    chmodSync(plugin, 0o755);
    const uki = path.join(work, "uki.efi");
    writeFileSync(uki, buildUki({ osrel: "ID=demo\nVERSION_ID=1\n", cmdline: "quiet", uname: "6.12.1" }));
    const env = { ...process.env, KERNEL_INSTALL_CONF_ROOT: conf, BOOT_ROOT: boot, MACHINE_ID: "0123456789abcdef0123456789abcdef", KERNEL_INSTALL_PLUGINS: plugin, NO_COLOR: "1" };
    const add = spawnSync("kernel-install", ["add", "6.12.1", uki], { encoding: "utf8", env });
    assert.is(add.status, 0, add.stderr);
    assert.not.match(add.stderr, /--options|cmdline/, "a UKI gets no --options");
    assert.equal(readdirSync(path.join(boot, "EFI/Linux")), ["demo-6.12.1+2.efi"]);
    assert.ok(readFileSync(path.join(boot, "EFI/Linux/demo-6.12.1+2.efi")).equals(readFileSync(uki)));
    assert.not.ok(readdirSync(boot).includes("loader"), "no Type #1 entry");
    const remove = spawnSync("kernel-install", ["remove", "6.12.1"], { encoding: "utf8", env });
    assert.is(remove.status, 0, remove.stderr);
    assert.equal(readdirSync(path.join(boot, "EFI/Linux")), []);
  });
});

test.run();
