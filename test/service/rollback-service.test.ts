/** The built service keeps the rollback record at mark-good; the built CLI's `status` shows it. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { SERVICE, runBuiltCli } from "../support/cli.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { withTempRoot } from "../support/tmp.ts";

test("mark-good on the fallback records the rollback once; status and status --json show it", () => withTempRoot((root) => {
  const entries = path.join(root, "efi/loader/entries");
  const vars = path.join(root, "vars");
  mkdirSync(entries, { recursive: true });
  mkdirSync(vars);
  writeFileSync(path.join(entries, "new+0-3.conf"), "title New\n");
  writeFileSync(path.join(entries, "old.conf"), "title Old\n");
  writeLoaderString(vars, "LoaderEntrySelected", "old.conf");
  const service = () => spawnSync(process.execPath, [SERVICE, "mark-good", "--root", root, "--path", "/efi", "--efivars-path", vars], { encoding: "utf8" });
  const first = service();
  assert.is(first.status, 0, first.stderr);
  assert.match(first.stderr, /fell back from new\.conf to old\.conf after 3 tries: never reached userspace/);
  assert.match(first.stderr, /not booted with boot counting in effect/);
  const second = service();
  assert.is(second.status, 0);
  assert.not.match(second.stderr, /fell back/);
  const json = JSON.parse(runBuiltCli(["--root", root, "--esp-path", "/efi", "--efivars-path", vars, "status", "--json=short"]).stdout);
  assert.equal([json.lastRollback.from, json.lastRollback.to, json.lastRollback.tries, json.lastRollback.reason, json.rollbacksTotal], ["new.conf", "old.conf", 3, "never reached userspace", 1]);
  assert.is(json.lastRollback.key, undefined);
  const text = runBuiltCli(["--root", root, "--esp-path", "/efi", "--efivars-path", vars, "status"]).stdout;
  assert.match(text, /Last rollback: new\.conf → old\.conf, .*, after 3 tries: never reached userspace/);
}));

test("a rollback record that cannot be written does not fail mark-good", () => withTempRoot((root) => {
  const entries = path.join(root, "efi/loader/entries");
  const vars = path.join(root, "vars");
  mkdirSync(entries, { recursive: true });
  mkdirSync(vars);
  mkdirSync(path.join(root, "var/lib"), { recursive: true });
  writeFileSync(path.join(root, "var/lib/bootctl-ts"), "a file where the directory should be\n");
  writeFileSync(path.join(entries, "new+0-3.conf"), "title New\n");
  writeFileSync(path.join(entries, "old.conf"), "title Old\n");
  writeLoaderString(vars, "LoaderEntrySelected", "old.conf");
  const r = spawnSync(process.execPath, [SERVICE, "mark-good", "--root", root, "--path", "/efi", "--efivars-path", vars], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /cannot keep the rollback record/);
}));

test.run();
