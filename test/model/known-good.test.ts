/**
 * "Known to boot" (src/model/known-good.ts), case by case from the Boot Loader Specification's
 * "Boot counting" (no counter: good; `+0`/`+0-DONE`: bad; `+LEFT[-DONE]`: still on trial) and the
 * grubenv contract of grub/README.md (bootctl_trial, bootctl_tries, bootctl_state, bootctl_bad).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { BootEntry } from "../../src/model/boot-entry.ts";
import { extractTries } from "../../src/model/boot-counter.ts";
import { chooseGrubFallback, entryStanding, grubIdStanding, newestKnownGood } from "../../src/model/known-good.ts";

function entry(file: string, version: string): BootEntry {
  const { stripped, counter } = extractTries(file);
  return {
    type: "type1", source: "esp", id: stripped, path: `/boot/loader/entries/${file}`, root: "/boot", title: `OS ${version}`,
    version, sortKey: "os", options: [], initrd: [], devicetreeOverlay: [], extra: [], tries: counter, reportedByLoader: false,
  };
}

test("systemd-boot: no counter is good; +N and +N-0 untried; +N-M tried; +0 and +0-M bad", () => {
  const kinds = ["os-1.conf", "os-1+3.conf", "os-1+3-0.conf", "os-1+1-2.conf", "os-1+0.conf", "os-1+0-3.conf"]
    .map((f) => [f, entryStanding(entry(f, "1")).kind, entryStanding(entry(f, "1")).reason]);
  assert.equal(kinds.map(([f, k]) => [f, k]), [
    ["os-1.conf", "good"], ["os-1+3.conf", "pending"], ["os-1+3-0.conf", "pending"], ["os-1+1-2.conf", "pending"], ["os-1+0.conf", "bad"], ["os-1+0-3.conf", "bad"],
  ]);
  assert.match(String(kinds[1]![2]), /untried/);
  assert.match(String(kinds[3]![2]), /tried 2 times/);
});

test("GRUB: the trial is pending while it has 1–9 tries, bad when out of them or marked bad; bootctl_bad lists bad ones; others are good", () => {
  const facts = { trial: "new", tries: 2, bad: ["older"] };
  assert.is(grubIdStanding("new", facts).kind, "pending");
  assert.is(grubIdStanding("new", { ...facts, tries: 0 }).kind, "bad");
  assert.is(grubIdStanding("new", { ...facts, tries: 12 }).kind, "bad", "outside the fragment's ladder: never picked again");
  assert.is(grubIdStanding("new", { ...facts, tries: undefined }).kind, "bad");
  assert.is(grubIdStanding("new", { ...facts, mark: "bad" }).kind, "bad");
  assert.is(grubIdStanding("older", facts).kind, "bad");
  assert.is(grubIdStanding("old", facts).kind, "good");
  assert.is(grubIdStanding("new", {}).kind, "good", "no trial: nothing is on trial");
});

test("GRUB entries are judged by both of their GRUB ids (bls: id and bare name)", () => {
  const machine = "0123456789abcdef0123456789abcdef";
  const e = entry(`${machine}-6.12.conf`, "6.12");
  assert.is(entryStanding(e, { trial: `bls:${machine}-6.12`, tries: 3 }).kind, "pending");
  assert.is(entryStanding(e, { trial: `${machine}-6.12`, tries: 3 }).kind, "pending", "a bare trial name from an older grubenv");
  assert.is(entryStanding(e, { bad: [`bls:${machine}-6.12`] }).kind, "bad");
  assert.is(entryStanding(e, {}).kind, "good");
});

test("newest known good: menu order (sort-key, then version descending), skipping pending and bad", () => {
  const entries = [entry("os-6.10.conf", "6.10"), entry("os-6.13+0-3.conf", "6.13"), entry("os-6.12+3.conf", "6.12"), entry("os-6.11.conf", "6.11")];
  assert.is(newestKnownGood(entries)?.id, "os-6.11.conf");
  assert.is(newestKnownGood(entries, undefined, (e) => e.id === "os-6.11.conf")?.id, "os-6.10.conf");
  assert.is(newestKnownGood([entry("os-6.12+3.conf", "6.12")]), undefined);
  // A sort-key orders before the version: entries without one come after every entry with one.
  const { sortKey: _none, ...unsorted } = entry("a-9.conf", "9");
  assert.is(newestKnownGood([unsorted, entry("os-1.conf", "1")])?.id, "os-1.conf");
});

test("GRUB fallback: saved_entry when it is known good; else the newest known-good entry, never the bad trial or an untried one", () => {
  const entries = [entry("os-6.11.conf", "6.11"), entry("os-6.12.conf", "6.12"), entry("os-6.10.conf", "6.10")];
  // saved_entry names a good entry: it stays the fallback even though a newer good one exists.
  assert.equal(pick(chooseGrubFallback(entries, {}, "os-6.10", "os-6.13")), ["os-6.10", "good", "saved_entry"]);
  // A fresh image (no saved_entry), 6.12 the trial that ran out of tries: 6.11, not 6.12.
  assert.equal(pick(chooseGrubFallback(entries, { trial: "os-6.12", tries: 0 }, undefined, "os-6.13")), ["os-6.11", "good", "newest known-good entry"]);
  // 6.12 an earlier trial that never booted (tries left, no record): 6.11.
  assert.equal(pick(chooseGrubFallback(entries, { trial: "os-6.12", tries: 3 }, undefined, "os-6.13")), ["os-6.11", "good", "newest known-good entry"]);
  // saved_entry names the bad trial (set by hand): skipped.
  assert.equal(pick(chooseGrubFallback(entries, { trial: "os-6.12", tries: 0 }, "os-6.12", "os-6.13")), ["os-6.11", "good", "newest known-good entry"]);
  // An index is no name: index 0 would be the trial once grub.cfg lists it first.
  assert.equal(pick(chooseGrubFallback(entries, {}, "0", "os-6.13")), ["os-6.12", "good", "newest known-good entry"]);
  // Another generator's id is the admin's choice.
  assert.equal(pick(chooseGrubFallback(entries, {}, "gnulinux-simple-1234", "os-6.13")), ["gnulinux-simple-1234", "good", "saved_entry"]);
  // bootctl_bad lists 6.11 and 6.10, 6.12 is out of tries: nothing is known good; the least bad is not bad.
  const none = chooseGrubFallback(entries, { trial: "os-6.12", tries: 0, bad: ["os-6.11", "os-6.10"] }, undefined, "os-6.13");
  assert.equal(pick(none), ["os-6.12", "bad", "newest other entry"]);
  const pending = chooseGrubFallback([...entries, entry("os-6.9+2.conf", "6.9")], { trial: "os-6.12", tries: 0, bad: ["os-6.11", "os-6.10"] }, undefined, "os-6.13");
  assert.equal(pick(pending), ["os-6.9", "pending", "newest other entry"]);
  assert.equal(pick(chooseGrubFallback([], {}, undefined, "os-6.13")), ["0", "unknown", "GRUB's first entry"]);
});

function pick(c: ReturnType<typeof chooseGrubFallback>): [string, string, string] {
  return [c.id, c.standing.kind, c.source];
}

test.run();
