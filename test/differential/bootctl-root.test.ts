/**
 * Differential: bootctl-ts under --root against Debian 12's `bootctl --root=` (systemd 252) on the
 * same trees (issue 19, items 4, 5 and 9): paths inside the root, links to the ESP, `list`'s
 * paths, `status` without EFI, and `set-timeout` on an image, where bootctl refuses and we write
 * loader.conf's `timeout` into the file `bootctl --root install` made.
 *
 * Setup as in bootctl-list.test.ts: bootctl wants the ESP to be a mount point, so the tree and its
 * ESP are bind-mounted onto themselves (needs root); SYSTEMD_RELAX_ESP_CHECKS=1 and
 * SYSTEMD_RELAX_XBOOTLDR_CHECKS=1 skip the file system and partition type checks.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { runBuiltCli, CLI } from "../support/cli.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

const ENV = { ...process.env, SYSTEMD_RELAX_ESP_CHECKS: "1", SYSTEMD_RELAX_XBOOTLDR_CHECKS: "1", SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "", SYSTEMD_LOG_COLOR: "0" };

function bootctl(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync("bootctl", ["--no-pager", ...args], { encoding: "utf8", env: ENV });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Run `body` with `dirs` (the tree first, then its partitions) bind-mounted onto themselves. */
async function withMounts<T>(dirs: string[], body: () => Promise<T> | T): Promise<T> {
  const done: string[] = [];
  try {
    for (const dir of dirs) {
      const r = spawnSync("mount", ["--bind", dir, dir], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`mount --bind needs root: ${r.stderr}`);
      done.unshift(dir);
    }
    return await body();
  } finally {
    for (const dir of done) spawnSync("umount", [dir]);
  }
}

/** The value of each `NAME:` line of `list` text, in order. */
function fields(text: string, name: string): string[] {
  return text.split("\n").map((l) => new RegExp(`^ *${name}: (.*)$`).exec(l)?.[1]).filter((v): v is string => v !== undefined);
}

function tree(root: string): void {
  mkdirSync(path.join(root, "efi/loader/entries"), { recursive: true });
  writeFileSync(path.join(root, "efi/loader/entries/debian-6.1.conf"), "title Debian\nversion 6.1\nlinux /debian/6.1/linux\ninitrd /debian/6.1/initrd.img-6.1\n");
  writeFileSync(path.join(root, "efi/loader/entries/debian-6.2.conf"), "title Debian\nversion 6.2\nlinux /debian/6.2/linux\n");
  mkdirSync(path.join(root, "efi/debian/6.1"), { recursive: true });
  writeFileSync(path.join(root, "efi/debian/6.1/linux"), "");
  mkdirSync(path.join(root, "boot"));
  symlinkSync("../efi", path.join(root, "boot/efi"));
}

test("list under --root: source lines exactly as bootctl 252 prints them, file lines the same paths after the partition's root, no '//'", async () => {
  requireTool("bootctl", "systemd-boot");
  await withTempRoot((root) => {
    tree(root);
    const esp = path.join(root, "efi");
    return withMounts([root, esp], () => {
      for (const espPath of [[], ["--esp-path=/efi"], ["--esp-path=/boot/efi"]]) {
        const label = espPath.join(" ") || "(found)";
        const theirs = bootctl([`--root=${root}`, ...espPath, "list"]);
        assert.is(theirs.status, 0, `${label}: ${theirs.stderr}`);
        const ours = runBuiltCli(["--root", root, ...espPath.flatMap((o) => o.split("=")), "list"]);
        assert.is(ours.status, 0, `${label}: ${ours.stderr}`);
        assert.equal(fields(ours.stdout, "source").map((s) => s.replace(/ \(on the EFI System Partition\)$/, "")), fields(theirs.stdout, "source"), label);
        for (const name of ["linux", "initrd"]) {
          assert.equal(fields(ours.stdout, name), fields(theirs.stdout, name).map((p) => esp + p), `${label}: ${name}`);
        }
        assert.not.match(ours.stdout, /\/\//, label);
      }
    });
  });
});

test("a link to the ESP inside the root (/boot/efi -> ../efi) is followed as bootctl follows it: the same ESP, the same entries", async () => {
  requireTool("bootctl", "systemd-boot");
  await withTempRoot((root) => {
    tree(root);
    const esp = path.join(root, "efi");
    return withMounts([root, esp], () => {
      const printed = bootctl([`--root=${root}`, "--esp-path=/boot/efi", "--print-esp-path"]);
      assert.is(printed.status, 0, printed.stderr);
      const status = runBuiltCli(["--root", root, "--esp-path", "/boot/efi", "--json=short", "status"]);
      assert.is(status.status, 0, status.stderr);
      assert.is((JSON.parse(status.stdout) as { esp: string }).esp, printed.stdout.trim());
      const theirs = bootctl([`--root=${root}`, "--esp-path=/boot/efi", "list", "--json=short"]);
      const ours = runBuiltCli(["--root", root, "--esp-path", "/boot/efi", "list", "--json=short"]);
      // systemd 252 prints one object per line; the ids, in order, are what matters here.
      const ids252 = theirs.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => (JSON.parse(l) as { id: string }).id);
      assert.equal((JSON.parse(ours.stdout) as { id: string }[]).map((e) => e.id), ids252);
    });
  });
});

