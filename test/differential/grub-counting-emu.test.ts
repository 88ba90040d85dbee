/**
 * The GRUB half of boot counting (ops/grub-counting-script.ts, with the per-entry hooks of
 * ops/grub-render.ts) on real GRUB 2.06 in grub-emu, boot after boot, with the userspace half
 * (ops/grub-counting.ts) applied between boots as the service would; the sequence of booted
 * entries must equal `predict`'s (ops/predict-grub.ts: the contract alone, and the evaluator
 * running the same grub.cfg). The record of the boot (`bootctl_booted`) must always name the
 * entry GRUB really ran, so `bless-boot` (planGrubBless) only ever marks that entry.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BootctlError } from "../../src/errors.ts";
import { createGrubenv, loadEnvView, parseGrubenv, serializeGrubenv, setVariable } from "../../src/formats/grubenv.ts";
import { parse } from "../../src/formats/grubcfg/parser.ts";
import { planGrubBless, planGrubTrial } from "../../src/ops/grub-counting.ts";
import { grubCountingScript } from "../../src/ops/grub-counting-script.ts";
import { renderGrubScript } from "../../src/ops/grub-render.ts";
import { predictGrub, predictGrubScript } from "../../src/ops/predict-grub.ts";
import { GrubEmuDisk } from "../support/grub-emu.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";
import { UPSTREAM_00_HEADER_ENV } from "../support/grub-header.ts";

const TITLES: Record<string, string> = { first: "First entry", old: "Old deployment", new: "New deployment" };

/** 00_header's environment handling (upstream 2.06), our fragment, then the entries `grub render` makes for `ids`. */
function config(ids: readonly string[]): string {
  const menu = renderGrubScript(ids.map((id) => ({ id, title: TITLES[id]!, linux: `/vmlinuz-${id}`, initrd: [], options: [] })));
  return `${UPSTREAM_00_HEADER_ENV}${grubCountingScript()}set timeout=0\n${menu}`;
}

const BOTH = ["old", "new"];

async function bootSequence(disk: GrubEmuDisk, boots: number, afterBoot: (i: number, id: string) => void = () => {}): Promise<string[]> {
  const byTitle = Object.fromEntries(Object.entries(TITLES).map(([id, t]) => [t, id]));
  const seen: string[] = [];
  for (let i = 0; i < boots; i++) {
    const { titles, output } = await disk.boot();
    assert.is(titles.length, 1, `boot ${i + 1}: ${output.slice(-400)}`);
    const id = byTitle[titles[0]!]!;
    seen.push(id);
    afterBoot(i, id);
  }
  return seen;
}

function prepare(disk: GrubEmuDisk, ids: readonly string[], vars: Record<string, string>, trial = true): void {
  disk.writeFile("/boot/grub/grub.cfg", config(ids));
  let block = parseGrubenv(createGrubenv());
  for (const [k, v] of Object.entries(vars)) block = setVariable(block, k, v);
  if (trial) block = planGrubTrial(block, { trial: "new", tries: 3, fallback: "old" });
  disk.writeFile("/boot/grub/grubenv", serializeGrubenv(block));
}

function applyBless(disk: GrubEmuDisk, verb: "good" | "bad"): void {
  const plan = planGrubBless(parseGrubenv(disk.readBytes("/boot/grub/grubenv")), verb);
  disk.writeFile("/boot/grub/grubenv", serializeGrubenv(plan.after));
}

function tools(): void {
  for (const [tool, pkg] of [["grub-emu", "grub-emu"], ["grub-editenv", "grub-common"], ["mformat", "mtools"]] as const) requireTool(tool, pkg);
}

test("never boots: three tries on the new entry, then the old one by itself (= predict, = evaluator)", async () => {
  tools();
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    prepare(disk, BOTH, { saved_entry: "old" });
    const start = loadEnvView(parseGrubenv(disk.readBytes("/boot/grub/grubenv")));
    const predicted = predictGrub({ trial: "new", tries: 3, fallback: "old", savedEntry: "old", firstEntry: "old", menu: BOTH }, { kind: "counted" });
    const evaluated = predictGrubScript(parse(config(BOTH)), start, { kind: "counted" });
    const records: [string | undefined, string | undefined][] = [];
    const seen = await bootSequence(disk, 5, () => {
      const env = disk.readEnv();
      records.push([env.get("bootctl_tries"), env.get("bootctl_booted")]);
    });
    assert.equal(seen, ["new", "new", "new", "old", "old"]);
    assert.equal(records, [["2", "new"], ["1", "new"], ["0", "new"], ["0", "old"], ["0", "old"]], "tries saved by the trial's entry, the record by the entry that ran");
    assert.equal(seen.slice(0, predicted.attempts.length), predicted.attempts.map((a) => a.id));
    assert.equal(evaluated.attempts.map((a) => [a.id, a.tries?.left]), predicted.attempts.map((a) => [a.id, a.tries?.left]));
  });
});

