/** Loading ESP/XBOOTLDR menus from disk (bootspec.c boot_config_load(); issue 4 "Bad input"). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { linkSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { listEntryIdsSync, loadBootEntries } from "../../src/adapters/boot-entries.ts";
import { discoverBootPartitions } from "../../src/adapters/esp-discovery.ts";
import { buildUki } from "../support/pe-builder.ts";
import { withTempRoot } from "../support/tmp.ts";

function put(root: string, rel: string, content: string | Buffer): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), content);
}

test("bad files are skipped with a warning naming file and line; the rest is listed", () => withTempRoot((root) => {
  put(root, "esp/loader/entries/good.conf", "title Good\n");
  put(root, "esp/loader/entries/binary.conf", "title B\n\0\n");
  put(root, "esp/loader/entries/latin1.conf", Buffer.from([0x74, 0x0a, 0xe9, 0x0a]));
  put(root, "esp/loader/entries/huge.conf", "#".repeat(1024 * 1024 + 1));
  put(root, "esp/loader/entries/prof.conf", "title P\nprofile nope\n");
  put(root, "esp/loader/entries/range+2147483648.conf", "title R\n");
  put(root, "esp/loader/entries/bad name.conf", "title S\n");
  symlinkSync("good.conf", path.join(root, "esp/loader/entries/link.conf"));
  const r = loadBootEntries({ esp: path.join(root, "esp") });
  assert.equal(r.entries.map((e) => e.id), ["good.conf"]);
  const w = r.warnings.join("\n");
  assert.match(w, /binary\.conf:2: binary data/);
  assert.match(w, /latin1\.conf:2: not valid UTF-8/);
  assert.match(w, /huge\.conf: file is/);
  assert.match(w, /prof\.conf:2: .*profile/);
  assert.match(w, /range\+2147483648\.conf: .*out of range/);
  assert.match(w, /bad name\.conf: Invalid loader entry name/);
  assert.match(w, /link\.conf: symbolic link/);
}));

test("ESP and XBOOTLDR merged; the same inode is read once; same directory is one partition", () => withTempRoot((root) => {
  put(root, "esp/loader/entries/a.conf", "title A\n");
  put(root, "esp/loader/loader.conf", "default b*\n");
  put(root, "boot/loader/entries/b.conf", "title B\n");
  linkSync(path.join(root, "esp/loader/entries/a.conf"), path.join(root, "boot/loader/entries/hard.conf"));
  const r = loadBootEntries({ esp: path.join(root, "esp"), xbootldr: path.join(root, "boot") });
  assert.equal(r.entries.map((e) => [e.id, e.source]), [["b.conf", "xbootldr"], ["a.conf", "esp"]]);
  assert.is(r.loaderConf?.defaultPattern, "b*");
  const same = loadBootEntries({ esp: path.join(root, "esp"), xbootldr: path.join(root, "esp") });
  assert.is(same.entries.length, 1);
}));

test("a symlinked entries directory is refused", () => withTempRoot((root) => {
  put(root, "elsewhere/a.conf", "title A\n");
  mkdirSync(path.join(root, "esp/loader"), { recursive: true });
  symlinkSync(path.join(root, "elsewhere"), path.join(root, "esp/loader/entries"));
  const r = loadBootEntries({ esp: path.join(root, "esp") });
  assert.is(r.entries.length, 0);
  assert.match(r.warnings.join("\n"), /symbolic link/);
}));

test("Type #2: title/version/sort-key from .osrel, profiles @N, malformed PE skipped", () => withTempRoot((root) => {
  const osrel = 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=41\nPRETTY_NAME="Fedora Linux 41"\nIMAGE_VERSION=41.1\n';
  put(root, "esp/EFI/Linux/fed+3-1.efi", buildUki({ osrel, cmdline: "  root=/dev/sda1 quiet \n" }));
  put(root, "esp/EFI/Linux/multi.efi", buildUki({ osrel, profiles: [{ profile: "ID=default\nTITLE=Default\n" }, { profile: "TITLE=Debug\n" }, { profile: "" }] }));
  put(root, "esp/EFI/Linux/broken.efi", Buffer.from("MZ not really a PE"));
  const r = loadBootEntries({ esp: path.join(root, "esp") });
  const byId = new Map(r.entries.map((e) => [e.id, e]));
  const fed = byId.get("fed.efi")!;
  assert.is(fed.type, "type2");
  assert.is(fed.title, "Fedora Linux 41");
  assert.is(fed.version, "41.1");
  assert.is(fed.sortKey, "fedora");
  assert.is(fed.idOld, "fedora-41");
  assert.equal(fed.options, ["root=/dev/sda1 quiet"]);
  assert.equal(fed.tries, { left: 3, done: 1 });
  assert.is(fed.linux, "/EFI/Linux/fed+3-1.efi");
  assert.is(byId.get("multi.efi@default")?.title, "Fedora Linux 41 (Default)");
  assert.is(byId.get("multi.efi@1")?.title, "Fedora Linux 41 (Debug)");
  assert.is(byId.get("multi.efi@2")?.title, "Fedora Linux 41 (@2)");
  assert.match(r.warnings.join("\n"), /broken\.efi: [^0-9]/); // a PE file has no line number to show
}));

test("discovery: explicit paths; auto-detect /efi, /boot under an image root", () => withTempRoot((root) => {
  put(root, "efi/EFI/BOOT/BOOTX64.EFI", "x");
  put(root, "boot/loader/entries/a.conf", "title A\n");
  const auto = discoverBootPartitions({ root });
  assert.is(auto.esp?.inRoot, "/efi");
  assert.is(auto.xbootldr?.inRoot, "/boot");
  const given = discoverBootPartitions({ root, espPath: "/boot", bootPath: "/boot" });
  assert.is(given.esp?.inRoot, "/boot");
  assert.is(given.xbootldr, undefined);
  assert.throws(() => discoverBootPartitions({ root, espPath: "/nope" }), /no such directory/);
}));

test("listEntryIdsSync: ids from file names only (counters stripped), both partitions, no symlinks, dot files or backups", () => withTempRoot((root) => {
  put(root, "esp/loader/entries/a+3-1.conf", "\0 not read");
  put(root, "esp/loader/entries/.hidden.conf", "");
  put(root, "esp/loader/entries/b.conf~", "");
  put(root, "esp/loader/entries/notes.txt", "");
  put(root, "esp/EFI/Linux/u+2.efi", "not a PE: names only");
  put(root, "boot/loader/entries/x.conf", "");
  symlinkSync("a+3-1.conf", path.join(root, "esp/loader/entries/link.conf"));
  const ids = listEntryIdsSync({ esp: path.join(root, "esp"), xbootldr: path.join(root, "boot") }).sort();
  assert.equal(ids, ["a.conf", "u.efi", "x.conf"]);
}));

test("a sparse 3 GiB entry file is skipped by its size after reading at most 1 MiB + 1 byte", () => withTempRoot((root) => {
  put(root, "esp/loader/entries/good.conf", "title Good\n");
  put(root, "esp/loader/entries/sparse.conf", "");
  truncateSync(path.join(root, "esp/loader/entries/sparse.conf"), 3 * 1024 ** 3);
  const before = process.memoryUsage().rss;
  const r = loadBootEntries({ esp: path.join(root, "esp") });
  assert.equal(r.entries.map((e) => e.id), ["good.conf"]);
  assert.match(r.warnings.join("\n"), /sparse\.conf: file is 3221225472 bytes, more than 1048576, ignoring/);
  assert.ok(process.memoryUsage().rss - before < 256 * 1024 * 1024, "the file was not read whole");
}));

test.run();
