/**
 * Crash safety of grubenv updates (issue 3): after a crash at any point, GRUB — here the real
 * `grub-editenv F list`, which runs GRUB's own envblk reader — sees either the old or the new
 * variables, and the file keeps its size.
 * 1. The durable-fs seam: a simulated power cut after every step of the update.
 * 2. A real `node dist/cli.cjs grubenv F set …` process killed with SIGKILL (strace fault
 *    injection) at every call of every write-related system call, until a run completes.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, existsSync, readFileSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { createGrubenvFile, editGrubenvFile } from "../../src/adapters/grubenv-file.ts";
import { SimulatedCrash, WRITE_STEPS, type WriteStep } from "../../src/adapters/durable-fs.ts";
import { setVariable, unsetVariable } from "../../src/formats/grubenv.ts";
import { CLI } from "../support/cli.ts";
import { execTool, requireTool } from "../support/exec.ts";
import { mapPool } from "../support/pool.ts";
import { withTempRoot } from "../support/tmp.ts";

const BASIC = new URL("../../../shared/reference/vectors/grubenv/basic.grubenv", import.meta.url).pathname;
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
  for (const step of WRITE_STEPS.atomicReplace) {
    await withTempRoot(async (root) => {
      const file = path.join(root, "grubenv");
      copyFileSync(BASIC, file);
      await editGrubenvFile(root, file, (b) => unsetVariable(b, "next_entry"), { seam: crashAt(step) }).catch(() => undefined);
      assert.ok([OLD_LIST, "saved_entry=0\nboot_success=1\n"].includes(await grubList(file)), step);
      await createGrubenvFile(root, file, { seam: crashAt(step) }).catch(() => undefined);
      assert.is(statSync(file).size, 1024);
      const missing = path.join(root, "new.env");
      await editGrubenvFile(root, missing, (b) => setVariable(b, "a", "1"), { seam: crashAt(step) }).catch(() => undefined);
      // Old = no file at all; new = the complete block. Never an empty or partial file.
      if (existsSync(missing)) assert.is(await grubList(missing), "a=1\n", step);
    });
  }
});

const SYSCALLS = ["openat", "write", "pwrite64", "fsync", "fdatasync", "rename", "renameat", "renameat2", "unlink", "close"];

test("process: SIGKILL at every write-related system call of `bootctl-ts grubenv F set` (strace)", async () => {
  requireTool("strace", "strace");
  requireTool("grub-editenv", "grub-common");
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  await withTempRoot(async (root) => {
    let killed = 0;
    let completed = 0;
    const outcomes = new Set<string>();
    // Each syscall family in parallel; within one, the call number N grows until a run is not killed.
    await mapPool(SYSCALLS, 2, async (syscall) => {
      for (let n = 1; n < 500; n++) {
        const file = path.join(root, `${syscall}-${n}.env`);
        copyFileSync(BASIC, file);
        const r = await execTool("strace", [
          "-f", "-qq", "-o", "/dev/null", "-e", `trace=${syscall}`, "-e", `inject=${syscall}:signal=KILL:when=${n}`,
          process.execPath, CLI, "grubenv", file, "set", "boot_success=0", "boot_counter=2",
        ]);
        const list = await grubList(file);
        assert.ok(list === OLD_LIST || list === NEW_LIST, `${syscall} #${n} (exit ${r.status}): ${JSON.stringify(list)}`);
        assert.is(readFileSync(file).length, 1024, `${syscall} #${n}`);
        outcomes.add(list);
        rmSync(file);
        if (r.status === 0) {
          assert.is(list, NEW_LIST, `${syscall}: a completed run must have written the new block`);
          completed++;
          return;
        }
        killed++;
      }
      assert.unreachable(`${syscall}: never completed`);
    });
    assert.is(completed, SYSCALLS.length);
    assert.ok(killed >= 40, `only ${killed} kills`);
    assert.is(outcomes.size, 2); // both the old and the new block were observed
  });
});

test.run();
