/** grubenv on disk: locating the default file under a root, crash-safe edits, and the
 * file-system / block-layer facts (with a fake sysfs tree for the layers). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import {
  createGrubenvFile, describeBlockStack, detectGrubenvFilesystem, editGrubenvFile, locateGrubenv,
  parseMountinfo, readGrubenvFile, resolveInRoot, splitDev,
} from "../../src/adapters/grubenv-file.ts";
import { BootctlError } from "../../src/errors.ts";
import { createGrubenv, formatList, setVariable } from "../../src/formats/grubenv.ts";
import { withTempRoot } from "../support/tmp.ts";

function put(root: string, rel: string, data: string | Buffer): string {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  return file;
}

test("default: /boot/grub, then /boot/grub2, then a single ESP copy", async () => {
  await withTempRoot(async (root) => {
    mkdirSync(path.join(root, "boot/grub2"), { recursive: true });
    let loc = await locateGrubenv(root, undefined);
    assert.is(loc.imagePath, "/boot/grub2/grubenv"); // only grub2's directory exists
    assert.is(loc.exists, false);
    put(root, "boot/efi/EFI/fedora/grubenv", createGrubenv());
    loc = await locateGrubenv(root, "-");
    assert.is(loc.imagePath, "/boot/efi/EFI/fedora/grubenv");
    assert.ok(loc.exists && loc.isDefault);
    put(root, "boot/grub2/grubenv", createGrubenv());
    assert.is((await locateGrubenv(root, undefined)).imagePath, "/boot/grub2/grubenv");
    put(root, "boot/grub/grubenv", createGrubenv());
    assert.is((await locateGrubenv(root, undefined)).path, path.join(root, "boot/grub/grubenv"));
  });
});

test("several ESP copies and no /boot/grub*: ambiguous, named in the error", async () => {
  await withTempRoot(async (root) => {
    put(root, "efi/EFI/a/grubenv", createGrubenv());
    put(root, "efi/EFI/b/grubenv", createGrubenv());
    try {
      await locateGrubenv(root, undefined);
      assert.unreachable();
    } catch (err) {
      assert.is((err as BootctlError).code, "E_GRUBENV_AMBIGUOUS");
      assert.match((err as Error).message, "/efi/EFI/a/grubenv");
    }
    assert.is((await locateGrubenv(root, undefined, { espPath: "/efi" }).catch((e: BootctlError) => e.code)), "E_GRUBENV_AMBIGUOUS");
  });
});

test("symlinks are resolved inside the root (Fedora's grub2/grubenv -> ../efi/EFI/fedora/grubenv)", async () => {
  await withTempRoot(async (root) => {
    put(root, "boot/efi/EFI/fedora/grubenv", createGrubenv());
    mkdirSync(path.join(root, "boot/grub2"), { recursive: true });
    symlinkSync("../efi/EFI/fedora/grubenv", path.join(root, "boot/grub2/grubenv"));
    const loc = await locateGrubenv(root, undefined);
    assert.is(loc.imagePath, "/boot/efi/EFI/fedora/grubenv");
    // An absolute link target means the image's path; `..` cannot climb out of the root.
    symlinkSync("/boot/efi/EFI/fedora/grubenv", path.join(root, "abs"));
    symlinkSync("../../../../../etc/passwd", path.join(root, "up"));
    assert.is(await resolveInRoot(root, path.join(root, "abs")), path.join(root, "boot/efi/EFI/fedora/grubenv"));
    assert.is(await resolveInRoot(root, path.join(root, "up")), path.join(root, "etc/passwd"));
    symlinkSync("loop", path.join(root, "loop"));
    assert.is(await resolveInRoot(root, path.join(root, "loop")).catch((e: BootctlError) => e.code), "E_LINK_LOOP");
  });
});

test("a FILE argument under a root: absolute or relative, inside the image as in a chroot, whatever the cwd; never above it", async () => {
  await withTempRoot(async (root) => {
    assert.is((await locateGrubenv(root, "/x/grubenv")).path, path.join(root, "x/grubenv"));
    assert.is((await locateGrubenv(root, "y.env", { cwd: root })).path, path.join(root, "y.env"));
    assert.is((await locateGrubenv(root, "y.env", { cwd: "/" })).path, path.join(root, "y.env"));
    assert.is((await locateGrubenv(root, "x/../y.env", { cwd: path.join(root, "x") })).path, path.join(root, "y.env"));
    assert.is(await locateGrubenv(root, "../y.env", { cwd: root }).catch((e: BootctlError) => e.code), "E_PATH_ESCAPE");
  });
  // Without a root (root /), relative paths are from the working directory.
  await withTempRoot(async (dir) => {
    assert.is((await locateGrubenv("/", "y.env", { cwd: dir })).path, path.join(dir, "y.env"));
  });
});

test("edits replace the file crash-safely, keep size and mode, and skip no-op writes", async () => {
  await withTempRoot(async (root) => {
    const file = put(root, "boot/grub/grubenv", Buffer.concat([Buffer.from("# GRUB Environment Block\n"), Buffer.alloc(2048 - 25, "#")]));
    chmodSync(file, 0o600);
    const r = await editGrubenvFile(root, file, (b) => setVariable(b, "saved_entry", "1"));
    assert.ok(r.written && r.changed && !r.created);
    assert.is(statSync(file).size, 2048);
    assert.is(statSync(file).mode & 0o777, 0o600);
    assert.is(formatList((await readGrubenvFile(file))!.block), "saved_entry=1\n");
    const mtime = statSync(file).mtimeMs;
    const ino = statSync(file).ino;
    const again = await editGrubenvFile(root, file, (b) => setVariable(b, "saved_entry", "1"));
    assert.ok(!again.changed && !again.written);
    assert.is(statSync(file).ino, ino);
    assert.is(statSync(file).mtimeMs, mtime);
    const dry = await editGrubenvFile(root, file, (b) => setVariable(b, "x", "2"), { dryRun: true });
    assert.ok(dry.changed && !dry.written);
    assert.is(formatList((await readGrubenvFile(file))!.block), "saved_entry=1\n");
    // Errors from the edit leave the file alone.
    const before = readFileSync(file);
    const refused = await editGrubenvFile(root, file, (b) => setVariable(b, "x", "y".repeat(5000))).catch((err: unknown) => err);
    assert.is((refused as { code?: string }).code, "E_GRUBENV_TOO_SMALL");
    assert.ok(readFileSync(file).equals(before));
    assert.equal(readdirSync(path.dirname(file)), ["grubenv"]);
  });
});

test("a missing file counts as a fresh block; create resets; invalid blocks fail with the file name", async () => {
  await withTempRoot(async (root) => {
    const file = path.join(root, "g.env");
    const r = await editGrubenvFile(root, file, (b) => setVariable(b, "a", "1"));
    assert.ok(r.created);
    assert.is(statSync(file).size, 1024);
    await createGrubenvFile(root, file);
    assert.ok(readFileSync(file).equals(createGrubenv()));
    writeFileSync(file, "# GRUB Environment Block\r\n####");
    const err = await readGrubenvFile(file).catch((e: BootctlError) => e);
    assert.is((err as BootctlError).code, "E_GRUBENV_INVALID");
    assert.is((err as BootctlError).message, `${file}:1:25: invalid environment block`);
    await createGrubenvFile(root, file); // replaces an invalid block, as grub-editenv create does
    assert.is(statSync(file).size, 1024);
  });
});

test("mountinfo parsing and dev_t splitting", () => {
  const text = "36 35 98:0 /mnt1 /mnt\\040point rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n" +
    "40 1 0:45 / /boot rw shared:2 - btrfs /dev/sda2 rw\nbroken line\n";
  assert.equal(parseMountinfo(text), [
    { device: "98:0", root: "/mnt1", mountPoint: "/mnt point", fsType: "ext3", source: "/dev/root" },
    { device: "0:45", root: "/", mountPoint: "/boot", fsType: "btrfs", source: "/dev/sda2" },
  ]);
  assert.equal(splitDev(0x0803n), { major: 8, minor: 3 });
  assert.equal(splitDev((259n << 8n) | 5n), { major: 259, minor: 5 });
  assert.equal(splitDev(0x100000n | 0xfe00n), { major: 254, minor: 256 }); // minor 256 in the high bits
});

/** A fake /sys: ext4 on LUKS (dm-1) on LVM (dm-0) on a partition of md0 on two disks. */
function fakeSysfs(root: string): string {
  const sys = path.join(root, "sys");
  const dev = (maj: string, dir: string, files: Record<string, string>) => {
    const d = path.join(sys, dir);
    mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, "dev"), maj + "\n");
    for (const [f, v] of Object.entries(files)) put(d, f, v + "\n");
    mkdirSync(path.join(sys, "dev/block"), { recursive: true });
    symlinkSync(d, path.join(sys, "dev/block", maj));
    return d;
  };
  dev("8:0", "devices/sda", {});
  dev("8:16", "devices/sdb", {});
  const md = dev("9:0", "devices/virtual/block/md0", { "md/level": "raid1" });
  mkdirSync(path.join(md, "slaves"));
  symlinkSync(path.join(sys, "devices/sda"), path.join(md, "slaves/sda"));
  symlinkSync(path.join(sys, "devices/sdb"), path.join(md, "slaves/sdb"));
  dev("259:0", "devices/virtual/block/md0/md0p1", { partition: "1" });
  const lvm = dev("253:0", "devices/virtual/block/dm-0", { "dm/uuid": "LVM-abcdef", "dm/name": "vg-boot" });
  mkdirSync(path.join(lvm, "slaves"));
  symlinkSync(path.join(sys, "devices/virtual/block/md0/md0p1"), path.join(lvm, "slaves/md0p1"));
  const crypt = dev("253:1", "devices/virtual/block/dm-1", { "dm/uuid": "CRYPT-LUKS2-1234-luks", "dm/name": "luks-boot" });
  mkdirSync(path.join(crypt, "slaves"));
  symlinkSync(lvm, path.join(crypt, "slaves/dm-0"));
  return sys;
}

