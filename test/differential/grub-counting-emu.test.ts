/**
 * The GRUB half of boot counting (ops/grub-counting-script.ts) on real GRUB 2.06 in grub-emu,
 * boot after boot, with the userspace half (ops/grub-counting.ts) applied between boots as the
 * service would; the sequence of booted entries must equal `predict`'s (ops/predict-grub.ts).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createGrubenv, parseGrubenv, serializeGrubenv, setVariable } from "../../src/formats/grubenv.ts";
import { planGrubBless, planGrubTrial } from "../../src/ops/grub-counting.ts";
import { grubCountingScript } from "../../src/ops/grub-counting-script.ts";
import { predictGrub } from "../../src/ops/predict-grub.ts";
import { GrubEmuDisk } from "../support/grub-emu.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";
import { UPSTREAM_00_HEADER_ENV } from "../support/grub-header.ts";

/** 00_header's environment handling (upstream 2.06), our snippet, then two entries. */
const CONFIG = `${UPSTREAM_00_HEADER_ENV}${grubCountingScript()}set timeout=0
menuentry 'Old deployment' --id old {
  echo old
}
menuentry 'New deployment' --id new {
  echo new
}
`;

const TITLE: Record<string, string> = { "Old deployment": "old", "New deployment": "new" };

async function bootSequence(disk: GrubEmuDisk, boots: number, afterBoot: (i: number, id: string) => void): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < boots; i++) {
    const { titles, output } = await disk.boot();
    assert.is(titles.length, 1, `boot ${i + 1}: ${output.slice(-400)}`);
    const id = TITLE[titles[0]!]!;
    seen.push(id);
    afterBoot(i, id);
  }
  return seen;
}

function prepare(disk: GrubEmuDisk, vars: Record<string, string>): void {
  disk.writeFile("/boot/grub/grub.cfg", CONFIG);
  let block = parseGrubenv(createGrubenv());
  for (const [k, v] of Object.entries(vars)) block = setVariable(block, k, v);
  block = planGrubTrial(block, { trial: "new", tries: 3, fallback: "old" });
  disk.writeFile("/boot/grub/grubenv", serializeGrubenv(block));
}

test("never boots: three tries on the new entry, then the old one by itself (= predict)", async () => {
  for (const [tool, pkg] of [["grub-emu", "grub-emu"], ["grub-editenv", "grub-common"], ["mformat", "mtools"]] as const) requireTool(tool, pkg);
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    prepare(disk, { saved_entry: "old" });
    const predicted = predictGrub({ trial: "new", tries: 3, fallback: "old", savedEntry: "old", firstEntry: "old" }, { kind: "counted" });
    const seen = await bootSequence(disk, 5, () => {});
    assert.equal(seen, ["new", "new", "new", "old", "old"]);
    assert.equal(seen.slice(0, predicted.attempts.length), predicted.attempts.map((a) => a.id));
    const env = disk.readEnv();
    assert.is(env.get("bootctl_tries"), "0");
    assert.is(env.get("bootctl_booted"), "old");
  });
});

test("fails once, then the service marks it good: it stays the default, no counting left", async () => {
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    prepare(disk, { saved_entry: "old" });
    const seen = await bootSequence(disk, 4, (i) => {
      if (i !== 1) return;
      const plan = planGrubBless(parseGrubenv(disk.readBytes("/boot/grub/grubenv")), "good");
      disk.writeFile("/boot/grub/grubenv", serializeGrubenv(plan.after));
    });
    assert.equal(seen, ["new", "new", "new", "new"]);
    const predicted = predictGrub({ trial: "new", tries: 3, fallback: "old", savedEntry: "old", firstEntry: "old" }, { kind: "first", count: 1 });
    assert.equal(predicted.attempts.map((a) => a.id), seen.slice(0, 2));
    const env = disk.readEnv();
    assert.is(env.get("saved_entry"), "new");
    assert.is(env.has("bootctl_trial"), false);
    assert.is(env.get("bootctl_state") ?? "", "", "GRUB cleared the mark at the next boot");
  });
});

test("a one-shot next_entry boots once and does not use a try", async () => {
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    prepare(disk, { saved_entry: "old", next_entry: "old" });
    const seen = await bootSequence(disk, 2, () => {});
    assert.equal(seen, ["old", "new"]);
    assert.is(disk.readEnv().get("bootctl_tries"), "2");
  });
});

test("marked bad: the next boot falls back", async () => {
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    prepare(disk, { saved_entry: "old" });
    const seen = await bootSequence(disk, 3, (i) => {
      if (i !== 0) return;
      const plan = planGrubBless(parseGrubenv(disk.readBytes("/boot/grub/grubenv")), "bad");
      disk.writeFile("/boot/grub/grubenv", serializeGrubenv(plan.after));
    });
    assert.equal(seen, ["new", "old", "old"]);
  });
});

test.run();
