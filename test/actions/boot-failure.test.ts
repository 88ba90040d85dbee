import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { handleBootFailure, FAILURE_RECORD } from "../../src/actions/boot-failure.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { withTempRoot } from "../support/tmp.ts";

function setup(root: string, files: string[], bootCountPath?: string) {
  const entries = path.join(root, "efi/loader/entries");
  const efivars = path.join(root, "efivars");
  mkdirSync(entries, { recursive: true });
  mkdirSync(efivars);
  for (const f of files) writeFileSync(path.join(entries, f), "title x\n");
  if (bootCountPath) writeLoaderString(efivars, "LoaderBootCountPath", bootCountPath);
  return { entries, options: { root, partitions: ["/efi"], efivarsPath: efivars } };
}

test("a failing counted boot is marked bad and reboots; the decision is recorded", async () => {
  await withTempRoot(async (root) => {
    const { entries, options } = setup(root, ["new+2-1.conf", "old.conf"], "/loader/entries/new+2-1.conf");
    let reboots = 0;
    const outcome = await handleBootFailure({ ...options, cmdline: "quiet", reboot: () => { reboots++; } });
    assert.equal([outcome.markBad, outcome.reboot, outcome.rebooted, reboots], [true, true, true, 1]);
    assert.equal(readdirSync(entries).sort(), ["new+0-1.conf", "old.conf"]);
    const record = JSON.parse(readFileSync(path.join(root, FAILURE_RECORD), "utf8"));
    assert.is(record.state, "indeterminate");
  });
});

test("bootloop guard: the fallback failing too does not reboot", async () => {
  await withTempRoot(async (root) => {
    const { entries, options } = setup(root, ["new+0-3.conf", "old.conf"]);
    let reboots = 0;
    const outcome = await handleBootFailure({ ...options, cmdline: "", reboot: () => { reboots++; } });
    assert.equal([outcome.guard, outcome.reboot, reboots], [true, false, 0]);
    assert.equal(readdirSync(entries).sort(), ["new+0-3.conf", "old.conf"]);
    assert.match(JSON.parse(readFileSync(path.join(root, FAILURE_RECORD), "utf8")).reason, /bootloop guard/);
  });
});

test("bootctl-ts.reboot=0 marks bad without rebooting", async () => {
  await withTempRoot(async (root) => {
    const { entries, options } = setup(root, ["new+1-2.conf"], "/loader/entries/new+1-2.conf");
    let reboots = 0;
    await handleBootFailure({ ...options, cmdline: "bootctl-ts.reboot=0", reboot: () => { reboots++; } });
    assert.is(reboots, 0);
    assert.equal(readdirSync(entries), ["new+0-2.conf"]);
  });
});

test("the last try (systemd-boot already renamed it to +0-N) is marked bad and falls back", async () => {
  await withTempRoot(async (root) => {
    const { entries, options } = setup(root, ["new+0-1.conf", "old.conf"], "/loader/entries/new+0-1.conf");
    let reboots = 0;
    const outcome = await handleBootFailure({ ...options, cmdline: "", reboot: () => { reboots++; } });
    assert.equal([outcome.state, outcome.guard, reboots], ["dirty", false, 1]);
    assert.equal(readdirSync(entries).sort(), ["new+0-1.conf", "old.conf"]);
  });
});

test("a default that pins the failed entry: rebooting would start it again, so the guard stops", async () => {
  await withTempRoot(async (root) => {
    const { options } = setup(root, ["new+1-1.conf", "old.conf"], "/loader/entries/new+1-1.conf");
    writeFileSync(path.join(root, "efi/loader/loader.conf"), "default new.conf\n");
    let reboots = 0;
    const outcome = await handleBootFailure({ ...options, cmdline: "", reboot: () => { reboots++; } });
    assert.equal([outcome.markBad, outcome.guard, reboots], [true, true, 0]);
  });
});

test("loader.conf: the LAST default counts, as systemd-boot reads it (loader.conf(5), our codec)", async () => {
  for (const [conf, reboots, why] of [
    ["default new.conf\ndefault old.conf\n", 1, "the last default names the fallback: rebooting starts it"],
    ["default old.conf\ntimeout 3\ndefault \"new.conf\"\n", 0, "the last default (sd-boot unquotes it) pins the failed entry: the guard stops"],
  ] as const) {
    await withTempRoot(async (root) => {
      const { options } = setup(root, ["new+1-1.conf", "old.conf"], "/loader/entries/new+1-1.conf");
      writeFileSync(path.join(root, "efi/loader/loader.conf"), conf);
      let count = 0;
      const outcome = await handleBootFailure({ ...options, cmdline: "", reboot: () => { count++; } });
      assert.equal([outcome.markBad, count], [true, reboots], `${why}: ${outcome.reason}`);
    });
  }
});

test("paths are confined: a loader.conf or loader/entries that is a symbolic link out of the ESP is refused, not followed", async () => {
  await withTempRoot(async (root) => {
    // The booted entry is counted; loader.conf links to a file outside the ESP that would let
    // the failed entry fall back (default old.conf).
    const { options } = setup(root, ["new+1-1.conf", "old.conf"], "/loader/entries/new+1-1.conf");
    writeFileSync(path.join(root, "outside.conf"), "default old.conf\n");
    symlinkSync(path.join(root, "outside.conf"), path.join(root, "efi/loader/loader.conf"));
    let count = 0;
    const outcome = await handleBootFailure({ ...options, cmdline: "", reboot: () => { count++; } });
    assert.equal([outcome.markBad, outcome.guard, count], [true, true, 0], outcome.reason);
    assert.match(outcome.reason, /refusing to follow symbolic link: .*loader\.conf/);
    assert.match(JSON.parse(readFileSync(path.join(root, FAILURE_RECORD), "utf8")).reason, /symbolic link/);
  });
  await withTempRoot(async (root) => {
    // An uncounted entry failed (LoaderEntrySelected); loader/entries links to a directory outside
    // the ESP whose names would make it look as if something else could boot.
    const efivars = path.join(root, "efivars");
    mkdirSync(path.join(root, "efi/loader"), { recursive: true });
    mkdirSync(path.join(root, "elsewhere"));
    mkdirSync(efivars);
    writeFileSync(path.join(root, "elsewhere/other.conf"), "title x\n");
    symlinkSync(path.join(root, "elsewhere"), path.join(root, "efi/loader/entries"));
    writeLoaderString(efivars, "LoaderEntrySelected", "old.conf");
    let count = 0;
    const outcome = await handleBootFailure({ root, partitions: ["/efi"], efivarsPath: efivars, cmdline: "", reboot: () => { count++; } });
    assert.equal([outcome.guard, count], [true, 0], outcome.reason);
    assert.match(outcome.reason, /refusing to follow symbolic link: .*loader\/entries/);
  });
});

test("an unreadable LoaderEntryDefault is not taken for an absent one: what boots next is unknown, so the guard stops", async () => {
  await withTempRoot(async (root) => {
    const { options } = setup(root, ["new+1-1.conf", "old.conf"], "/loader/entries/new+1-1.conf");
    // A directory where the variable's file is: reading it fails with EISDIR (as EIO would on NVRAM).
    mkdirSync(path.join(options.efivarsPath, "LoaderEntryDefault-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"));
    let reboots = 0;
    const outcome = await handleBootFailure({ ...options, cmdline: "", reboot: () => { reboots++; } });
    assert.equal([outcome.markBad, outcome.guard, outcome.reboot, reboots], [true, true, false, 0]);
    assert.match(outcome.reason, /LoaderEntryDefault/);
  });
});

test.run();