test("block stack from sysfs: dm-crypt over LVM over an md partition", async () => {
  await withTempRoot(async (root) => {
    const sys = fakeSysfs(root);
    const stack = await describeBlockStack(sys, "253:1");
    assert.equal(stack.map((l) => `${l.kind}:${l.name}`), ["dm-crypt:luks-boot", "lvm:vg-boot", "partition:md0p1", "md-raid:md0", "disk:sda", "disk:sdb"]);
    assert.is(stack[0]!.detail, "CRYPT-LUKS2");
    assert.is(stack[3]!.detail, "raid1");
    assert.equal(await describeBlockStack(sys, "1:1"), []);
  });
});

test("file-system facts for a real file: type from statfs/mountinfo, a verdict and a summary", async () => {
  await withTempRoot(async (root) => {
    const file = put(root, "grubenv", createGrubenv());
    const facts = await detectGrubenvFilesystem(file);
    assert.match(facts.magic, /^0x[0-9a-f]+$/);
    assert.match(facts.device, /^\d+:\d+$/);
    assert.ok([true, false, null].includes(facts.grubCanWrite));
    assert.ok(facts.reasons.length >= 1);
    assert.match(facts.summary, /GRUB (can|cannot) update|unknown whether GRUB/);
    // A missing file is judged by its nearest existing directory.
    assert.is((await detectGrubenvFilesystem(path.join(root, "no/such/grubenv"))).device, facts.device);
    // With a mount table saying btrfs for this device, GRUB cannot write.
    const mountinfo = put(root, "mountinfo", `40 1 ${facts.device} / ${root} rw - btrfs /dev/nonexistent rw\n`);
    const btrfs = await detectGrubenvFilesystem(file, { mountinfoPath: mountinfo, sysfsPath: path.join(root, "nosys") });
    assert.is(btrfs.type, "btrfs");
    assert.is(btrfs.grubCanWrite, false);
    assert.is(btrfs.summary, "GRUB cannot update this environment block at boot");
    // ext4 on LVM (fake sysfs keyed by this file's device number): diskfilter cannot write.
    const sys = fakeSysfs(path.join(root, "s"));
    rmSync(path.join(sys, "dev/block", facts.device), { force: true });
    symlinkSync(path.join(sys, "devices/virtual/block/dm-0"), path.join(sys, "dev/block", facts.device));
    const ext4 = put(root, "mountinfo2", `40 1 ${facts.device} / ${root} rw - ext4 /dev/mapper/vg-boot rw\n`);
    const lvm = await detectGrubenvFilesystem(file, { mountinfoPath: ext4, sysfsPath: sys });
    assert.is(lvm.grubCanWrite, false);
    assert.ok(lvm.reasons.some((r) => r.includes("diskfilter")));
  });
});

test.run();
