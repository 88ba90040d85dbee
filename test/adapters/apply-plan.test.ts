/** Carrying out plans (src/adapters/apply-plan.ts): the preflight check and undo on failure. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { applyPlan } from "../../src/adapters/apply-plan.ts";
import { withTempRoot } from "../support/tmp.ts";

test("a plan whose later effect meets a symbolic link is refused before its first effect runs", () => withTempRoot(async (root) => {
  // What `remove` plans: the entry first, then the kernel files; here the kernel is a link.
  mkdirSync(path.join(root, "loader/entries"), { recursive: true });
  mkdirSync(path.join(root, "debian/6.1"), { recursive: true });
  writeFileSync(path.join(root, "loader/entries/debian-6.1.conf"), "title Debian\n");
  writeFileSync(path.join(root, "elsewhere"), "secret");
  symlinkSync(path.join(root, "elsewhere"), path.join(root, "debian/6.1/linux"));
  const err = await applyPlan({
    effects: [
      { kind: "remove", root, path: "loader/entries/debian-6.1.conf" },
      { kind: "remove", root, path: "debian/6.1/linux" },
      { kind: "rmdir", root, path: "debian/6.1" },
    ],
  }).catch((e: unknown) => e);
  assert.instance(err, Error);
  assert.match(String((err as Error).message), /symbolic link/);
  assert.ok(existsSync(path.join(root, "loader/entries/debian-6.1.conf")), "the entry is still there");
  assert.is(readlinkSync(path.join(root, "debian/6.1/linux")), path.join(root, "elsewhere"));
  assert.is(readFileSync(path.join(root, "elsewhere"), "utf8"), "secret");
}));

test("a path leaving the root is refused before anything is written", () => withTempRoot(async (root) => {
  const err = await applyPlan({
    effects: [
      { kind: "write-file", root, path: "a.conf", content: Buffer.from("x") },
      { kind: "write-file", root, path: "../escape.conf", content: Buffer.from("x") },
    ],
  }).catch((e: unknown) => e);
  assert.instance(err, Error);
  assert.not.ok(existsSync(path.join(root, "a.conf")));
  assert.not.ok(existsSync(path.join(root, "..", "escape.conf")));
}));

test.run();
