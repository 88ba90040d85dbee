/** Menu order, titles and default selection (systemd src/shared/bootspec.c; vectors from src/test/test-bootspec.c). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { interpretEntry, parseEntry } from "../../src/formats/bls/entry.ts";
import { entryTitle, type BootEntry } from "../../src/model/boot-entry.ts";
import { type1Entry } from "../../src/model/entry-build.ts";
import { compareBootEntries, sortBootEntries, sortBootEntriesByComparator } from "../../src/model/entry-order.ts";
import fc from "fast-check";
import { fnmatchCasefold } from "../../src/model/fnmatch.ts";
import { findEntryById, selectDefault, selectSelected } from "../../src/model/select-default.ts";
import { uniquifyTitles } from "../../src/model/show-title.ts";

const vec = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/bls/vectors/${name}`, import.meta.url), "utf8"));

function entry(fname: string, contents = ""): BootEntry {
  return type1Entry(fname, "/esp/loader/entries", "/esp", "esp", interpretEntry(parseEntry(contents)).fields);
}

test("vector bootspec_sort: d, cx, c, b, a-10, a-5", () => {
  const v = vec("upstream-001-bootspec_sort.json");
  const sorted = sortBootEntries(v.entries.map((e: { fname: string; contents: string }) => entry(e.fname, e.contents)));
  assert.equal(sorted.map((e) => e.id), v.expected.order_ids);
});

test("vector bootspec_boot_config_find_entry: exact, case-insensitive, id_old", () => {
  const v = vec("upstream-002-bootspec_boot_config_find_entry.json");
  const entries = v.entries.map((e: { fname: string; contents: string }) => entry(e.fname, e.contents));
  for (const l of v.expected.lookups) assert.is(findEntryById(entries, l.query)?.id ?? null, l.found_id, l.query);
  assert.is(findEntryById(entries, "a-10")?.id, "a-10.conf");
});

test("bad entries last; sort-key first; ids compared with suffix (Boot Loader Specification, section Sorting)", () => {
  const sorted = sortBootEntries([entry("z+0.conf"), entry("a.conf"), entry("m.conf", "sort-key x\n"), entry("arch.conf"), entry("arch-lts.conf")]);
  assert.equal(sorted.map((e) => e.path.split("/").pop()), ["m.conf", "z+0.conf", "arch.conf", "arch-lts.conf", "a.conf"].filter((n) => n !== "z+0.conf").concat(["z+0.conf"]));
});

test("equal ids keep input (directory) order, as bootctl's tie-break never applies", () => {
  const input = [entry("q+1.conf"), entry("q.conf"), entry("q+5-3.conf")];
  assert.equal(sortBootEntries(input).map((e) => e.path), input.map((e) => e.path));
});

test("uniquify: version, then machine-id, then id (boot_entries_uniquify)", () => {
  const out = uniquifyTitles([entry("a.conf", "title T\nversion 1\n"), entry("b.conf", "title T\nversion 1\nmachine-id m1\n"), entry("c.conf", "title T\n"), entry("d.conf", "title U\n")]);
  // Round 1 gives a and b " (1)"; c has no version and stays "T", now unique; round 2 separates b.
  assert.equal(out.map(entryTitle), ["T (1)", "T (1) (m1)", "T", "U"]);
  const ids = uniquifyTitles([entry("a.conf", "title T\nversion 1\n"), entry("b.conf", "title T\nversion 1\n")]);
  assert.equal(ids.map((e) => e.showTitle), ["T (1) (a.conf)", "T (1) (b.conf)"]);
});

test("fnmatch FNM_CASEFOLD", () => {
  assert.ok(fnmatchCasefold("FEDORA-*", "fedora-6.1.conf"));
  assert.ok(fnmatchCasefold("*.conf", "a/b.conf"));
  assert.ok(fnmatchCasefold("[a-c]?.conf", "Bx.conf"));
  assert.ok(fnmatchCasefold("[!a]x.conf", "bx.conf"));
  assert.not.ok(fnmatchCasefold("[!a]x.conf", "ax.conf"));
  assert.ok(fnmatchCasefold("[ab", "[ab"));
  assert.ok(fnmatchCasefold("a\\*", "a*"));
  assert.not.ok(fnmatchCasefold("a\\", "a\\"));
  assert.not.ok(fnmatchCasefold("fedora", "fedora.conf"));
});

test("default: one-shot, preferred, default var, preferred/default pattern, first; @saved = selected", () => {
  const es = sortBootEntries([entry("fedora-2.conf"), entry("fedora-1.conf"), entry("debian.conf")]);
  assert.equal(selectDefault(es, {})?.reason, "first-entry");
  assert.is(selectDefault(es, { defaultPattern: "debian*" })?.entry.id, "debian.conf");
  assert.is(selectDefault(es, { default: "FEDORA-1.conf", defaultPattern: "debian*" })?.reason, "default-variable");
  assert.is(selectDefault(es, { oneShot: "nomatch", default: "fedora-1.conf" })?.entry.id, "fedora-1.conf");
  assert.is(selectDefault(es, { oneShot: "debian.conf", preferred: "fedora-1.conf" })?.reason, "oneshot-variable");
  assert.is(selectDefault(es, { preferredPattern: "fedora-1*", defaultPattern: "debian*" })?.reason, "preferred-pattern");
  assert.is(selectDefault(es, { defaultPattern: "@saved", selected: "debian.conf" })?.entry.id, "debian.conf");
  assert.is(selectDefault(es, { defaultPattern: "@other" })?.reason, "first-entry");
  assert.is(selectSelected(es, { selected: "fedora-1.conf" }), 1);
  assert.is(selectDefault([], {}), undefined);
});

// The key sort (one native string sort) must give exactly the order of systemd's comparator run
// in glibc's merge sort (itself checked against bootctl in test/differential/bootctl-list.test.ts).
const piece = fc.constantFrom("", "1", "01", "2", "10", "a", "B", "~", "-", "^", ".", "_", "é", "\u{1F600}", "\uE000", "\uFFFD", "rc");
const word = fc.array(piece, { maxLength: 5 }).map((p) => p.join(""));
// Entry file names are ASCII letters, digits and `+-_.@` (src/model/entry-name.ts).
const idWord = fc.array(fc.constantFrom("1", "01", "2", "10", "a", "B", "@", "-", ".", "rc", "_"), { minLength: 1, maxLength: 5 }).map((p) => p.join(""));
const entryArb = fc.record({
  id: idWord, counter: fc.constantFrom("", "+0", "+1", "+0-3", "+2-1"),
  sortKey: fc.option(fc.constantFrom("", "fedora", "fedorb", "fed", "\u{1F600}", "\uE000"), { nil: undefined }),
  machineId: fc.option(fc.constantFrom("", "aa", "ab", "a"), { nil: undefined }),
  version: fc.option(word, { nil: undefined }),
});

test("property: the key sort equals the comparator in glibc's merge sort", () => {
  let keyed = 0;
  fc.assert(fc.property(fc.array(entryArb, { maxLength: 24 }), (specs) => {
    const entries = specs.map((s, i) => entry(`${s.id}-${i}${s.counter}.conf`,
      (s.sortKey === undefined ? "" : `sort-key ${s.sortKey}\n`) + (s.machineId === undefined ? "" : `machine-id ${s.machineId}\n`) + (s.version === undefined ? "" : `version ${s.version}\n`)));
    const byKeys = sortBootEntries(entries).map((e) => e.path);
    const byComparator = sortBootEntriesByComparator(entries).map((e) => e.path);
    assert.equal(byKeys, byComparator);
    if (!specs.some((s) => /~[^\x00-\x7f]/.test(s.id) || /~[^\x00-\x7f]/.test(s.version ?? ""))) keyed++;
    // Where the rules are a total order, the result is also what any stable sort gives.
    if (!entries.some((e) => /~[^\x00-\x7f]/.test(`${e.id}${e.version ?? ""}`))) {
      assert.equal(byKeys, entries.slice().sort(compareBootEntries).map((e) => e.path));
    }
  }), { numRuns: 3000 });
  assert.ok(keyed > 1000, `only ${keyed} inputs took the key path`);
});

test("a 200,000-character version sorts without overflowing the stack", () => {
  const long = "1.".repeat(100_000);
  const sorted = sortBootEntries([entry("a.conf", `sort-key k\nversion ${long}\n`), entry("b.conf", `sort-key k\nversion ${long}1\n`)]);
  assert.equal(sorted.map((e) => e.id), ["b.conf", "a.conf"]);
});

test.run();