test("--esp-path is a path inside --root as bootctl reads it: /efi works, ROOT/efi fails in both (ours names the path typed and the one meant)", async () => {
  requireTool("bootctl", "systemd-boot");
  await withTempRoot((root) => {
    tree(root);
    const esp = path.join(root, "efi");
    return withMounts([root, esp], () => {
      assert.is(bootctl([`--root=${root}`, "--esp-path=/efi", "list"]).status, 0);
      assert.is(runBuiltCli(["--root", root, "--esp-path", "/efi", "list"]).status, 0);
      const theirs = bootctl([`--root=${root}`, `--esp-path=${esp}`, "list"]);
      assert.is.not(theirs.status, 0);
      assert.match(theirs.stderr, new RegExp(`${esp.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} under directory`));
      const ours = runBuiltCli(["--root", root, "--esp-path", esp, "list"]);
      assert.is(ours.status, 1);
      assert.is(ours.stderr, `bootctl-ts: --esp-path ${esp}: no such directory under --root ${root} (paths under --root are inside it: did you mean /efi?)\n`);
    });
  });
});

test("set-timeout on an image: bootctl --root refuses the verb; we write loader.conf's timeout into the file bootctl --root install wrote, which bootctl then reads without complaint", async () => {
  requireTool("bootctl", "systemd-boot");
  await withTempRoot((root) => {
    mkdirSync(path.join(root, "efi"));
    mkdirSync(path.join(root, "etc"));
    writeFileSync(path.join(root, "etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
    const esp = path.join(root, "efi");
    return withMounts([root, esp], () => {
      const install = bootctl([`--root=${root}`, "--esp-path=/efi", "--no-variables", "install"]);
      assert.is(install.status, 0, install.stderr);
      const file = path.join(esp, "loader/loader.conf");
      const written = readFileSync(file, "utf8");
      const refused = bootctl([`--root=${root}`, "--esp-path=/efi", "set-timeout", "5"]);
      assert.is.not(refused.status, 0);
      assert.match(refused.stderr, /not supported with verb set-timeout/);
      for (const [value, line] of [["5", "timeout 5"], ["menu-hidden", "timeout menu-hidden"], ["menu-force", "timeout menu-force"]] as const) {
        const ours = runBuiltCli(["--root", root, "set-timeout", value]);
        assert.is(ours.status, 0, ours.stderr);
        assert.is(readFileSync(file, "utf8"), `${written}${line}\n`, value);
        const read = bootctl([`--root=${root}`, "--esp-path=/efi", "list"]);
        assert.is(read.status, 0, read.stderr);
        assert.not.match(read.stderr, /loader\.conf/, `${value}: bootctl complains: ${read.stderr}`);
      }
      assert.is(runBuiltCli(["--root", root, "set-timeout", ""]).status, 0);
      assert.is(readFileSync(file, "utf8"), written, "'' leaves bootctl's file as it was");
    });
  });
});

test("status on a machine not booted with EFI: the lines bootctl status prints (System: / Not booted with EFI), then the rest, exit 0 like bootctl", () => {
  requireTool("bootctl", "systemd-boot");
  requireTool("unshare", "util-linux");
  // A mount namespace whose /sys/firmware is an empty tmpfs: no /sys/firmware/efi, for both.
  const run = (command: string) => spawnSync("unshare", ["-m", "sh", "-c", `mount -t tmpfs tmpfs /sys/firmware && exec ${command}`], { encoding: "utf8", env: { ...ENV, NO_COLOR: "1" } });
  const theirs = run("bootctl --no-pager status");
  const ours = run(`"${process.execPath}" "${CLI}" status`);
  assert.is(theirs.status, 0, theirs.stderr);
  assert.is(ours.status, 0, ours.stderr);
  assert.is(ours.stdout.split("\n").slice(0, 3).join("\n"), theirs.stdout.split("\n").slice(0, 3).join("\n"));
  assert.match(theirs.stdout, /^System:\nNot booted with EFI\n/);
  assert.match(ours.stdout, /\nBoot Loader Entries:\n/);
});

test.run();
