import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { compareVersionKeys, compareVersions, testVersions, versionSortKey, versionSortKeysOf } from "../../src/model/version.ts";

// systemd src/test/test-string-util.c, TEST(strverscmp_improved): each is newer than all before.
const SYSTEMD_ORDERED = [
  "~1", "", "ab", "abb", "abc", "0001", "002", "12", "122", "122.9", "123~rc1", "123", "123-a",
  "123-a.1", "123-a1", "123-a1.1", "123-3", "123-3.1", "123^patch1", "123^1", "123.a-1", "123.1-1",
  "123a-1", "124",
];

// UAPI Version Format Specification, "Examples" (canonical chain).
const SPEC_ORDERED = [
  "122.1", "123~rc1-1", "123", "123-a", "123-a.1", "123-1", "123-1.1", "123^post1", "123.a-1",
  "123.1-1", "123a-1", "124-1",
];

for (const [name, list] of [["systemd test list", SYSTEMD_ORDERED], ["spec example chain", SPEC_ORDERED]] as const) {
  test(`${name}: every later version is newer than every earlier one`, () => {
    for (let i = 0; i < list.length; i++) {
      assert.is(compareVersions(list[i], list[i]), 0, `${list[i]} == itself`);
      for (let j = i + 1; j < list.length; j++) {
        assert.is(compareVersions(list[i], list[j]), -1, `${list[i]} < ${list[j]}`);
        assert.is(compareVersions(list[j], list[i]), 1, `${list[j]} > ${list[i]}`);
      }
    }
  });
}

// Pairs from systemd's test (test_strverscmp_improved_newer / equal), the spec's notes, and
// outcomes of `systemd-analyze compare-versions` (systemd 252) where the code differs from the
// spec text (`~~` vs `~`; a non-ASCII byte after a skipped `~` compares as a signed char).
const CASES: [string, "<" | "==" | ">", string][] = [
  ["1", "<", "1-"], ["1", "<", "1^"], ["1", "<", "1."], ["1~", "<", "1"],
  ["123a", ">", "123.a"], ["1.01", "==", "1.1"], ["5.10", ">", "5.9"], ["A", "<", "a"],
  ["10.0001", "==", "10.1"], ["2.0", "<", "2_0"], ["abc", "<", "0abc"], ["a", "<", "1"],
  ["1.a", "<", "1.0a"], ["1_0", "==", "1+0"], ["1\u0660\u0661", "==", "1"], ["", "==", ""],
  ["~", "<", ""], ["~~", ">", "~"], ["1~", ">", "1~\u00e9"], ["1.0", "==", "1.0"], ["0", ">", ""],
  ["6.1.0-18-amd64", ">", "6.1.0-9-amd64"], ["5.14.0-362.el9", ">", "5.14.0-70.el9"],
];

test("pairs with known order", () => {
  for (const [a, op, b] of CASES) {
    const expected = op === "<" ? -1 : op === ">" ? 1 : 0;
    assert.is(compareVersions(a, b), expected, `${JSON.stringify(a)} ${op} ${JSON.stringify(b)}`);
  }
});

test("undefined and null compare as the empty string", () => {
  assert.is(compareVersions(undefined, ""), 0);
  assert.is(compareVersions(null, "1"), -1);
  assert.is(compareVersions("1", undefined), 1);
});

test("operators", () => {
  assert.ok(testVersions("1", "lt", "2"));
  assert.not.ok(testVersions("2", "lt", "2"));
  assert.ok(testVersions("2", "le", "2"));
  assert.ok(testVersions("1.01", "eq", "1.1"));
  assert.ok(testVersions("1", "ne", "1.0"));
  assert.ok(testVersions("3", "ge", "2"));
  assert.not.ok(testVersions("1", "gt", "1"));
});

const versionChar = fc.constantFrom(..."0123456789aAzZ.-^~_+ ".split(""), "\u00e9", "\u0661");
const version = fc.array(versionChar, { maxLength: 12 }).map((cs) => cs.join(""));

test("property: reflexive and antisymmetric", () => {
  fc.assert(fc.property(version, version, (a, b) => {
    return compareVersions(a, a) === 0 && compareVersions(a, b) === -compareVersions(b, a);
  }), { numRuns: 5000 });
});

// systemd's order is not transitive once a string holds characters it skips (strverscmp_improved
// drops them before each part, but not after a '~'): systemd-analyze compare-versions 252 says
// '~' < '~ ', '~ ' == '~é' and '~' > '~é'. We follow systemd there, so transitivity is a property
// of strings made of the characters it compares (alphanumerics and '~', '-', '^', '.') only.
test("systemd's order with skipped characters after '~', as systemd-analyze compare-versions 252 gives it", () => {
  assert.is(compareVersions("~", "~ "), -1);
  assert.is(compareVersions("~ ", "~\u00e9"), 0);
  assert.is(compareVersions("~", "~\u00e9"), 1);
});

