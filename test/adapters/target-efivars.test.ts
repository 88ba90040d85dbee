/**
 * Whose EFI variables describe a target (src/adapters/target-efivars.ts): the host's for the
 * host's own root; under another root only a directory given explicitly (bootctl likewise skips
 * EFI variables for --root/--image).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_EFIVARS_DIR } from "../../src/adapters/efivarfs.ts";
import { targetEfivarsPath } from "../../src/adapters/target-efivars.ts";
import { blessStatusOf } from "../../src/actions/bless-boot.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { withTempRoot } from "../support/tmp.ts";

test("host root: the default or the given directory; another root: only an explicit one", () => {
  assert.is(targetEfivarsPath({}), DEFAULT_EFIVARS_DIR);
  assert.is(targetEfivarsPath({ root: "/", efivarsPath: "/x", efivarsPathExplicit: false }), "/x");
  assert.is(targetEfivarsPath({ root: "//." }), DEFAULT_EFIVARS_DIR);
  assert.is(targetEfivarsPath({ root: "/mnt/image", efivarsPath: DEFAULT_EFIVARS_DIR, efivarsPathExplicit: false }), undefined, "the CLI's default, not given");
  assert.is(targetEfivarsPath({ root: "/mnt/image" }), undefined);
  assert.is(targetEfivarsPath({ root: "/mnt/image", efivarsPath: "/tmp/vars", efivarsPathExplicit: true }), "/tmp/vars");
  assert.is(targetEfivarsPath({ root: "/mnt/image", efivarsPath: "/tmp/vars" }), "/tmp/vars", "a library caller that passes a directory means it");
});

test("bless-boot status under --root ignores the host's LoaderBootCountPath unless given explicitly", async () => {
  await withTempRoot(async (root) => {
    mkdirSync(path.join(root, "efi/loader/entries"), { recursive: true });
    writeFileSync(path.join(root, "efi/loader/entries/new+2-1.conf"), "title x\n");
    const host = path.join(root, "host-efivars");
    mkdirSync(host);
    writeLoaderString(host, "LoaderBootCountPath", "/loader/entries/new+2-1.conf");
    const image = { root, partitions: ["/efi"], efivarsPath: host };
    assert.is((await blessStatusOf({ ...image, efivarsPathExplicit: false })).state, "clean");
    assert.is((await blessStatusOf({ ...image, efivarsPathExplicit: true })).state, "indeterminate");
  });
});

test.run();
