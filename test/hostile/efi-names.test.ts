/**
 * EFI variable names and GUIDs with `/`, `..`, NUL or no GUID at all (issue 9, "Hostile input",
 * item 5), passed to the efi verbs and the library, or found as file names in a `--efivars-path`
 * directory. efivarfs names are `Name-GUID` (Linux Documentation/filesystems/efivarfs.rst; the
 * kernel's efivarfs_valid_name() accepts nothing else): anything that is not is refused before a
 * path is built, and nothing is ever written outside the directory. Files that are not variables
 * are skipped when listing, as efibootmgr (libefivar, `EFIVARFS_PATH=DIR/`) skips them.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { BootctlError } from "../../src/errors.ts";
import { deleteEfiVariable, readEfiVariable, writeEfiVariable } from "../../src/adapters/efivarfs.ts";
import { DEFAULT_ATTRIBUTES } from "../../src/formats/efi/efivarfs-file.ts";
import { runBuiltCli } from "../support/cli.ts";
import { requireTool } from "../support/exec.ts";
import { assertRefused, runInProcess, withSandbox } from "../support/hostile.ts";

const GLOBAL = "8be4df61-93ca-11d2-aa0d-00e098032b8c";

test("library: names with '/' or NUL, and GUIDs that are not GUIDs, are typed errors; nothing is read or written outside", async () => {
  await withSandbox(async (s) => {
    const dir = s.at("efivars");
    mkdirSync(dir);
    // A file the escaping names would reach if they were joined as paths.
    writeFileSync(path.join(s.outside, `x-${GLOBAL}`), Buffer.from([7, 0, 0, 0, 0x41, 0]));
    const value = { attributes: DEFAULT_ATTRIBUTES, data: Buffer.from("a\0", "utf16le") };
    const hostile: [string, string][] = [
      ["a/b", GLOBAL], ["../../outside/x", GLOBAL], ["/etc/passwd", GLOBAL], ["a\0b", GLOBAL], ["", GLOBAL],
      ["Boot0001", ""], ["Boot0001", "/../../outside/x"], ["Boot0001", `${GLOBAL}/../../../outside/x`], ["Boot0001", "not-a-guid"], ["Boot0001", `${GLOBAL}\0`],
    ];
    s.mark();
    for (const [name, guid] of hostile) {
      const label = `${JSON.stringify(name)} ${JSON.stringify(guid)}`;
      for (const [op, run] of [
        ["read", () => readEfiVariable(dir, name, guid)],
        ["write", () => writeEfiVariable(dir, name, guid, value)],
        ["delete", () => deleteEfiVariable(dir, name, guid)],
      ] as const) {
        const err = await (run as () => Promise<unknown>)().then(() => undefined, (e: unknown) => e);
        assert.instance(err, BootctlError, `${op} ${label}`);
        assert.is((err as BootctlError).code, "E_EFIVAR_NAME", `${op} ${label}`);
      }
    }
    s.assertUnchanged("hostile names");
    // `..` alone is a (strange but) valid variable name: its file stays inside the directory.
    s.mark();
    assert.is(await writeEfiVariable(dir, "..", GLOBAL, value), "written");
    s.assertOnlyChanges([`+root/efivars/..-${GLOBAL}`], "a variable named '..'");
  });
});

test("efi verbs: boot numbers with '/', '..' or too many digits are usage errors; nothing written", async () => {
  await withSandbox(async (s) => {
    mkdirSync(s.at("efivars"));
    const base = ["--efivars-path", s.at("efivars")];
    s.mark();
    for (const args of [["set-next", "../x"], ["set-next", "0001/x"], ["delete", "../../outside/x"], ["set-order", "0001,../x"], ["set-active", "/x"], ["set-inactive", "00001"], ["set-next", "10000"], ["delete", ".."], ["set-order", ",,"]]) {
      assertRefused(await runInProcess([...base, "efi", ...args]), `efi ${args.join(" ")}`, /invalid boot option number|usage|expected/i);
    }
    assertRefused(runBuiltCli([...base, "efi", "delete", "../../outside/x"]), "built binary", /invalid boot option number/);
    s.assertUnchanged("efi verbs");
  });
});

test("--efivars-path: files that are not Name-GUID (no GUID, '..', directories, empty) are skipped, as efibootmgr does", async () => {
  requireTool("efibootmgr", "efibootmgr");
  await withSandbox(async (s) => {
    const dir = s.at("efivars");
    mkdirSync(dir);
    const stored = Buffer.from([7, 0, 0, 0, 0x41, 0]);
    writeFileSync(path.join(dir, "Boot0001"), stored); // no GUID
    writeFileSync(path.join(dir, `..-${GLOBAL}`), stored);
    writeFileSync(path.join(dir, `-${GLOBAL}`), stored); // empty name
    writeFileSync(path.join(dir, `Timeout-${GLOBAL}`), Buffer.alloc(0)); // created, never written
    mkdirSync(path.join(dir, `Boot0004-${GLOBAL}`));
    writeFileSync(path.join(dir, `Timeout-${GLOBAL.toUpperCase()}x`), stored); // not a GUID suffix
    s.mark();
    const theirs = spawnSync("efibootmgr", [], { encoding: "utf8", env: { ...process.env, EFIVARFS_PATH: dir + "/", LC_ALL: "C" } });
    const ours = await runInProcess(["--efivars-path", dir, "efi", "list"]);
    assert.is(ours.status, theirs.status, `${ours.stderr} / ${theirs.stderr}`);
    assert.is(ours.stdout, theirs.stdout);
    s.assertUnchanged("listing");
    // Writing next to them touches only the one variable file.
    s.mark();
    const r = await runInProcess(["--efivars-path", dir, "efi", "set-order", "0001"]);
    assert.is(r.status, 0, r.stderr);
    s.assertOnlyChanges([`+root/efivars/BootOrder-${GLOBAL}`], "set-order");
  });
});

test.run();