const comparedChar = fc.constantFrom(..."0123456789aAzZ.-^~".split(""));
const comparedVersion = fc.array(comparedChar, { maxLength: 12 }).map((cs) => cs.join(""));

test("property: transitive over the characters systemd compares", () => {
  fc.assert(fc.property(comparedVersion, comparedVersion, comparedVersion, (a, b, c) => {
    const [x, y, z] = [a, b, c].sort(compareVersions) as [string, string, string];
    return compareVersions(x, y) <= 0 && compareVersions(y, z) <= 0 && compareVersions(x, z) <= 0;
  }), { numRuns: 20000 });
});

test("property: arbitrary strings terminate with -1, 0 or 1", () => {
  fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 64 }), fc.string({ unit: "binary", maxLength: 64 }), (a, b) => {
    return [-1, 0, 1].includes(compareVersions(a, b));
  }), { numRuns: 5000 });
});

// Sort keys: the order of two keys must be exactly compareVersions (the oracle here is the
// comparison itself, which test/differential/compare-versions.test.ts checks against
// systemd-analyze). Alphabet: every token kind, leading zeros, invalid ASCII and non-ASCII.
const versionChars = fc.constantFrom("0", "00", "1", "9", "10", "a", "b", "Z", "~", "-", "^", ".", "_", " ", "é", "\u{1F600}", "\x7f", "+");
const versionString = fc.array(versionChars, { maxLength: 12 }).map((parts) => parts.join(""));

test("property: versionSortKey order equals compareVersions whenever both keys exist", () => {
  fc.assert(fc.property(versionString, versionString, (a, b) => {
    const ka = versionSortKey(a);
    const kb = versionSortKey(b);
    if (ka === undefined || kb === undefined) return;
    assert.is(compareVersionKeys(ka, kb), compareVersions(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }), { numRuns: 20000 });
});

test("versionSortKey: only a non-ASCII character right after `~` has no key", () => {
  assert.is(versionSortKey("1~é"), undefined);
  assert.is(versionSortKey("~\u{1F600}"), undefined);
  assert.is(versionSortKey("1\0" + "2"), undefined); // NUL ends a C string: compareVersions reads it so
  for (const s of ["", "~", "1~_", "é~1", "1.2-rc~3", "~~", "0001", SYSTEMD_ORDERED.join("")]) assert.type(versionSortKey(s), "string", s);
  fc.assert(fc.property(versionString, (s) => {
    assert.is(versionSortKey(s) === undefined, /~[^\x00-\x7f]/.test(s), JSON.stringify(s));
  }), { numRuns: 2000 });
});

test("versionSortKey: the systemd and spec chains sort in their order by key", () => {
  for (const list of [SYSTEMD_ORDERED, SPEC_ORDERED]) {
    const keys = list.map((v) => versionSortKey(v)!);
    for (let i = 1; i < keys.length; i++) assert.ok(keys[i - 1]! < keys[i]!, `${list[i - 1]} < ${list[i]}`);
  }
  assert.is(versionSortKey("01"), versionSortKey("1")); // leading zeros are ignored
});

test("property: versionSortKeysOf (shared prefix tokenized once) orders a batch exactly as compareVersions", () => {
  let cut = 0;
  fc.assert(fc.property(versionString, fc.array(versionString, { minLength: 1, maxLength: 10 }), (prefix, suffixes) => {
    const batch = suffixes.map((s) => prefix + s);
    const keys = versionSortKeysOf(batch);
    assert.is(keys.length, batch.length);
    for (let i = 0; i < batch.length; i++) {
      assert.is(keys[i] === undefined, versionSortKey(batch[i]) === undefined, JSON.stringify(batch[i]));
      if (keys[i] !== undefined && keys[i]!.length < versionSortKey(batch[i])!.length) cut++;
      for (let j = 0; j < batch.length; j++) {
        if (keys[i] === undefined || keys[j] === undefined) continue;
        assert.is(compareVersionKeys(keys[i]!, keys[j]!), compareVersions(batch[i], batch[j]), `${JSON.stringify(batch[i])} vs ${JSON.stringify(batch[j])}`);
      }
    }
  }), { numRuns: 5000 });
  assert.ok(cut > 1000, `the shared prefix was left out only ${cut} times`);
  assert.equal(versionSortKeysOf([]), []);
});

test.run();
