/**
 * Crash safety of grubenv updates (issue 3): after a crash at any point, GRUB — here the real
 * `grub-editenv F list`, which runs GRUB's own envblk reader — sees either the old or the new
 * variables, and the file keeps its size.
 * 1. The durable-fs seam: a simulated power cut after every step of the update.
 * 2. A real `node dist/cli.cjs grubenv F set|create` process (unset is the same replacement)
 *    killed with SIGKILL (strace fault injection, test/support/strace-kill.ts) at every call of
 *    every write-related system call, until a run completes; the expected blocks are
 *    grub-editenv's for the same edit.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createGrubenvFile, editGrubenvFile } from "../../src/adapters/grubenv-file.ts";
import { SimulatedCrash, WRITE_STEPS, type WriteStep } from "../../src/adapters/durable-fs.ts";
import { setVariable, unsetVariable } from "../../src/formats/grubenv.ts";
import { execTool, requireTool } from "../support/exec.ts";
import { formatReport, grubEditenvList, killEverywhere, type CrashScenario } from "../support/strace-kill.ts";
import { withTempRoot } from "../support/tmp.ts";

const BASIC = new URL("../../fixtures/vectors/grubenv/basic.grubenv", import.meta.url).pathname;
const OLD_LIST = "saved_entry=0\nnext_entry=Fedora Linux (6.5.6-300.fc39.x86_64) 39\nboot_success=1\n";
const NEW_LIST = "saved_entry=0\nnext_entry=Fedora Linux (6.5.6-300.fc39.x86_64) 39\nboot_success=0\nboot_counter=2\n";

async function grubList(file: string): Promise<string> {
  const r = await execTool("grub-editenv", [file, "list"]);
  return r.status === 0 ? r.stdout : `exit ${r.status}: ${r.stderr}`;
}

const crashAt = (wanted: WriteStep) => (step: WriteStep) => {
  if (step === wanted) throw new SimulatedCrash(step);
};

test("seam: a power cut after every step of set leaves the old or the new block", async () => {
  requireTool("grub-editenv", "grub-common");
  const seen = new Set<string>();
  for (const step of WRITE_STEPS.atomicReplace) {
    await withTempRoot(async (root) => {
      const file = path.join(root, "grubenv");
      copyFileSync(BASIC, file);
      const edit = (b: Parameters<typeof setVariable>[0]) => setVariable(setVariable(b, "boot_success", "0"), "boot_counter", "2");
      const err = await editGrubenvFile(root, file, edit, { seam: crashAt(step) }).catch((e: unknown) => e);
      assert.instance(err, SimulatedCrash, step);
      const list = await grubList(file);
      assert.ok(list === OLD_LIST || list === NEW_LIST, `${step}: ${list}`);
      assert.is(statSync(file).size, 1024);
      // Before the rename the old block is intact; from the rename on, the new one is there.
      const renamed = WRITE_STEPS.atomicReplace.indexOf(step) >= WRITE_STEPS.atomicReplace.indexOf("rename");
      assert.is(list, renamed ? NEW_LIST : OLD_LIST, step);
      seen.add(list);
    });
  }
  assert.is(seen.size, 2);
});

test("seam: unset, create, and a set that creates a missing file are just as safe", async () => {
  requireTool("grub-editenv", "grub-common");
  const UNSET_LIST = "saved_entry=0\nboot_success=1\n";
  const seen = { unset: new Set<string>(), create: new Set<string>(), missing: new Set<boolean>() };
  for (const step of WRITE_STEPS.atomicReplace) {
    // Before the rename the old state is intact; from the rename on, the new one is there.
    const renamed = WRITE_STEPS.atomicReplace.indexOf(step) >= WRITE_STEPS.atomicReplace.indexOf("rename");
    await withTempRoot(async (root) => {
      const file = path.join(root, "grubenv");
      copyFileSync(BASIC, file);
      const unset = await editGrubenvFile(root, file, (b) => unsetVariable(b, "next_entry"), { seam: crashAt(step) }).catch((e: unknown) => e);
      assert.instance(unset, SimulatedCrash, `unset, ${step}`);
      const afterUnset = await grubList(file);
      assert.is(afterUnset, renamed ? UNSET_LIST : OLD_LIST, `unset, ${step}`);
      assert.is(statSync(file).size, 1024);
      seen.unset.add(afterUnset);

      const create = await createGrubenvFile(root, file, { seam: crashAt(step) }).catch((e: unknown) => e);
      assert.instance(create, SimulatedCrash, `create, ${step}`);
      const afterCreate = await grubList(file);
      // create replaces the block with an empty one, as `grub-editenv F create` does.
      assert.is(afterCreate, renamed ? "" : afterUnset, `create, ${step}`);
      assert.is(statSync(file).size, 1024);
      seen.create.add(afterCreate);

      const missing = path.join(root, "new.env");
      const set = await editGrubenvFile(root, missing, (b) => setVariable(b, "a", "1"), { seam: crashAt(step) }).catch((e: unknown) => e);
      assert.instance(set, SimulatedCrash, `set on a missing file, ${step}`);
      // Old = no file at all; new = the complete block. Never an empty or partial file.
      assert.is(existsSync(missing), renamed, `set on a missing file, ${step}`);
      if (renamed) {
        assert.is(await grubList(missing), "a=1\n", step);
        assert.is(statSync(missing).size, 1024);
      }
      seen.missing.add(existsSync(missing));
    });
  }
  // Every step was reached: both outcomes of each write were seen.
  assert.is(seen.unset.size, 2);
  assert.is(seen.create.size, 2);
  assert.is(seen.missing.size, 2);
});

const FILE = "boot/grub/grubenv";
const grubenvArgs = (...verb: string[]) => (tree: string) => ["grubenv", path.join(tree, FILE), ...verb];
const grubenvView = (tree: string) => grubEditenvList(path.join(tree, FILE));
const withBasic = (tree: string) => {
  mkdirSync(path.join(tree, "boot/grub"), { recursive: true });
  copyFileSync(BASIC, path.join(tree, FILE));
};

/** The expected blocks are grub-editenv's own: the same edit made by the real tool on a copy. */
function grubEditenvResult(...verb: string[]): string {
  return withTempRootSync((dir) => {
    const file = path.join(dir, "grubenv");
    copyFileSync(BASIC, file);
    const r = spawnSync("grub-editenv", [file, ...verb], { encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    return spawnSync("grub-editenv", [file, "list"], { encoding: "utf8" }).stdout;
  });
}

function withTempRootSync<T>(body: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), "bootctl-ts-grubenv-"));
  try {
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const scenarios: CrashScenario[] = [
  {
    name: "grubenv F set boot_success=0 boot_counter=2",
    setup: withBasic,
    args: grubenvArgs("set", "boot_success=0", "boot_counter=2"),
    view: grubenvView,
    checkNew: (view) => {
      assert.is(view, NEW_LIST);
      assert.is(view, grubEditenvResult("set", "boot_success=0", "boot_counter=2"));
    },
  },
  {
    name: "grubenv F create (a new 1024-byte block)",
    setup: (tree) => {
      mkdirSync(path.join(tree, "boot/grub"), { recursive: true });
    },
    args: grubenvArgs("create"),
    view: grubenvView,
    // grub-editenv create: an empty block; `list` prints nothing (the old state: no file).
    checkNew: (view, tree) => {
      assert.is(view, "");
      assert.is(statSync(path.join(tree, FILE)).size, 1024);
    },
  },
];

test("process: SIGKILL at every write-related system call of `bootctl-ts grubenv F set|create` (strace)", async () => {
  requireTool("strace", "strace");
  requireTool("grub-editenv", "grub-common");
  const started = Date.now();
  const reports = await killEverywhere(scenarios);
  for (const r of reports) console.log(`  ${formatReport(r)}`);
  console.log(`  grubenv-crash: ${Date.now() - started} ms`);
  for (const r of reports) {
    assert.ok(r.kills >= 4, `${r.name}: only ${r.kills} kills`);
    assert.ok(r.outcomes.old > 0 && r.outcomes.new + r.outcomes.completed > 0, `${r.name}: ${JSON.stringify(r.outcomes)}`);
    assert.is(r.outcomes.intermediate, 0, r.name);
  }
});

test.run();
