/**
 * The systemd-boot simulation against the sequence systemd documents
 * (docs/AUTOMATIC_BOOT_ASSESSMENT.md: `+3` → `+2-1` → `+1-2` → `+0-3` → bad, sorted last, the
 * next entry boots) and sd-boot's selection rules (src/boot/boot.c `config_select_default_entry()`).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { BootEntry } from "../../src/model/boot-entry.ts";
import { extractTries } from "../../src/model/boot-counter.ts";
import { predictSystemdBoot } from "../../src/ops/predict-systemd-boot.ts";

function entry(file: string, version: string): BootEntry {
  const { stripped, counter } = extractTries(file);
  return {
    type: "type1", source: "esp", id: stripped, path: `/efi/loader/entries/${file}`, root: "/efi", title: `OS ${version}`,
    version, sortKey: "os", options: [], initrd: [], devicetreeOverlay: [], extra: [], tries: counter, reportedByLoader: false,
  };
}

const old = entry("os-6.11.conf", "6.11");
const fresh = entry("os-6.12+3.conf", "6.12");

test("an update that never boots: three tries, then the previous entry by itself", () => {
  const p = predictSystemdBoot({ entries: [old, fresh] }, { kind: "counted" });
  assert.equal(p.attempts.map((a) => [a.id, a.fileBefore, a.fileAfter, a.outcome]), [
    ["os-6.12.conf", "os-6.12+3.conf", "os-6.12+2-1.conf", "failure"],
    ["os-6.12.conf", "os-6.12+2-1.conf", "os-6.12+1-2.conf", "failure"],
    ["os-6.12.conf", "os-6.12+1-2.conf", "os-6.12+0-3.conf", "failure"],
    ["os-6.11.conf", "os-6.11.conf", "os-6.11.conf", "success"],
  ]);
  assert.is(p.attempts[3]!.fallback, true);
  assert.is(p.end, "blessed");
  assert.is(p.finalId, "os-6.11.conf");
});

test("fails once, then succeeds: blessed and stays the default", () => {
  const p = predictSystemdBoot({ entries: [old, fresh] }, { kind: "first", count: 1 });
  assert.equal(p.attempts.map((a) => [a.fileAfter, a.outcome]), [["os-6.12+2-1.conf", "failure"], ["os-6.12+1-2.conf", "success"]]);
  assert.is(p.finalId, "os-6.12.conf");
});

test("every boot fails: after the fallback fails too, the guard stops", () => {
  const p = predictSystemdBoot({ entries: [old, fresh] }, { kind: "first", count: 100 });
  assert.is(p.attempts.length, 4);
  assert.is(p.end, "no-fallback-left");
  assert.match(p.summary, /bootloop guard/);
});

test("a one-shot entry boots once, then the default again", () => {
  const p = predictSystemdBoot({ entries: [old, fresh], oneShot: "os-6.11.conf" }, { kind: "first", count: 0 });
  assert.equal(p.attempts.map((a) => [a.id, a.reason, a.outcome]), [["os-6.11.conf", "oneshot-variable", "success"], ["os-6.12.conf", "first-entry", "success"]]);
  assert.is(p.finalId, "os-6.12.conf");
});

test("a default pattern naming the old entry keeps booting it", () => {
  const p = predictSystemdBoot({ entries: [old, fresh], defaultPattern: "os-6.11*" }, { kind: "counted" });
  assert.equal(p.attempts.map((a) => [a.id, a.reason, a.outcome]), [["os-6.11.conf", "default-pattern", "success"]]);
});

test("an entry that is already bad is skipped in favour of a good one", () => {
  const bad = entry("os-6.13+0-3.conf", "6.13");
  const p = predictSystemdBoot({ entries: [bad, old] }, { kind: "counted" });
  assert.equal(p.attempts.map((a) => a.id), ["os-6.11.conf"]);
});

test("the entry it falls back to is itself an untried trial: said so, and never called known good", () => {
  const olderTrial = entry("os-6.11+2.conf", "6.11");
  const p = predictSystemdBoot({ entries: [olderTrial, fresh] }, { kind: "counted" });
  assert.equal(p.attempts.map((a) => [a.fileBefore, a.standing]), [
    ["os-6.12+3.conf", "pending"], ["os-6.12+2-1.conf", "pending"], ["os-6.12+1-2.conf", "pending"],
    ["os-6.11+2.conf", "pending"], ["os-6.11+1-1.conf", "pending"], ["os-6.12+0-3.conf", "bad"],
  ]);
  // Every entry is bad then: systemd-boot boots the first bad one again; the guard stops.
  assert.is(p.end, "no-fallback-left");
  assert.match(p.summary, /falls back to OS 6\.11, which is not known to boot: an untried trial \(\+2\)/);
  assert.match(p.summary, /no entry is known to boot/);
  // Assumed to boot after 3 failures: it boots as assumed, but the prediction does not call it good.
  const q = predictSystemdBoot({ entries: [olderTrial, fresh] }, { kind: "first", count: 3 });
  assert.equal(q.attempts.at(-1)!.fileBefore, "os-6.11+2.conf");
  assert.equal([q.attempts.at(-1)!.outcome, q.attempts.at(-1)!.standing], ["success", "pending"]);
  assert.not.match(q.summary, /boots successfully/);
  assert.match(q.summary, /not known to boot/);
  // A known-good fallback: "good", and the summary says it boots.
  const r = predictSystemdBoot({ entries: [old, fresh] }, { kind: "counted" });
  assert.equal([r.attempts.at(-1)!.standing, r.summary], ["good", "OS 6.11 boots successfully; it stays the default"]);
});

test.run();
