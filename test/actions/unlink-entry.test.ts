/** unlink and cleanup on a temporary ESP: shared files survive, unreferenced ones go. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { cleanupBootFiles, unlinkEntry } from "../../src/actions/unlink-entry.ts";
import { BootctlError } from "../../src/errors.ts";
import { withTempRoot } from "../support/tmp.ts";

function esp(root: string) {
  const e = path.join(root, "efi");
  for (const d of ["loader/entries", "tok/6.1", "tok/6.2", "tok/stray"]) mkdirSync(path.join(e, d), { recursive: true });
  for (const f of ["tok/6.1/linux", "tok/6.1/initrd", "tok/6.2/linux", "tok/shared-ucode.img", "tok/stray/old.img"]) writeFileSync(path.join(e, f), f);
  writeFileSync(path.join(e, "loader/entries/tok-6.1.conf"), "title A\nversion 6.1\nlinux /tok/6.1/linux\ninitrd /tok/shared-ucode.img\ninitrd /tok/6.1/initrd\n");
  writeFileSync(path.join(e, "loader/entries/tok-6.2+0-3.conf"), "title A\nversion 6.2\nlinux /tok/6.2/linux\ninitrd /tok/shared-ucode.img\n");
  mkdirSync(path.join(root, "etc/kernel"), { recursive: true });
  writeFileSync(path.join(root, "etc/kernel/entry-token"), "tok\n");
  return e;
}

test("unlink removes the entry and the files only it used; shared files stay", async () => {
  await withTempRoot(async (root) => {
    const e = esp(root);
    const plan = await unlinkEntry("tok-6.2.conf", { root, espPath: "/efi" });
    assert.equal(plan.unlinked, ["tok-6.2.conf"]);
    assert.equal(readdirSync(path.join(e, "loader/entries")), ["tok-6.1.conf"]);
    assert.not.ok(existsSync(path.join(e, "tok/6.2")), "the emptied directory is gone");
    assert.ok(existsSync(path.join(e, "tok/shared-ucode.img")));
    assert.ok(existsSync(path.join(e, "tok/6.1/linux")));
  });
});

test("unlink by glob, dry run, and no match", async () => {
  await withTempRoot(async (root) => {
    const e = esp(root);
    const dry = await unlinkEntry("TOK-6.*", { root, espPath: "/efi", dryRun: true });
    assert.equal(dry.unlinked.sort(), ["tok-6.1.conf", "tok-6.2.conf"]);
    assert.ok(dry.effects.some((x) => x.kind === "remove" && x.path === "tok/shared-ucode.img"), "both users go, so the shared file goes");
    assert.is(readdirSync(path.join(e, "loader/entries")).length, 2, "dry run changed nothing");
    try {
      await unlinkEntry("nothing*", { root, espPath: "/efi" });
      assert.unreachable();
    } catch (err) {
      assert.is((err as BootctlError).code, "E_NO_SUCH_ENTRY");
    }
  });
});

test("cleanup removes only unreferenced files under the entry-token directory", async () => {
  await withTempRoot(async (root) => {
    const e = esp(root);
    writeFileSync(path.join(e, "outside.img"), "not ours");
    await cleanupBootFiles({ root, espPath: "/efi" });
    assert.not.ok(existsSync(path.join(e, "tok/stray")));
    assert.ok(existsSync(path.join(e, "outside.img")), "nothing outside tok/ is touched");
    assert.equal(readdirSync(path.join(e, "tok")).sort(), ["6.1", "6.2", "shared-ucode.img"]);
  });
});

test.run();
