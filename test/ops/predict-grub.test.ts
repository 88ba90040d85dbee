/** GRUB predictions follow the counting contract (grub/README.md) and 00_header's one-shot rule. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { predictGrub } from "../../src/ops/predict-grub.ts";

const base = { trial: "new", tries: 3, fallback: "old", savedEntry: "old", firstEntry: "new" };

test("a trial that never boots: its tries, then the fallback", () => {
  const p = predictGrub(base, { kind: "counted" });
  assert.equal(p.attempts.map((a) => [a.id, a.tries?.left, a.outcome]), [
    ["new", 2, "failure"], ["new", 1, "failure"], ["new", 0, "failure"], ["old", undefined, "success"],
  ]);
  assert.is(p.end, "blessed");
});

test("fails once, then is marked good", () => {
  const p = predictGrub(base, { kind: "first", count: 1 });
  assert.equal(p.attempts.map((a) => [a.id, a.outcome]), [["new", "failure"], ["new", "success"]]);
  assert.is(p.finalId, "new");
});

test("next_entry boots once without using a try", () => {
  const p = predictGrub({ ...base, nextEntry: "old" }, { kind: "first", count: 0 });
  assert.equal(p.attempts.map((a) => [a.id, a.reason, a.tries?.left]), [["old", "oneshot-variable", undefined], ["new", "default-variable", 2]]);
});

test("with the menu known: a trial without a menu entry is never picked, the fallback boots and no try is used", () => {
  const p = predictGrub({ ...base, firstEntry: "first", menu: ["first", "old"] }, { kind: "counted" });
  assert.equal(p.attempts.map((a) => [a.id, a.tries?.left, a.outcome]), [["old", undefined, "success"]]);
  // A fallback that has no entry either: GRUB's entry 0.
  const q = predictGrub({ ...base, fallback: "gone", firstEntry: "first", menu: ["first", "old"] }, { kind: "counted" });
  assert.equal(q.attempts.map((a) => a.id), ["first"]);
  // Tries outside the fragment's ladder (1–9) are out of tries.
  assert.equal(predictGrub({ ...base, tries: 12 }, { kind: "counted" }).attempts.map((a) => a.id), ["old"]);
});

test("no counting: saved_entry boots; failing there stops (guard)", () => {
  const p = predictGrub({ savedEntry: "old", firstEntry: "new" }, { kind: "first", count: 5 });
  assert.equal(p.attempts.map((a) => a.id), ["old"]);
  assert.is(p.end, "no-fallback-left");
});

test("through the evaluator: a config with 00_header logic and our fragment predicts the same sequence", async () => {
  const { parse } = await import("../../src/formats/grubcfg/parser.ts");
  const { grubCountingScript } = await import("../../src/ops/grub-counting-script.ts");
  const { predictGrubScript } = await import("../../src/ops/predict-grub.ts");
  const { renderGrubScript } = await import("../../src/ops/grub-render.ts");
  const menu = renderGrubScript([
    { id: "old", title: "Old", linux: "/vmlinuz-old", initrd: [], options: [] },
    { id: "new", title: "New", linux: "/vmlinuz-new", initrd: [], options: [] },
  ]);
  const cfg = `if [ -s $prefix/grubenv ]; then load_env; fi
if [ "\${next_entry}" ] ; then set default="\${next_entry}"; set next_entry=; save_env next_entry; set boot_once=true; else set default="\${saved_entry}"; fi
${grubCountingScript()}${menu}`;
  const env = new Map([["saved_entry", "old"], ["bootctl_trial", "new"], ["bootctl_tries", "3"], ["bootctl_fallback", "old"]]);
  const viaScript = predictGrubScript(parse(cfg), env, { kind: "counted" });
  const viaContract = predictGrub({ trial: "new", tries: 3, fallback: "old", savedEntry: "old", firstEntry: "old" }, { kind: "counted" });
  assert.equal(viaScript.attempts.map((a) => [a.id, a.outcome, a.tries?.left]), viaContract.attempts.map((a) => [a.id, a.outcome, a.tries?.left]));
  const once = predictGrubScript(parse(cfg), env, { kind: "first", count: 1 });
  assert.equal(once.attempts.map((a) => [a.id, a.outcome]), [["new", "failure"], ["new", "success"]]);
});

test("a fallback that is not known to boot (bootctl_bad, or the trial itself) is never called good", async () => {
  const { parse } = await import("../../src/formats/grubcfg/parser.ts");
  const { grubCountingScript } = await import("../../src/ops/grub-counting-script.ts");
  const { predictGrubScript } = await import("../../src/ops/predict-grub.ts");
  const { renderGrubScript } = await import("../../src/ops/grub-render.ts");
  // The only other entry failed an earlier trial: `add` warned, and recorded it as the fallback.
  const start = { trial: "new", tries: 3, fallback: "old", firstEntry: "new", bad: ["old"] };
  const p = predictGrub(start, { kind: "counted" });
  assert.equal(p.attempts.map((a) => [a.id, a.outcome, a.standing]), [
    ["new", "failure", "pending"], ["new", "failure", "pending"], ["new", "failure", "pending"], ["old", "success", "bad"],
  ]);
  assert.not.match(p.summary, /boots successfully/);
  assert.match(p.summary, /old, which is not known to boot: an earlier trial that ended without being marked good/);
  const menu = renderGrubScript(["old", "new"].map((id) => ({ id, title: id, linux: `/vmlinuz-${id}`, initrd: [], options: [] })));
  const cfg = parse(`if [ -s $prefix/grubenv ]; then load_env; fi\nset default="\${saved_entry}"\n${grubCountingScript()}${menu}`);
  const env = new Map([["bootctl_trial", "new"], ["bootctl_tries", "3"], ["bootctl_fallback", "old"], ["bootctl_bad", "old"]]);
  const q = predictGrubScript(cfg, env, { kind: "counted" });
  assert.equal(q.attempts.map((a) => [a.id, a.standing]), p.attempts.map((a) => [a.id, a.standing]));
  assert.not.match(q.summary, /boots successfully/);
  // A known-good fallback is good.
  const r = predictGrub(base, { kind: "counted" });
  assert.equal([r.attempts.at(-1)!.standing, r.summary], ["good", "old boots successfully; it stays the default"]);
});

test.run();
