/**
 * Symbolic links planted under the ESP / $BOOT (issue 9, "Hostile input", item 2). A FAT ESP has
 * no symlinks, so one there was planted; the rules (src/adapters/root-path.ts, and current
 * systemd's CHASE_PROHIBIT_SYMLINKS in bootspec.c's boot_entries_find_type1/type2):
 * - reads never follow a link below the partition root out of it: a linked directory or file is
 *   skipped with a warning, the rest of the menu still loads;
 * - writes never follow a link at all: the verb fails with one line and nothing changes, inside
 *   or outside the root;
 * - the grubenv is the exception grub-editenv makes: its links are resolved as in a chroot
 *   (inside the root), never out of it;
 * - so are the links on the way to a partition (`/efi` -> `real-efi`, `/boot/efi` -> `../efi`),
 *   as bootctl's chase() follows them under --root; one whose `..` climbs out of the root is
 *   refused.
 * systemd 252 (the bootctl installed here) follows a directory link that stays inside the ESP
 * (it predates CHASE_PROHIBIT_SYMLINKS there) and fails on entry-file links with ELOOP; where it
 * is the oracle (links that leave the ESP, entry-file links) its listing is compared.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readlinkSync, symlinkSync } from "node:fs";
import * as path from "node:path";
import { loadBootEntries } from "../../src/adapters/boot-entries.ts";
import { bootEntryToJson } from "../../src/model/boot-entry-json.ts";
import { runBuiltCli } from "../support/cli.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { requireTool } from "../support/exec.ts";
import { buildUki } from "../support/pe-builder.ts";
import { assertOnlyWarnings, assertRefused, bootctlList, runInProcess, strip252, typicalImage, withMountedEsp, withSandbox, type Sandbox } from "../support/hostile.ts";

const OSREL = 'ID=debian\nPRETTY_NAME="Debian"\nVERSION_ID=12\n';

function listIds(stdout: string): string[] {
  return (JSON.parse(stdout) as { id: string }[]).map((e) => e.id);
}

/** The writing verbs, each of which must refuse (or find nothing) when the layout holds a link. */
async function writersRefuse(s: Sandbox, label: string, extra: { uki?: string } = {}): Promise<void> {
  const base = ["--root", s.root, "--esp-path", "/efi"];
  s.mark();
  assertRefused(await runInProcess([...base, "add", "6.9", s.at("vmlinuz")]), `${label}: add`);
  if (extra.uki) assertRefused(await runInProcess([...base, "add", "6.9", extra.uki]), `${label}: add UKI`);
  assertRefused(await runInProcess([...base, "remove", "6.1"]), `${label}: remove`);
  assertRefused(await runInProcess([...base, "-q", "unlink", "debian-6.1.conf"]), `${label}: unlink`, /no boot entry matches/);
  s.assertUnchanged(label);
}

test("loader/entries is a symlink (out of the root, and inside the ESP): skipped with a warning, writers refuse", async () => {
  for (const target of ["outside", "inside"] as const) {
    await withSandbox(async (s) => {
      typicalImage(s);
      s.write("efi/real/debian-6.1.conf", "title Inside\nlinux /debian/6.1/linux\n");
      s.write("efi/debian/6.1/linux", "kernel\n");
      s.write("efi/EFI/Linux/keep.efi", buildUki({ osrel: OSREL }));
      spawnSync("rm", ["-r", s.at("efi/loader/entries")]);
      symlinkSync(target === "outside" ? path.join(s.outside, "entries") : "../real", s.at("efi/loader/entries"));
      s.mark();
      const r = await runInProcess(["--root", s.root, "--esp-path", "/efi", "list", "--json=short"]);
      assert.is(r.status, 0, r.stderr);
      assert.equal(listIds(r.stdout), ["keep.efi"], `${target}: the linked entries are not listed, the UKI still is`);
      assert.match(assertOnlyWarnings(r, target).join("\n"), /loader\/entries: refusing to follow symbolic link/);
      s.assertUnchanged(`${target}: list`);
      await writersRefuse(s, `entries dir -> ${target}`);
    });
  }
});

