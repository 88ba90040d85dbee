/**
 * The message catalog as systemd reads it: `journalctl --root DIR --update-catalog` compiles
 * DIR/usr/lib/systemd/catalog/*.catalog (systemd src/libsystemd/sd-journal/catalog.c, which
 * refuses a malformed file), and `--list-catalog` / `--dump-catalog` must then give each id with
 * our subject and text. The file is the one install-units writes.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CATALOG_FILE, installLayout } from "../../src/install/layout.ts";
import { MESSAGE_IDS } from "../../src/ops/journal.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

for (const mode of ["vendor", "admin"] as const) test(`journalctl --update-catalog compiles the catalog install-units --mode=${mode} installs; each id lists with its subject`, () => withTempRoot((root) => {
  requireTool("journalctl", "systemd");
  const file = installLayout({ mode, node: "/usr/bin/node" }).files.find((f) => f.path === CATALOG_FILE[mode]);
  assert.ok(file && file.source.kind === "text", "install-units and the package install the catalog");
  mkdirSync(path.join(root, path.dirname(CATALOG_FILE[mode])), { recursive: true });
  writeFileSync(path.join(root, CATALOG_FILE[mode]), (file!.source as { text: string }).text);
  const update = spawnSync("journalctl", ["--root", root, "--update-catalog"], { encoding: "utf8", timeout: 30_000 });
  assert.is(update.status, 0, update.stderr);
  assert.not.match(update.stderr, /failed|invalid|error/i, update.stderr);
  const list = spawnSync("journalctl", ["--root", root, "--list-catalog"], { encoding: "utf8", timeout: 30_000 });
  assert.is(list.status, 0, list.stderr);
  const lines = list.stdout.trim().split("\n");
  assert.is(lines.length, Object.keys(MESSAGE_IDS).length, list.stdout);
  assert.ok(lines.includes("283a0934852e47639816fbf3bcbcb3e5 bootctl-ts: Boot entry @BOOTCTL_TS_ENTRY@ marked good"), list.stdout);
  assert.ok(lines.includes("1e646399a5404204bf16c2b09c969caa bootctl-ts: Boot loader fell back from @BOOTCTL_TS_ENTRY@ to @BOOTCTL_TS_BOOTED@"), list.stdout);
  const dump = spawnSync("journalctl", ["--root", root, "--dump-catalog", MESSAGE_IDS.guardStopped], { encoding: "utf8", timeout: 30_000 });
  assert.is(dump.status, 0, dump.stderr);
  assert.match(dump.stdout, /Subject: Health checks failed, not rebooting \(bootloop guard\)/);
  assert.match(dump.stdout, /Defined-By: bootctl-ts/);
}));

test("a catalog entry systemd cannot read is refused by it (the check can fail)", () => withTempRoot((root) => {
  mkdirSync(path.join(root, path.dirname(CATALOG_FILE.vendor)), { recursive: true });
  writeFileSync(path.join(root, CATALOG_FILE.vendor), "-- not-an-id\nSubject: x\n\ntext\n");
  const update = spawnSync("journalctl", ["--root", root, "--update-catalog"], { encoding: "utf8", timeout: 30_000 });
  assert.ok(update.status !== 0 || /invalid|failed/i.test(update.stderr), update.stderr);
}));

test.run();
