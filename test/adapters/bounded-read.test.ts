/** adapters/bounded-read.ts: whole files up to a cap; over it, E_FILE_TOO_LARGE before reading. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, truncateSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { readBounded, readBoundedSync } from "../../src/adapters/bounded-read.ts";
import { BootctlError, errnoOf } from "../../src/errors.ts";
import { withTempRoot } from "../support/tmp.ts";

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => undefined, (err: unknown) => err);
}

function syncFailure(f: () => unknown): unknown {
  try { f(); } catch (err) { return err; }
  return undefined;
}

test("a file at the cap is read whole; one byte more is E_FILE_TOO_LARGE naming the path as shown", async () => {
  await withTempRoot(async (dir) => {
    const file = path.join(dir, "f");
    writeFileSync(file, Buffer.alloc(100, 0x61));
    assert.is((await readBounded(file, 100, "a test file")).length, 100);
    assert.is(readBoundedSync(file, 100, "a test file").length, 100);
    writeFileSync(file, Buffer.alloc(101, 0x61));
    for (const err of [await failure(readBounded(file, 100, "a test file", "/shown")), syncFailure(() => readBoundedSync(file, 100, "a test file", "/shown"))]) {
      assert.instance(err, BootctlError);
      assert.is((err as BootctlError).code, "E_FILE_TOO_LARGE");
      assert.is((err as Error).message, "/shown is too large for a test file: 101 bytes (the limit is 100 bytes)");
    }
  });
});

test("a huge sparse file fails on its size, before any read; empty files and missing files behave as before", async () => {
  await withTempRoot(async (dir) => {
    const big = path.join(dir, "big");
    writeFileSync(big, "");
    truncateSync(big, 300 * 1024 * 1024);
    const err = await failure(readBounded(big, 32 * 1024 * 1024, "a GRUB script"));
    assert.match(String((err as Error).message), /is too large for a GRUB script: 300 MiB \(the limit is 32 MiB\)$/);
    const empty = path.join(dir, "empty");
    writeFileSync(empty, "");
    assert.is((await readBounded(empty, 10, "x")).length, 0);
    assert.is(errnoOf(await failure(readBounded(path.join(dir, "missing"), 10, "x"))), "ENOENT");
    assert.is(errnoOf(syncFailure(() => readBoundedSync(path.join(dir, "missing"), 10, "x"))), "ENOENT");
    mkdirSync(path.join(dir, "d"));
    assert.is(errnoOf(await failure(readBounded(path.join(dir, "d"), 10, "x"))), "EISDIR");
  });
});

test("a file whose size the kernel does not report (procfs) is read in chunks and still capped", async () => {
  const text = (await readBounded("/proc/self/status", 1024 * 1024, "x")).toString("utf8");
  assert.match(text, /^Name:/);
  const err = await failure(readBounded("/proc/self/status", 10, "a status file"));
  assert.is((err as BootctlError).code, "E_FILE_TOO_LARGE");
  assert.match((err as Error).message, /too large for a status file: more than the limit of 10 bytes$/);
});

test.run();