test("entry files that are symlinks are skipped (as bootctl list does) and never renamed, removed or followed", async () => {
  requireTool("bootctl", "systemd-boot");
  await withSandbox(async (s) => {
    typicalImage(s);
    s.write("efi/loader/entries/real.conf", "title Real\nlinux /vmlinuz\n");
    s.write("efi/inside.txt", "title Inside\nlinux /vmlinuz\n");
    symlinkSync(path.join(s.outside, "entries/outside.conf"), s.at("efi/loader/entries/out+3.conf"));
    symlinkSync("../../inside.txt", s.at("efi/loader/entries/in+3.conf"));
    const esp = s.at("efi");
    await withMountedEsp(esp, async () => {
      const theirs = bootctlList(esp);
      const ours = loadBootEntries({ esp, xbootldr: esp }).entries.map((e, i) => strip252(bootEntryToJson(e, { isDefault: i === 0 })));
      assert.equal(ours, theirs, "same menu as systemd 252 (its O_NOFOLLOW open fails with ELOOP)");
      assert.is(theirs.length, 1);
    });
    mkdirSync(s.at("efivars"));
    const base = ["--root", s.root, "--esp-path", "/efi", "--efivars-path", s.at("efivars")];
    for (const name of ["out", "in"]) {
      // A boot counted through the link: blessing must not rename the link (or what it points at).
      writeLoaderString(s.at("efivars"), "LoaderBootCountPath", `/loader/entries/${name}+3.conf`);
      s.mark();
      for (const verb of ["good", "bad"]) assertRefused(await runInProcess([...base, "bless-boot", verb]), `bless-boot ${verb} via ${name}`, /symbolic link/);
      assertRefused(await runInProcess([...base, "unlink", `${name}+3.conf`]), `unlink ${name}`, /no boot entry matches/);
      s.assertUnchanged(`entry link ${name}`);
    }
  });
});

test("EFI/Linux is a symlink out of the root: UKIs there are not listed (bootctl agrees), add of a UKI refuses", async () => {
  requireTool("bootctl", "systemd-boot");
  await withSandbox(async (s) => {
    typicalImage(s);
    s.write("efi/loader/entries/real.conf", "title Real\nlinux /vmlinuz\n");
    s.write("uki.efi", buildUki({ osrel: OSREL }));
    s.write("../outside/Linux/planted.efi", buildUki({ osrel: OSREL }));
    mkdirSync(s.at("efi/EFI"));
    symlinkSync(path.join(s.outside, "Linux"), s.at("efi/EFI/Linux"));
    const esp = s.at("efi");
    await withMountedEsp(esp, async () => {
      const theirs = bootctlList(esp);
      const r = await runInProcess(["--esp-path", esp, "--boot-path", esp, "list", "--json=short"]);
      assert.is(r.status, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as Record<string, unknown>[]).map(strip252), theirs);
      assert.match(assertOnlyWarnings(r, "list").join("\n"), /EFI\/Linux: refusing to follow symbolic link/);
    });
    s.mark();
    assertRefused(await runInProcess(["--root", s.root, "--esp-path", "/efi", "add", "6.9", s.at("uki.efi")]), "add UKI", /symbolic link/);
    s.assertUnchanged("add UKI through a linked EFI/Linux");
  });
});

