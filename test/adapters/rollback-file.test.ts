import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { SimulatedCrash, WRITE_STEPS } from "../../src/adapters/durable-fs.ts";
import { ROLLBACK_FILE, readRollbackHistory, writeRollbackHistory } from "../../src/adapters/rollback-file.ts";
import { emptyHistory, recordFallbacks, type RollbackHistory } from "../../src/model/rollback.ts";
import { withTempRoot } from "../support/tmp.ts";

function historyOf(...names: string[]): RollbackHistory {
  return recordFallbacks(emptyHistory(), names.map((n) => ({ key: `systemd-boot:${n}`, loader: "systemd-boot" as const, from: n, to: "old.conf", tries: 1 })), "2026-12-07T10:00:00.000Z").history;
}

test("no file is the empty history; written, it reads back under the root", async () => {
  await withTempRoot(async (root) => {
    assert.equal(await readRollbackHistory(root), emptyHistory());
    const h = historyOf("a");
    const file = await writeRollbackHistory(root, h);
    assert.is(file, path.join(root, ROLLBACK_FILE));
    assert.equal(await readRollbackHistory(root), h);
    assert.is(JSON.parse(readFileSync(file, "utf8")).records[0].from, "a");
  });
});

test("a file that is no history reads as empty, and the next write replaces it", async () => {
  await withTempRoot(async (root) => {
    mkdirSync(path.join(root, "var/lib/bootctl-ts"), { recursive: true });
    writeFileSync(path.join(root, ROLLBACK_FILE), "{ not json");
    assert.equal(await readRollbackHistory(root), emptyHistory());
    await writeRollbackHistory(root, historyOf("b"));
    assert.is((await readRollbackHistory(root)).records[0]!.from, "b");
  });
});

test("crash at every step of the write: the old history or the new one, never a mix", async () => {
  for (const step of WRITE_STEPS.atomicReplace) {
    await withTempRoot(async (root) => {
      const before = historyOf("a");
      const after = historyOf("a", "b");
      await writeRollbackHistory(root, before);
      let crashed = false;
      try {
        await writeRollbackHistory(root, after, { seam: (s) => { if (s === step) throw new SimulatedCrash(s); } });
      } catch (err) {
        if (!(err instanceof SimulatedCrash)) throw err;
        crashed = true;
      }
      assert.ok(crashed, step);
      const read = await readRollbackHistory(root);
      assert.ok(JSON.stringify(read) === JSON.stringify(before) || JSON.stringify(read) === JSON.stringify(after), step);
      // The next write works and leaves no temp file behind.
      await writeRollbackHistory(root, after);
      assert.equal(readdirSync(path.join(root, "var/lib/bootctl-ts")), ["rollbacks.json"], step);
    });
  }
});

test("a symbolic link on the way is refused, nothing is written through it", async () => {
  await withTempRoot(async (root) => {
    const outside = path.join(root, "outside");
    mkdirSync(outside);
    mkdirSync(path.join(root, "image/var/lib"), { recursive: true });
    symlinkSync(outside, path.join(root, "image/var/lib/bootctl-ts"));
    let threw = false;
    try {
      await writeRollbackHistory(path.join(root, "image"), historyOf("a"));
    } catch (err) {
      threw = (err as { code?: string }).code !== undefined;
    }
    assert.ok(threw);
    assert.equal(readdirSync(outside), []);
  });
});

test.run();
