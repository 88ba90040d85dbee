import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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

test.run();