test("$BOOT/<token> and the kernel file are symlinks: add and remove never write or delete through them", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    symlinkSync(path.join(s.outside), s.at("efi/debian"));
    s.mark();
    assertRefused(await runInProcess(["--root", s.root, "--esp-path", "/efi", "add", "6.1", s.at("vmlinuz")]), "add through linked token dir", /symbolic link/);
    assertRefused(await runInProcess(["--root", s.root, "--esp-path", "/efi", "remove", "6.1"]), "remove through linked token dir", /symbolic link/);
    assertRefused(await runInProcess(["--root", s.root, "--esp-path", "/efi", "cleanup"]), "cleanup through linked token dir", /symbolic link/);
    s.assertUnchanged("linked token dir");
  });
  await withSandbox(async (s) => {
    typicalImage(s);
    mkdirSync(s.at("efi/debian/6.1"), { recursive: true });
    symlinkSync(path.join(s.outside, "secret"), s.at("efi/debian/6.1/linux"));
    s.mark();
    assertRefused(await runInProcess(["--root", s.root, "--esp-path", "/efi", "add", "6.1", s.at("vmlinuz")]), "add over a linked kernel file", /symbolic link/);
    s.assertUnchanged("add over a linked kernel file");
    const r = await runInProcess(["--root", s.root, "--esp-path", "/efi", "remove", "6.1"]);
    assertRefused(r, "remove of a linked kernel file", /symbolic link/);
    assert.is(readlinkSync(s.at("efi/debian/6.1/linux")), path.join(s.outside, "secret"));
    s.assertUnchanged("remove of a linked kernel file");
  });
});

test("loader/loader.conf is a symlink: ignored with a warning when reading, set-default refuses without reading through it", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    s.write("efi/loader/entries/real.conf", "title Real\nlinux /vmlinuz\n");
    // To an outside directory: reading through the link used to fail with a raw EISDIR
    // ("internal error"); to an outside file: it was read before the write was refused.
    for (const target of [s.outside, path.join(s.outside, "secret")]) {
      spawnSync("rm", ["-f", s.at("efi/loader/loader.conf")]);
      symlinkSync(target, s.at("efi/loader/loader.conf"));
      s.mark();
      const list = await runInProcess(["--root", s.root, "--esp-path", "/efi", "list", "--json=short"]);
      assert.is(list.status, 0, list.stderr);
      assert.equal(listIds(list.stdout), ["real.conf"]);
      assert.match(assertOnlyWarnings(list, "list").join("\n"), /loader\.conf: refusing to follow symbolic link/);
      assertRefused(await runInProcess(["--root", s.root, "--esp-path", "/efi", "set-default", "real.conf"]), `set-default, loader.conf -> ${target}`, /refusing to follow symbolic link/);
      s.assertUnchanged(`loader.conf -> ${target}`);
    }
  });
});

test("the grubenv is a symlink: resolved inside the root like a chroot, never written outside", async () => {
  requireTool("grub-editenv", "grub-common");
  await withSandbox(async (s) => {
    typicalImage(s);
    mkdirSync(s.at("boot/grub"), { recursive: true });
    spawnSync("grub-editenv", [path.join(s.outside, "grubenv"), "create"]);
    const outsideEnv = path.join(s.outside, "grubenv");
    // Absolute target: inside the root that path does not exist → the write fails there.
    symlinkSync(outsideEnv, s.at("boot/grub/grubenv"));
    s.mark();
    for (const args of [["grubenv", "-", "set", "x=1"], ["grubenv", "create"], ["set-default", "--loader", "grub", "x"], ["set-oneshot", "--loader", "grub", "x"]]) {
      assertRefused(await runInProcess(["--root", s.root, ...args]), `${args.join(" ")} via absolute link`);
    }
    s.assertUnchanged("grubenv -> absolute outside path");
    // A climbing relative target stops at the root's `/`: it names root/outside/grubenv.
    spawnSync("rm", [s.at("boot/grub/grubenv")]);
    symlinkSync("../../../../../../../../outside/grubenv", s.at("boot/grub/grubenv"));
    mkdirSync(s.at("outside"));
    spawnSync("grub-editenv", [s.at("outside/grubenv"), "create"]);
    s.mark();
    const r = await runInProcess(["--root", s.root, "grubenv", "-", "set", "x=1"]);
    assert.is(r.status, 0, r.stderr);
    s.assertOnlyChanges(["~root/outside/grubenv"], "only the in-root target changes; the link stays a link");
    assert.is(spawnSync("grub-editenv", [s.at("outside/grubenv"), "list"], { encoding: "utf8" }).stdout, "x=1\n");
    assert.is(spawnSync("grub-editenv", [outsideEnv, "list"], { encoding: "utf8" }).stdout, "");
  });
});