test("fails once, then the service marks it good: it stays the default, no counting left", async () => {
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    prepare(disk, BOTH, { saved_entry: "old" });
    const seen = await bootSequence(disk, 4, (i) => { if (i === 1) applyBless(disk, "good"); });
    assert.equal(seen, ["new", "new", "new", "new"]);
    const predicted = predictGrub({ trial: "new", tries: 3, fallback: "old", savedEntry: "old", firstEntry: "old", menu: BOTH }, { kind: "first", count: 1 });
    assert.equal(predicted.attempts.map((a) => a.id), seen.slice(0, 2));
    const env = disk.readEnv();
    assert.is(env.get("saved_entry"), "new");
    assert.is(env.has("bootctl_trial"), false);
    assert.is(env.get("bootctl_state") ?? "", "", "GRUB cleared the mark at the next boot");
  });
});

test("a one-shot next_entry boots once, uses no try, and is what the record names", async () => {
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    prepare(disk, BOTH, { saved_entry: "old", next_entry: "old", bootctl_booted: "new" });
    const seen = await bootSequence(disk, 1);
    assert.equal(seen, ["old"]);
    const env = disk.readEnv();
    assert.equal([env.get("bootctl_tries"), env.get("bootctl_booted")], ["3", "old"]);
    assert.throws(() => applyBless(disk, "good"), (e: unknown) => (e as BootctlError).code === "E_NOT_COUNTING", "the one-shot boot of old is not the trial's");
    assert.equal(await bootSequence(disk, 1), ["new"]);
    assert.is(disk.readEnv().get("bootctl_tries"), "2");
  });
});

test("marked bad: the next boot falls back", async () => {
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    prepare(disk, BOTH, { saved_entry: "old" });
    const seen = await bootSequence(disk, 3, (i) => { if (i === 0) applyBless(disk, "bad"); });
    assert.equal(seen, ["new", "old", "old"]);
  });
});

test("a trial without a menu entry (grub.cfg not regenerated): GRUB boots the fallback, not entry 0; no try used; bless refuses", async () => {
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    // The menu's entry 0 is neither the saved default nor the fallback.
    const menu = ["first", "old"];
    prepare(disk, menu, { saved_entry: "old" });
    const start = loadEnvView(parseGrubenv(disk.readBytes("/boot/grub/grubenv")));
    const seen = await bootSequence(disk, 2, (i) => {
      if (i !== 0) return;
      const env = disk.readEnv();
      assert.equal([env.get("bootctl_trial"), env.get("bootctl_tries"), env.get("bootctl_booted")], ["new", "3", "old"], "the record names the entry that ran");
      for (const verb of ["good", "bad"] as const) {
        assert.throws(() => applyBless(disk, verb), (e: unknown) => (e as BootctlError).code === "E_NOT_COUNTING", `bless-boot ${verb} of a trial that did not boot`);
      }
    });
    assert.equal(seen, ["old", "old"]);
    const predicted = predictGrub({ trial: "new", tries: 3, fallback: "old", savedEntry: "old", firstEntry: "first", menu }, { kind: "first", count: 0 });
    const evaluated = predictGrubScript(parse(config(menu)), start, { kind: "first", count: 0 });
    assert.equal(predicted.attempts.map((a) => [a.id, a.tries]), [["old", undefined]]);
    assert.equal(evaluated.attempts.map((a) => [a.id, a.tries]), [["old", undefined]]);
    // update-grub: the trial's entry appears and it gets all its tries.
    disk.writeFile("/boot/grub/grub.cfg", config(["new", ...menu]));
    assert.equal(await bootSequence(disk, 1), ["new"]);
    assert.equal([disk.readEnv().get("bootctl_tries"), disk.readEnv().get("bootctl_booted")], ["2", "new"]);
  });
});

test("a grubenv from an earlier version (bootctl_booted asserted before the menu): the record is cleared and made again by the entry that runs", async () => {
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    disk.writeFile("/boot/grub/grub.cfg", config(["first", "old"]));
    disk.writeEnv("/boot/grub/grubenv", { saved_entry: "old", bootctl_trial: "new", bootctl_tries: "1", bootctl_fallback: "old", bootctl_booted: "new" });
    assert.equal(await bootSequence(disk, 1), ["old"]);
    const env = disk.readEnv();
    assert.equal([env.get("bootctl_tries"), env.get("bootctl_booted")], ["1", "old"]);
  });
});

test("no trial: the entries save nothing, the fragment only clears bootctl_state", async () => {
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    prepare(disk, BOTH, { saved_entry: "new", bootctl_booted: "new", bootctl_state: "good" }, false);
    assert.equal(await bootSequence(disk, 1), ["new"]);
    assert.equal(Object.fromEntries(disk.readEnv()), { saved_entry: "new", bootctl_booted: "new", bootctl_state: "" });
  });
});

test.run();
