/**
 * Entries named as kernel-install names them, `<machine-id>-<version>`, on real GRUB 2.06
 * (grub-emu). GRUB's get_entry_number reads a `default` that starts with digits as an entry
 * number (grub_strtoul, trailing text ignored): such names must reach GRUB as ids it cannot read
 * as numbers (src/model/grub-entry-id.ts, `bls:`), for counting, for `saved_entry` and for
 * `next_entry`. The first test shows the GRUB behaviour itself, so the rest can fail.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createGrubenv, parseGrubenv, serializeGrubenv, setVariable } from "../../src/formats/grubenv.ts";
import { planGrubBless, planGrubTrial } from "../../src/ops/grub-counting.ts";
import { grubCountingScript } from "../../src/ops/grub-counting-script.ts";
import { renderGrubScript } from "../../src/ops/grub-render.ts";
import { grubEntryId } from "../../src/model/grub-entry-id.ts";
import { selectEntryIndex } from "../../src/model/grub-default.ts";
import { grubQuote } from "../../src/formats/grubcfg/quote.ts";
import { GrubEmuDisk } from "../support/grub-emu.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";
import { UPSTREAM_00_HEADER_ENV } from "../support/grub-header.ts";

/** Six ordinary entries first, so that the number a machine-id name starts with (5) is an entry too. */
const MACHINE = "5d1e0c9a7b3f4e21a8c6d0f2b4e6a8c0";
const FILLER = ["a", "b", "c", "d", "e", "f"].map((x) => `filler-${x}.conf`);
const OLD = `${MACHINE}-6.1.0.conf`;
const NEW = `${MACHINE}-6.2.0.conf`;
const MENU = [...FILLER, OLD, NEW];
const title = (id: string) => `Entry ${id}`;

function config(): string {
  const menu = renderGrubScript(MENU.map((id) => ({ id, title: title(id), linux: `/vmlinuz-${id}`, initrd: [], options: [] })));
  return `${UPSTREAM_00_HEADER_ENV}${grubCountingScript()}set timeout=0\n${menu}`;
}

function tools(): void {
  for (const [tool, pkg] of [["grub-emu", "grub-emu"], ["grub-editenv", "grub-common"], ["mformat", "mtools"]] as const) requireTool(tool, pkg);
}

function writeEnv(disk: GrubEmuDisk, vars: Record<string, string>, trial?: { trial: string; fallback: string }): void {
  let block = parseGrubenv(createGrubenv());
  for (const [k, v] of Object.entries(vars)) block = setVariable(block, k, v);
  if (trial) block = planGrubTrial(block, { ...trial, tries: 2 });
  disk.writeFile("/boot/grub/grubenv", serializeGrubenv(block));
}

async function bootedIds(disk: GrubEmuDisk, boots: number, between: (i: number) => void = () => {}): Promise<string[]> {
  const byTitle = new Map(MENU.map((id) => [title(id), id]));
  const seen: string[] = [];
  for (let i = 0; i < boots; i++) {
    const { titles, output } = await disk.boot();
    assert.is(titles.length, 1, `boot ${i + 1}: ${output.slice(-400)}`);
    seen.push(byTitle.get(titles[0]!) ?? `? ${titles[0]}`);
    between(i);
  }
  return seen;
}

test("GRUB 2.06 itself: a saved_entry that starts with digits selects that entry number, not the entry of that name", async () => {
  tools();
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    disk.writeFile("/boot/grub/grub.cfg", config());
    writeEnv(disk, { saved_entry: NEW.replace(/\.conf$/, "") });
    assert.equal(await bootedIds(disk, 1), [MENU[5]], "the bare name is read as entry 5");
  });
});

test("the rendered ids of machine-id names cannot be read as numbers: saved_entry and next_entry boot the named entry", async () => {
  tools();
  assert.is(grubEntryId(NEW), `bls:${MACHINE}-6.2.0`);
  assert.is(grubEntryId(FILLER[0]!), "filler-a", "other names are unchanged");
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    disk.writeFile("/boot/grub/grub.cfg", config());
    writeEnv(disk, { saved_entry: grubEntryId(NEW), next_entry: grubEntryId(OLD) });
    assert.equal(await bootedIds(disk, 2), [OLD, NEW], "one-shot first, then the saved default");
  });
});

test("counting with machine-id names: two tries on the trial, then the fallback by itself; marked good, it stays", async () => {
  tools();
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    disk.writeFile("/boot/grub/grub.cfg", config());
    writeEnv(disk, { saved_entry: grubEntryId(OLD) }, { trial: grubEntryId(NEW), fallback: grubEntryId(OLD) });
    assert.equal(await bootedIds(disk, 3), [NEW, NEW, OLD]);

    writeEnv(disk, { saved_entry: grubEntryId(OLD) }, { trial: grubEntryId(NEW), fallback: grubEntryId(OLD) });
    const seen = await bootedIds(disk, 3, (i) => {
      if (i !== 0) return;
      const plan = planGrubBless(parseGrubenv(disk.readBytes("/boot/grub/grubenv")), "good");
      disk.writeFile("/boot/grub/grubenv", serializeGrubenv(plan.after));
    });
    assert.equal(seen, [NEW, NEW, NEW]);
    assert.is(disk.readEnv().get("saved_entry"), grubEntryId(NEW));
  });
});

test("GRUB's reading of `default` (grub_strtoul base 0, then ids) equals our model's, value by value", async () => {
  tools();
  const ids = ["alpha", "0xzz-1", "0X1-id", "id3", "id4", "id5", "id6", "id7", "id8", "id9", "id10", "x7"];
  const values = ["0xzz-1", "0X1-id", "0x1", "0x0a", "0xA", "010", "08", "07", "017", "00", "0x", " 3", "7abc", "9", "12", "+1", "-1", "1>0", "alpha", "x7", "nothing"];
  const script = ids.map((id, i) => `menuentry 'T${i}' --id ${grubQuote(id, "id")} { true; }`).join("\n");
  await withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    const seen: string[] = [];
    const modelled: string[] = [];
    for (const value of values) {
      disk.writeFile("/boot/grub/grub.cfg", `set timeout=0\nset default=${grubQuote(value, "default")}\n${script}\n`);
      const { titles, output } = await disk.boot();
      assert.is(titles.length, 1, `${JSON.stringify(value)}: ${output.slice(-300)}`);
      seen.push(`${value} → ${titles[0]}`);
      modelled.push(`${value} → T${selectEntryIndex(ids.map((id, i) => ({ id, title: `T${i}` })), value)}`);
    }
    assert.equal(modelled, seen);
  });
});

test.run();
