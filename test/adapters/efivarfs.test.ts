/** The efivarfs adapter on plain directories: write, skip unchanged, delete, immutable files, errors. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { BootctlError, FileError } from "../../src/errors.ts";
import {
  deleteEfiVariable, listEfiVariables, readEfiString, readEfiVariable, requireEfivarsDir, writeEfiVariable,
} from "../../src/adapters/efivarfs.ts";
import { LOADER_VENDOR_GUID } from "../../src/formats/efi/guids.ts";
import { withTempRoot } from "../support/tmp.ts";

const G = LOADER_VENDOR_GUID;
const value = (s: string) => ({ attributes: 7, data: Buffer.from(s + "\0", "utf16le") });

test("write creates Name-GUID with the attribute prefix; reading it back gives the value", () =>
  withTempRoot(async (dir) => {
    assert.is(await writeEfiVariable(dir, "LoaderEntryDefault", G, value("a.conf")), "written");
    const bytes = readFileSync(path.join(dir, `LoaderEntryDefault-${G}`));
    assert.is(bytes.toString("hex"), "07000000" + Buffer.from("a.conf\0", "utf16le").toString("hex"));
    assert.is(await readEfiString(dir, "LoaderEntryDefault", G), "a.conf");
    const all = await listEfiVariables(dir);
    assert.equal(all.map((v) => [v.name, v.guid]), [["LoaderEntryDefault", G]]);
  }));

test("an unchanged value is not written again (the file is left alone)", () =>
  withTempRoot(async (dir) => {
    await writeEfiVariable(dir, "LoaderEntryDefault", G, value("a.conf"));
    const file = path.join(dir, `LoaderEntryDefault-${G}`);
    const before = statSync(file).ino;
    assert.is(await writeEfiVariable(dir, "LoaderEntryDefault", G, value("a.conf")), "unchanged");
    assert.is(statSync(file).ino, before);
    assert.is(await writeEfiVariable(dir, "LoaderEntryDefault", G, { attributes: 6, data: value("a.conf").data }), "written");
  }));

test("delete removes the file; deleting again reports absent", () =>
  withTempRoot(async (dir) => {
    await writeEfiVariable(dir, "LoaderEntryOneShot", G, value("b.conf"));
    assert.is(await deleteEfiVariable(dir, "LoaderEntryOneShot", G), "deleted");
    assert.is(await readEfiVariable(dir, "LoaderEntryOneShot", G), undefined);
    assert.is(await deleteEfiVariable(dir, "LoaderEntryOneShot", G), "absent");
  }));

test("immutable files (chattr +i) are made writable for the update and immutable again", () =>
  withTempRoot(async (dir) => {
    const file = path.join(dir, `LoaderEntryDefault-${G}`);
    writeFileSync(file, Buffer.concat([Buffer.from([7, 0, 0, 0]), value("old").data]));
    if (spawnSync("chattr", ["+i", file]).status !== 0) throw new Error("chattr +i does not work here (need root on ext4)");
    try {
      assert.is(await writeEfiVariable(dir, "LoaderEntryDefault", G, value("new")), "written");
      assert.is(await readEfiString(dir, "LoaderEntryDefault", G), "new");
      assert.match(spawnSync("lsattr", ["-d", file], { encoding: "utf8" }).stdout.split(" ")[0]!, /i/);
      assert.is(await deleteEfiVariable(dir, "LoaderEntryDefault", G), "deleted");
    } finally {
      spawnSync("chattr", ["-i", file]);
    }
  }));

test("errors: missing default efivars dir says 'not booted with EFI'; an explicit one names the errno", () =>
  withTempRoot(async (dir) => {
    const missing = path.join(dir, "nope");
    try {
      await requireEfivarsDir(missing, false);
      assert.unreachable();
    } catch (e) {
      assert.ok(e instanceof BootctlError && e.code === "E_NOT_EFI" && /not booted with EFI/.test(e.message));
    }
    try {
      await requireEfivarsDir(missing, true);
      assert.unreachable();
    } catch (e) {
      assert.ok(e instanceof FileError && /no such file/.test(e.message));
    }
    try {
      await writeEfiVariable(missing, "LoaderEntryDefault", G, value("x"));
      assert.unreachable();
    } catch (e) {
      assert.ok(e instanceof FileError && e.code === "E_EFIVAR_WRITE" && /LoaderEntryDefault/.test(e.message), String(e));
    }
  }));

test.run();