test("the ESP path itself is a symbolic link: one that leads out of the root is refused, an absolute one is read inside the root, nothing outside read or written", async () => {
  for (const target of ["relative", "absolute"] as const) {
    await withSandbox(async (s) => {
      typicalImage(s);
      s.write("real-efi/loader/entries/real.conf", "title Real\nlinux /vmlinuz\n");
      spawnSync("rm", ["-r", s.at("efi")]);
      // ../outside climbs above the root's /; the absolute host path of the outside directory
      // is, inside the root (as bootctl --root's chase() reads it), a path that does not exist.
      const link = target === "relative" ? "../outside" : s.outside;
      symlinkSync(link, s.at("efi"));
      symlinkSync(link, s.at("boot"));
      s.mark();
      for (const args of [["--esp-path", "/efi", "list"], ["--esp-path", "/efi/loader", "list"], ["--esp-path", "/efi", "add", "6.1", s.at("vmlinuz")], ["--esp-path", "/efi", "set-default", "real.conf"], ["list"], ["add", "6.1", s.at("vmlinuz")]]) {
        const r = await runInProcess(["--root", s.root, ...args]);
        assertRefused(r, `${target}: ${args.join(" ")}`, target === "relative" ? /symbolic link/ : undefined);
        assert.not.match(r.stdout + r.stderr, /OUTSIDE/);
      }
      s.assertUnchanged(`ESP under a link to ${target}`);
    });
  }
});

test("a partition reached through a link inside the root (/efi -> real-efi) is followed, as bootctl follows it; below it no link is", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    s.write("real-efi/loader/entries/real.conf", "title Real\nlinux /vmlinuz\n");
    spawnSync("rm", ["-r", s.at("efi")]);
    symlinkSync("real-efi", s.at("efi"));
    mkdirSync(s.at("boot"));
    symlinkSync("../efi", s.at("boot/efi"));
    for (const args of [["--esp-path", "/efi", "list", "--json=short"], ["--esp-path", "/boot/efi", "list", "--json=short"], ["list", "--json=short"]]) {
      const r = await runInProcess(["--root", s.root, ...args]);
      assert.is(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(listIds(r.stdout), ["real.conf"], args.join(" "));
    }
    s.mark();
    const set = await runInProcess(["--root", s.root, "--esp-path", "/boot/efi", "set-default", "real.conf"]);
    assert.is(set.status, 0, set.stderr);
    s.assertOnlyChanges(["+root/real-efi/loader/loader.conf"], "set-default writes the linked ESP's loader.conf");
  });
});

test("the built binary: a linked entries directory and a linked loader.conf", async () => {
  await withSandbox((s) => {
    typicalImage(s);
    spawnSync("rm", ["-r", s.at("efi/loader/entries")]);
    symlinkSync(path.join(s.outside, "entries"), s.at("efi/loader/entries"));
    symlinkSync(s.outside, s.at("efi/loader/loader.conf"));
    s.mark();
    assertRefused(runBuiltCli(["--root", s.root, "--esp-path", "/efi", "add", "6.1", s.at("vmlinuz")]), "add", /symbolic link/);
    assertRefused(runBuiltCli(["--root", s.root, "--esp-path", "/efi", "set-default", "x.conf"]), "set-default", /symbolic link/);
    const list = runBuiltCli(["--root", s.root, "--esp-path", "/efi", "list", "--json=short"]);
    assert.is(list.status, 0, list.stderr);
    assert.is(assertOnlyWarnings(list, "list").length, 2);
    assert.is(readFileSync(path.join(s.outside, "entries/outside.conf"), "utf8"), "title OUTSIDE\nlinux /vmlinuz\n");
    s.assertUnchanged("built binary");
  });
});

test.run();
