import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { blessStatusOf } from "../../src/actions/bless-boot.ts";
import { handleBootFailure, HEALTH_REPORT } from "../../src/actions/boot-failure.ts";
import { lastRollback, recordRollbacks } from "../../src/actions/rollback.ts";
import { readRollbackHistory } from "../../src/adapters/rollback-file.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { withTempRoot } from "../support/tmp.ts";

function setup(root: string, files: string[]) {
  const entries = path.join(root, "efi/loader/entries");
  const efivars = path.join(root, "efivars");
  mkdirSync(entries, { recursive: true });
  mkdirSync(efivars);
  for (const f of files) writeFileSync(path.join(entries, f), "title x\n");
  return { efivars, options: { root, partitions: ["/efi"], efivarsPath: efivars } };
}

/** The next boot as systemd-boot leaves it: the variables of the entry it booted. */
function nextBoot(efivars: string, selected: string, countPath?: string) {
  rmSync(efivars, { recursive: true, force: true });
  mkdirSync(efivars);
  writeLoaderString(efivars, "LoaderEntrySelected", selected);
  if (countPath) writeLoaderString(efivars, "LoaderBootCountPath", countPath);
}

test("systemd-boot: marked bad by on-failure, then the next boot of the fallback records why", async () => {
  await withTempRoot(async (root) => {
    const { efivars, options } = setup(root, ["new+2-1.conf", "old.conf"]);
    writeLoaderString(efivars, "LoaderBootCountPath", "/loader/entries/new+2-1.conf");
    mkdirSync(path.join(root, "run/bootctl-ts"), { recursive: true });
    writeFileSync(path.join(root, HEALTH_REPORT), JSON.stringify({ verdict: "red", checks: [{ kind: "required", name: "10-network", ok: false }], hooks: [], skipped: [] }));
    const outcome = await handleBootFailure({ ...options, cmdline: "", reboot: () => {} });
    assert.equal(outcome.failedChecks, ["10-network"]);
    assert.is(outcome.recordError, undefined);
    // At the failed boot itself there is no rollback yet.
    assert.equal((await readRollbackHistory(root)).records, []);
    nextBoot(efivars, "old.conf");
    const added = await recordRollbacks(await blessStatusOf(options), options, new Date("2026-12-07T10:00:00Z"));
    assert.equal(added.map((r) => [r.from, r.to, r.tries, r.reason, r.time]), [["new.conf", "old.conf", 1, "health checks failed: 10-network", "2026-12-07T10:00:00.000Z"]]);
    // Seen again at later boots: recorded once.
    assert.equal(await recordRollbacks(await blessStatusOf(options), options), []);
    const { last, total } = await lastRollback(root);
    assert.equal([last?.from, total], ["new.conf", 1]);
  });
});

test("systemd-boot: out of tries without reaching userspace", async () => {
  await withTempRoot(async (root) => {
    const { efivars, options } = setup(root, ["new+0-3.conf", "old.conf"]);
    nextBoot(efivars, "old.conf");
    const added = await recordRollbacks(await blessStatusOf(options), options);
    assert.equal(added.map((r) => [r.from, r.to, r.tries, r.reason]), [["new.conf", "old.conf", 3, "never reached userspace"]]);
  });
});

test("systemd-boot: a trial still booting (its own +0-N try) is no rollback", async () => {
  await withTempRoot(async (root) => {
    const { efivars, options } = setup(root, ["new+0-3.conf", "old.conf"]);
    nextBoot(efivars, "new+0-3.conf", "/loader/entries/new+0-3.conf");
    assert.equal(await recordRollbacks(await blessStatusOf(options), options), []);
  });
});

test("GRUB: the trial out of tries and the fallback booted", async () => {
  await withTempRoot(async (root) => {
    mkdirSync(path.join(root, "boot/grub"), { recursive: true });
    const vars = "bootctl_trial=new\nbootctl_tries=0\nbootctl_fallback=old\nbootctl_booted=old\n";
    writeFileSync(path.join(root, "boot/grub/grubenv"), ("# GRUB Environment Block\n" + vars).padEnd(1024, "#"));
    const options = { root, partitions: [], efivarsPath: path.join(root, "no-efivars") };
    const added = await recordRollbacks(await blessStatusOf(options), options);
    assert.equal(added.map((r) => [r.loader, r.from, r.to, r.tries, r.reason]), [["grub", "new", "old", null, "never reached userspace"]]);
  });
});

test.run();
