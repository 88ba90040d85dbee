/**
 * adapters/system-relative-path.ts against GRUB's own grub-mkrelpath (grub-common), which
 * grub-mkconfig's make_system_path_relative_to_its_root runs: the same string for directories on
 * the root file system, on file systems of their own (tmpfs), below and at bind mounts (whose
 * mountinfo root is a directory of their source), and through symbolic links. The mounts are
 * made in a private mount namespace (unshare), so the machine's own mounts stay as they are.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { CLI } from "../support/cli.ts";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { withTempRoot } from "../support/tmp.ts";

const MODULE = fileURLToPath(new URL("../../src/adapters/system-relative-path.ts", import.meta.url));

test("systemPathRelativeToItsRoot prints what grub-mkrelpath prints, for plain, separate, bind-mounted and linked directories", async () => {
  if (process.getuid?.() !== 0) throw new Error("this differential test needs root (mounts in a private namespace); run npm test as root");
  await withTempRoot(async (root) => {
    for (const d of ["fs", "bind", "plain/deeper", "src/a/b"]) mkdirSync(path.join(root, d), { recursive: true });
    symlinkSync("plain/deeper", path.join(root, "link"));
    const dirs = ["/", "/usr", "/proc", "/dev", root, path.join(root, "plain/deeper"), path.join(root, "link"),
      path.join(root, "fs"), path.join(root, "fs/inner"), path.join(root, "bind"), path.join(root, "bind/b"), path.join(root, "src/a")];
    const script = [
      "set -e",
      `mount -t tmpfs bootctl-test "${root}/fs"`,
      `mkdir -p "${root}/fs/inner"`,
      `mount --bind "${root}/src/a" "${root}/bind"`,
      ...dirs.map((d) => `printf '%s\\n' "$(grub-mkrelpath '${d}')"`),
      `echo ---`,
      `${JSON.stringify(process.execPath)} --import tsx --input-type=module -e 'const m = await import(${JSON.stringify(MODULE)}); for (const d of ${JSON.stringify(dirs)}) console.log(m.systemPathRelativeToItsRoot(d));'`,
    ].join("\n");
    const r = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", script], { encoding: "utf8", cwd: process.cwd() });
    assert.is(r.status, 0, r.stderr);
    const [theirs, ours] = r.stdout.split("---\n").map((part) => part.replace(/\n$/, "").split("\n"));
    assert.is(theirs!.length, dirs.length, r.stdout);
    assert.equal(ours, theirs, dirs.map((d, i) => `${d}: grub-mkrelpath '${theirs![i]}', ours '${ours![i]}'`).join("\n"));
    // The cases that matter for grub render: a directory on the root file system keeps its path,
    // the root of a separate file system is "", a bind mount shows its source directory.
    assert.is(theirs![dirs.indexOf(path.join(root, "fs"))], "");
    assert.match(theirs![dirs.indexOf(path.join(root, "bind"))]!, /\/src\/a$/);
  });
});

test("grub render on the running system prefixes each partition's paths as 10_linux would: by grub-mkrelpath of its directory; none under --root", async () => {
  if (process.getuid?.() !== 0) throw new Error("this differential test needs root (mounts in a private namespace); run npm test as root");
  await withTempRoot(async (root) => {
    const boot = path.join(root, "boot");
    mkdirSync(path.join(boot, "loader/entries"), { recursive: true });
    const entry = "title T\nversion 6.12\nlinux /os/6.12/linux\ninitrd /os/6.12/initrd\noptions root=/dev/vda2\n";
    writeFileSync(path.join(boot, "loader/entries/os-6.12.conf"), entry);
    writeFileSync(path.join(root, "entry.conf"), entry);
    const render = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} --quiet --boot-path "${boot}" grub render`;
    const script = [
      "set -e",
      // 1. A /boot directory on the root file system, then 2. a /boot partition of its own.
      `printf 'prefix=%s\\n' "$(grub-mkrelpath '${boot}')"; ${render} | grep -E '^\\s+linux '`,
      `mount -t tmpfs bootctl-test "${boot}"; mkdir -p "${boot}/loader/entries"; cp "${root}/entry.conf" "${boot}/loader/entries/os-6.12.conf"`,
      `printf 'prefix=%s\\n' "$(grub-mkrelpath '${boot}')"; ${render} | grep -E '^\\s+linux '`,
      // 3. Under --root (an image): the image's mounts are unknown, no prefix.
      `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} --quiet --root "${root}" --boot-path /boot grub render | grep -E '^\\s+linux '`,
    ].join("\n");
    const r = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", script], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    assert.is(r.status, 0, r.stdout + r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => l.trim());
    assert.is(lines.length, 5, r.stdout);
    const [first, firstLinux, second, secondLinux, image] = lines as [string, string, string, string, string];
    assert.is(first, `prefix=${boot}`);
    assert.is(firstLinux, `linux '${boot}/os/6.12/linux' 'root=/dev/vda2'`);
    assert.is(second, "prefix=");
    assert.is(secondLinux, "linux '/os/6.12/linux' 'root=/dev/vda2'");
    assert.is(image, "linux '/os/6.12/linux' 'root=/dev/vda2'");
  });
});

test.run();
