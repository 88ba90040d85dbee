/** The built `bootctl-ts list` / `status` (EFI variables from --efivars-path). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { CLI, runBuiltCli } from "../support/cli.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { withTempRoot } from "../support/tmp.ts";

function tree(root: string): { esp: string; vars: string } {
  const esp = path.join(root, "esp");
  const vars = path.join(root, "vars");
  mkdirSync(path.join(esp, "loader/entries"), { recursive: true });
  mkdirSync(vars);
  writeFileSync(path.join(esp, "loader/entries/fedora-2+1-2.conf"), "title Fedora\nversion 2\n");
  writeFileSync(path.join(esp, "loader/entries/fedora-1.conf"), "title Fedora\nversion 1\noptions quiet\n");
  writeFileSync(path.join(esp, "loader/loader.conf"), "default fedora-1*\n");
  return { esp, vars };
}

test("list --json: array, current systemd field names, default from loader.conf, selected from the variable", () => withTempRoot((root) => {
  const { esp, vars } = tree(root);
  writeLoaderString(vars, "LoaderEntrySelected", "fedora-2.conf");
  writeLoaderString(vars, "LoaderEntries", "fedora-2.conf");
  const r = runBuiltCli(["--esp-path", esp, "--efivars-path", vars, "list", "--json=short"]);
  assert.is(r.status, 0, r.stderr);
  const list = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.equal(list.map((e) => [e.id, e.showTitle, e.isDefault, e.isSelected, e.isReported]), [
    ["fedora-2.conf", "Fedora (2)", false, true, true],
    ["fedora-1.conf", "Fedora (1)", true, false, false],
  ]);
  assert.equal(Object.keys(list[1]!), ["type", "source", "id", "path", "root", "title", "showTitle", "version", "options", "isReported", "isDefault", "isSelected", "addons", "cmdline"]);
  assert.is(list[0]!.triesLeft, 1);
}));

test("list text and empty menu", () => withTempRoot((root) => {
  const { esp, vars } = tree(root);
  const r = runBuiltCli(["--esp-path", esp, "--efivars-path", vars, "list"]);
  assert.match(r.stdout, /title: Fedora \(1\) \(default\) \(not reported\/new\)/);
  assert.match(r.stdout, /tries: 1 left; 2 done/);
  mkdirSync(path.join(root, "empty"));
  const e = runBuiltCli(["--esp-path", path.join(root, "empty"), "--efivars-path", vars, "list"]);
  assert.is(e.status, 0);
  assert.match(e.stderr, /No boot loader entries found/);
  assert.is(runBuiltCli(["--esp-path", path.join(root, "empty"), "--efivars-path", vars, "list", "--json=short"]).stdout, "[]\n");
}));

test("status: boot assessment from LoaderBootCountPath (bless-boot words)", () => withTempRoot((root) => {
  const { esp, vars } = tree(root);
  const state = () => JSON.parse(runBuiltCli(["--esp-path", esp, "--efivars-path", vars, "status", "--json=short"]).stdout).bootAssessment;
  assert.is(state(), "clean");
  writeLoaderString(vars, "LoaderBootCountPath", "\\loader\\entries\\fedora-2+1-2.conf");
  assert.is(state(), "indeterminate");
  writeLoaderString(vars, "LoaderBootCountPath", "\\loader\\entries\\fedora-1+0-3.conf");
  assert.is(state(), "good");
  writeFileSync(path.join(esp, "loader/entries/old+0-2.conf"), "title Old\n"); // bless-boot bad name of old+1-2
  writeLoaderString(vars, "LoaderBootCountPath", "\\loader\\entries\\old+1-2.conf");
  assert.is(state(), "bad");
  writeLoaderString(vars, "LoaderBootCountPath", "\\loader\\entries\\old+0-2.conf");
  assert.is(state(), "dirty");
  writeLoaderString(vars, "LoaderEntryOneShot", "fedora-2.conf");
  const s = JSON.parse(runBuiltCli(["--esp-path", esp, "--efivars-path", vars, "status", "--json=short"]).stdout);
  assert.equal(s.default, { id: "fedora-2.conf", reason: "oneshot-variable", pattern: "fedora-2.conf" });
}));

test("missing ESP is an error, not a crash", () => {
  const r = runBuiltCli(["--esp-path", "/nonexistent-esp-dir", "list"]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^bootctl-ts: --esp-path/);
});

test("a large listing through a pipe arrives whole (the binary exits as soon as its output is written)", () => withTempRoot((root) => {
  const esp = path.join(root, "esp");
  mkdirSync(path.join(esp, "loader/entries"), { recursive: true });
  for (let i = 0; i < 3000; i++) writeFileSync(path.join(esp, `loader/entries/e-${i}.conf`), `title E\nversion ${i}\noptions ${"x".repeat(200)}\n`);
  // A reader slower than the writer: the pipe fills and every write must still land.
  const r = spawnSync("sh", ["-c", `node "$0" --esp-path "$1" --boot-path "$1" -q list --json=short | (sleep 0.3; cat)`, CLI, esp], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  assert.is(r.status, 0, r.stderr);
  const list = JSON.parse(r.stdout) as { version: string }[];
  assert.is(list.length, 3000);
  assert.is(list[0]!.version, "2999");
}));

test.run();
