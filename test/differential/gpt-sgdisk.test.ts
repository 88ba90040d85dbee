/**
 * readGpt against gdisk's `sgdisk -p`, `sgdisk -i N` and `sgdisk -v` on sparse images laid out by
 * sgdisk itself (random partition slots, types, GUIDs, names, attribute bits), a quarter of them
 * with the primary header or primary entry array damaged afterwards (sgdisk then loads the backup).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { readFileSync, writeFileSync, truncateSync } from "node:fs";
import * as path from "node:path";
import { readGpt, GPT_TYPE_ESP, GPT_TYPE_XBOOTLDR } from "../../src/formats/gpt/gpt.ts";
import { execTool, requireTool } from "../support/exec.ts";
import { mapPool } from "../support/pool.ts";
import { makeTempRoot, removeTempRoot } from "../support/tmp.ts";

const LAYOUTS = 36;
const TYPES = [GPT_TYPE_ESP, GPT_TYPE_XBOOTLDR, "0fc63daf-8483-4772-8e79-3d69d8477de4", "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7"];
const NAME_CHARS = [..."abcXYZ019 _-.äöüé☃"];

interface Layout {
  sectors: number;
  diskGuid: string;
  parts: { slot: number; sectors: number; gap: number; type: string; guid: string; name: string; bits: number[] }[];
  damage: "none" | "header" | "table";
}

const guid = fc.uuid({ version: 4 });
const layoutArb: fc.Arbitrary<Layout> = fc.record({
  sectors: fc.integer({ min: 4096, max: 65536 }),
  diskGuid: guid,
  parts: fc.uniqueArray(fc.record({
    slot: fc.integer({ min: 1, max: 128 }),
    sectors: fc.integer({ min: 1, max: 600 }),
    gap: fc.integer({ min: 0, max: 300 }),
    type: fc.oneof(fc.constantFrom(...TYPES), guid),
    guid,
    name: fc.array(fc.constantFrom(...NAME_CHARS), { maxLength: 36 }).map((c) => c.join("").trim()),
    bits: fc.uniqueArray(fc.constantFrom(0, 1, 2, 48, 59, 60, 62, 63), { maxLength: 3 }),
  }), { maxLength: 7, selector: (p) => p.slot }),
  damage: fc.constantFrom("none", "none", "none", "header", "table"),
}) as fc.Arbitrary<Layout>;

function field(text: string, re: RegExp, what: string): string {
  const m = re.exec(text);
  assert.ok(m, `sgdisk output lacks ${what}:\n${text}`);
  return m![1]!;
}

async function sgdisk(args: string[]): Promise<string> {
  const r = await execTool("sgdisk", args);
  assert.is(r.status, 0, `sgdisk ${args.join(" ")}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function checkLayout(dir: string, layout: Layout, index: number): Promise<void> {
  const img = path.join(dir, `disk${index}.img`);
  writeFileSync(img, "");
  truncateSync(img, layout.sectors * 512);
  // One write per image: sgdisk sleeps about a second after each write. `-a 1` must follow `-o`,
  // which resets the alignment.
  const args = ["-o", "-U", layout.diskGuid, "-a", "1"];
  let next = 2048;
  for (const p of layout.parts) {
    const first = next + p.gap;
    const last = Math.min(first + p.sectors - 1, layout.sectors - 34);
    if (first > last) break;
    next = last + 1;
    args.push("-n", `${p.slot}:${first}:${last}`, "-t", `${p.slot}:${p.type}`, "-u", `${p.slot}:${p.guid}`);
    if (p.name !== "") args.push("-c", `${p.slot}:${p.name}`);
    for (const bit of p.bits) args.push("-A", `${p.slot}:set:${bit}`);
  }
  await sgdisk([...args, img]);

  const bytes = readFileSync(img);
  if (layout.damage === "header") bytes[512 + 0x20] = bytes[512 + 0x20]! ^ 0x01;      // AlternateLBA byte: header CRC breaks
  if (layout.damage === "table") bytes[1024 + 0x40] = bytes[1024 + 0x40]! ^ 0x01;      // inside entry 1: array CRC breaks
  if (layout.damage !== "none") writeFileSync(img, bytes);

  const table = readGpt(bytes);
  const verifyRun = await execTool("sgdisk", ["-v", img]);
  const verify = verifyRun.stdout + verifyRun.stderr;
  const sgdiskUsesPrimary = !/Main header: ERROR/.test(verify) && !/Main partition table: ERROR/.test(verify);
  assert.is(table.source, sgdiskUsesPrimary ? "primary" : "backup", `layout ${index} (${layout.damage}): ${verify}`);
  assert.is(table.source === "backup", layout.damage !== "none");

  const listing = await sgdisk(["-p", img]);
  assert.is(table.header.diskGuid, field(listing, /Disk identifier \(GUID\): (\S+)/, "disk GUID").toLowerCase());
  assert.is(table.header.numberOfPartitionEntries, Number(field(listing, /holds up to (\d+) entries/, "entry count")));
  assert.is(table.header.firstUsableLba, BigInt(field(listing, /First usable sector is (\d+)/, "first usable")));
  assert.is(table.header.lastUsableLba, BigInt(field(listing, /last usable sector is (\d+)/, "last usable")));
  if (table.source === "primary") {
    assert.is(table.header.partitionEntryLba, BigInt(field(listing, /Main partition table begins at sector (\d+)/, "table start")));
  }
  const rows = [...listing.matchAll(/^\s+(\d+)\s+(\d+)\s+(\d+)\s/gm)].map((m) => m.slice(1, 4).map(Number));
  assert.equal(table.partitions.map((p) => [p.number, Number(p.firstLba), Number(p.lastLba)]), rows, `layout ${index}`);

  for (const p of table.partitions) {
    const info = await sgdisk(["-i", String(p.number), img]);
    assert.is(p.typeGuid, field(info, /Partition GUID code: (\S+)/, "type").toLowerCase());
    assert.is(p.uniqueGuid, field(info, /Partition unique GUID: (\S+)/, "unique GUID").toLowerCase());
    assert.is(p.firstLba, BigInt(field(info, /First sector: (\d+)/, "first sector")));
    assert.is(p.lastLba, BigInt(field(info, /Last sector: (\d+)/, "last sector")));
    assert.is(p.attributes, BigInt("0x" + field(info, /Attribute flags: ([0-9A-Fa-f]+)/, "attributes")));
    assert.is(p.name, field(info, /Partition name: '(.*)'$/m, "name"));
    assert.is(p.role, p.typeGuid === GPT_TYPE_ESP ? "esp" : p.typeGuid === GPT_TYPE_XBOOTLDR ? "xbootldr" : undefined);
  }
}

test(`readGpt agrees with sgdisk on ${LAYOUTS} random layouts`, async () => {
  requireTool("sgdisk", "gdisk");
  const layouts = fc.sample(layoutArb, { numRuns: LAYOUTS, seed: 0x6b7 });
  const dir = makeTempRoot("bootctl-ts-gpt-");
  try {
    // 8 at a time: each sgdisk write sleeps ~1 s after syncing (idle, not CPU).
    await mapPool(layouts, 8, (layout, i) => checkLayout(dir, layout, i));
  } finally {
    removeTempRoot(dir);
  }
});

test.run();
