/**
 * A counted entry with nothing to fall back to: the simulation ends when the loader would boot the
 * same entry again (systemd-boot: the entry is bad and still the only one, sd-boot boots it again;
 * GRUB: a failed boot that left the grubenv as it was), and says there is no fallback.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { BootEntry } from "../../src/model/boot-entry.ts";
import { extractTries } from "../../src/model/boot-counter.ts";
import { noFallbackWarning, predictSystemdBoot } from "../../src/ops/predict-systemd-boot.ts";
import { predictGrubScript } from "../../src/ops/predict-grub.ts";
import { parse } from "../../src/formats/grubcfg/parser.ts";
import { grubCountingScript } from "../../src/ops/grub-counting-script.ts";
import { renderGrubScript } from "../../src/ops/grub-render.ts";
import { UPSTREAM_00_HEADER_ENV } from "../support/grub-header.ts";

function entry(file: string, version: string): BootEntry {
  const { stripped, counter } = extractTries(file);
  return {
    type: "type1", source: "esp", id: stripped, path: `/efi/loader/entries/${file}`, root: "/efi", title: `OS ${version}`,
    version, sortKey: "os", options: [], initrd: [], devicetreeOverlay: [], extra: [], tries: counter, reportedByLoader: false,
  };
}

test("systemd-boot: the only entry, counted: its tries, then bad; no fallback, said once", () => {
  const p = predictSystemdBoot({ entries: [entry("os-6.12+3.conf", "6.12")] }, { kind: "counted" });
  assert.is(p.attempts.length, 4);
  assert.ok(p.attempts.every((a) => !a.fallback));
  assert.is(p.end, "no-fallback-left");
  assert.match(p.summary, /^no fallback: /);
  assert.match(noFallbackWarning(p) ?? "", /^no fallback: OS 6\.12 is the only entry the loader would boot/);
});

test("systemd-boot: with an entry to fall back to there is no such warning", () => {
  const p = predictSystemdBoot({ entries: [entry("os-6.11.conf", "6.11"), entry("os-6.12+3.conf", "6.12")] }, { kind: "counted" });
  assert.is(noFallbackWarning(p), undefined);
  assert.not.match(p.summary, /no fallback/);
  // An uncounted entry that boots: nothing to warn about either.
  assert.is(noFallbackWarning(predictSystemdBoot({ entries: [entry("os-6.11.conf", "6.11")] }, { kind: "counted" })), undefined);
});

const menu = (ids: string[]) => renderGrubScript(ids.map((id) => ({ id, title: id, linux: `/vmlinuz-${id}`, initrd: [], options: [] })));

test("GRUB: a trial that is also the first entry (the fallback '0'): its tries, one more boot of it, then stop", () => {
  const cfg = parse(`${UPSTREAM_00_HEADER_ENV}${grubCountingScript()}${menu(["new"])}`);
  const env = new Map([["bootctl_trial", "new"], ["bootctl_tries", "3"], ["bootctl_fallback", "0"]]);
  const p = predictGrubScript(cfg, env, { kind: "counted" });
  assert.equal(p.attempts.map((a) => [a.id, a.tries?.left, a.outcome]), [["new", 2, "failure"], ["new", 1, "failure"], ["new", 0, "failure"], ["new", 0, "failure"]]);
  assert.is(p.end, "no-fallback-left");
  assert.match(p.summary, /^no fallback: new boots again at every attempt/);
  assert.match(noFallbackWarning(p) ?? "", /^no fallback: new is the only entry/);
});

test("GRUB: a grub.cfg that never lowers the tries (no counting fragment) stops after one boot instead of 64", () => {
  const cfg = parse(`${UPSTREAM_00_HEADER_ENV}${menu(["new"])}`);
  const env = new Map([["bootctl_trial", "new"], ["bootctl_tries", "3"], ["bootctl_fallback", "0"]]);
  const p = predictGrubScript(cfg, env, { kind: "counted" });
  assert.is(p.attempts.length, 1);
  assert.is(p.end, "no-fallback-left");
});

test("GRUB: a trial with a fallback entry still falls back (no warning)", () => {
  const cfg = parse(`${UPSTREAM_00_HEADER_ENV}${grubCountingScript()}${menu(["old", "new"])}`);
  const env = new Map([["saved_entry", "old"], ["bootctl_trial", "new"], ["bootctl_tries", "2"], ["bootctl_fallback", "old"]]);
  const p = predictGrubScript(cfg, env, { kind: "counted" });
  assert.equal(p.attempts.map((a) => a.id), ["new", "new", "old"]);
  assert.is(noFallbackWarning(p), undefined);
});

test.run();
