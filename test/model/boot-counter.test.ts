/**
 * Boot-counting file names: systemd's own cases (src/test/test-bootspec.c
 * TEST_RET(bootspec_extract_tries), copied to fixtures/bls/vectors/extract-tries.tsv),
 * the sd-boot/bless-boot rename rules (src/bless-boot/bless-boot.c, src/boot/boot.c) and property tests.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import {
  CounterRangeError, TRIES_MAX, badName, counterState, extractTries, goodName, nextAttemptName, withTries,
} from "../../src/model/boot-counter.ts";

const VECTORS = new URL("../../fixtures/bls/vectors/extract-tries.tsv", import.meta.url);
const UINT_MAX = 4294967295;

const rows = readFileSync(VECTORS, "utf8").split("\n").filter((l) => l !== "" && !l.startsWith("#")).map((l) => l.split("\t"));

test("vectors: boot_filename_extract_tries (29 upstream cases)", () => {
  // The empty file name is a row of its own: "\t0\t\t…" (split keeps it).
  assert.ok(rows.length >= 28, `only ${rows.length} rows`);
  for (const [fname, ret, stripped, left, done] of rows as [string, string, string, string, string][]) {
    if (ret === "-ERANGE") {
      assert.throws(() => extractTries(fname), (e: unknown) => e instanceof CounterRangeError, fname);
      continue;
    }
    const r = extractTries(fname);
    assert.is(r.stripped, stripped, fname);
    assert.is(r.counter?.left ?? UINT_MAX, Number(left), `${fname} left`);
    assert.is(r.counter?.done ?? UINT_MAX, Number(done), `${fname} done`);
  }
});

test("the empty name and a name with no dot have no counter", () => {
  assert.equal(extractTries("").counter, undefined);
  assert.equal(extractTries("foo+3").counter, undefined);
});

test("next attempt: LEFT-1 saturating at 0, DONE+1, no padding (sd-boot boot_entry_bump_counters)", () => {
  assert.is(nextAttemptName("foobar+3.efi"), "foobar+2-1.efi");
  assert.is(nextAttemptName("foobar+2-1.efi"), "foobar+1-2.efi");
  assert.is(nextAttemptName("foobar+0-3.efi"), "foobar+0-4.efi");
  assert.is(nextAttemptName("foobar+4-0.conf"), "foobar+3-1.conf");
  assert.is(nextAttemptName("a+03-00.conf"), "a+2-1.conf");
  assert.is(nextAttemptName("a+10.conf"), "a+9-1.conf");
  assert.is(nextAttemptName(`a+1-${TRIES_MAX}.conf`), `a+0-${TRIES_MAX}.conf`);
  assert.is(nextAttemptName("a.conf"), undefined);
});

test("good and bad names (systemd-bless-boot)", () => {
  assert.is(goodName("foo+2-1.conf"), "foo.conf");
  assert.is(badName("foo+2-1.conf"), "foo+0-1.conf");
  assert.is(badName("foo+3.conf"), "foo+0.conf");
  assert.is(badName("foo+3-0.conf"), "foo+0.conf");
  assert.is(goodName("foo.conf"), undefined);
  assert.is(badName("foo.conf"), undefined);
});

test("counter states (BLS: LEFT>0 indeterminate, 0 bad, none good)", () => {
  assert.is(counterState(undefined), "good");
  assert.is(counterState({ left: 0, done: 3 }), "bad");
  assert.is(counterState({ left: 1, done: undefined }), "indeterminate");
});

test("withTries builds what kernel-install writes (the-token-1.1.1+56.conf)", () => {
  assert.is(withTries("the-token-1.1.1.conf", 56), "the-token-1.1.1+56.conf");
  assert.throws(() => withTries("x.conf", -1));
});

const stem = fc.stringMatching(/^[A-Za-z0-9_.+-]{0,12}$/).filter((s) => !s.endsWith("+"));
const suffix = fc.constantFrom(".conf", ".efi", ".CONF", ".x");
const count = fc.integer({ min: 0, max: TRIES_MAX });

test("property: formatting a counter and extracting it round-trips", () => {
  fc.assert(fc.property(stem, suffix, count, fc.option(count, { nil: undefined }), (s, suf, left, done) => {
    const name = `${s}+${left}${done === undefined ? "" : `-${done}`}${suf}`;
    const r = extractTries(name);
    assert.equal(r.counter, { left, done });
    assert.is(r.stripped, s + suf);
  }));
});

test("property: names without '+' never have a counter and stay unchanged", () => {
  fc.assert(fc.property(fc.string({ maxLength: 20 }).filter((s) => !s.includes("+")), (name) => {
    const r = extractTries(name);
    assert.is(r.counter, undefined);
    assert.is(r.stripped, name);
  }));
});

test("property: repeated attempts count LEFT down to 0 and DONE up, keeping the stripped name", () => {
  fc.assert(fc.property(stem, suffix, fc.integer({ min: 0, max: 6 }), (s, suf, tries) => {
    let name = withTries(s + suf, tries);
    for (let i = 1; i <= tries + 2; i++) {
      name = nextAttemptName(name)!;
      const r = extractTries(name);
      assert.is(r.stripped, s + suf);
      assert.equal(r.counter, { left: Math.max(tries - i, 0), done: i });
    }
    assert.is(counterState(extractTries(name).counter), "bad");
    assert.is(goodName(name), s + suf);
  }));
});

test("property: values above INT_MAX are rejected, never wrapped", () => {
  fc.assert(fc.property(stem, fc.bigInt({ min: 2147483648n, max: 10n ** 30n }), (s, big) => {
    assert.throws(() => extractTries(`${s}+${big}.conf`), (e: unknown) => e instanceof CounterRangeError);
    assert.throws(() => extractTries(`${s}+1-${big}.conf`), (e: unknown) => e instanceof CounterRangeError);
  }));
});

test.run();
