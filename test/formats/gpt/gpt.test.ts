/** GPT reader: the shared vector, UEFI §5.3.2 validity rules, backup fallback, hostile bytes. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import * as zlib from "node:zlib";

/** zlib's CRC-32 (Node >= 20.15; not in Node 18's typings): an oracle independent of src/formats/gpt/crc32.ts. */
const crc32 = (zlib as unknown as { crc32(data: Uint8Array): number }).crc32;
import { ParseError } from "../../../src/errors.ts";
import { readGpt, partitionsWithRole, GPT_TYPE_ESP, GPT_TYPE_XBOOTLDR } from "../../../src/formats/gpt/gpt.ts";
import { guidToBytes as guidFromText, guidToText } from "../../../src/formats/efi/guids.ts";
import { buildGpt, type BuildPartition } from "./gpt-builder.ts";

const VECTORS = new URL("../../../fixtures/vectors/gpt", import.meta.url).pathname;
const LINUX_FS = "0fc63daf-8483-4772-8e79-3d69d8477de4";

function expectParseError(fn: () => unknown, code: string): ParseError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, ParseError);
    assert.is((e as ParseError).code, code, (e as Error).message);
    return e as ParseError;
  }
  assert.unreachable(`expected ParseError ${code}`);
  throw new Error("unreachable");
}

test("GUID text is the mixed-endian EFI form", () => {
  const bytes = Buffer.from("61dfe48bca93d211aa0d00e098032b8c", "hex");
  assert.is(guidToText(bytes), "8be4df61-93ca-11d2-aa0d-00e098032b8c");
  assert.ok(guidFromText("8BE4DF61-93CA-11D2-AA0D-00E098032B8C").equals(bytes));
});

test("vector: sgdisk-made primary GPT (34 sectors, no backup present)", () => {
  const lines = readFileSync(`${VECTORS}/gpt-primary-34-sectors.expected.txt`, "utf8").trim().split("\n");
  const toJson = (l: string): Record<string, unknown> => JSON.parse(l.replace(/b'EFI PART'/, '"EFI PART"').replace(/'/g, '"').replace(/True/g, "true").replace(/False/g, "false")) as Record<string, unknown>;
  const h = toJson(lines[0]!);
  const p = toJson(lines[1]!);
  const table = readGpt(readFileSync(`${VECTORS}/gpt-primary-34-sectors.bin`));
  assert.is(table.source, "primary");
  assert.is(table.mbr, "protective");
  assert.is(table.header.revision, Number(h.revision));
  assert.is(table.header.headerSize, h.header_size);
  assert.is(table.header.myLba, BigInt(h.my_lba as number));
  assert.is(table.header.alternateLba, BigInt(h.alternate_lba as number));
  assert.is(table.header.firstUsableLba, BigInt(h.first_usable as number));
  assert.is(table.header.lastUsableLba, BigInt(h.last_usable as number));
  assert.is(table.header.diskGuid, h.disk_guid);
  assert.is(table.header.partitionEntryLba, BigInt(h.entries_lba as number));
  assert.is(table.header.numberOfPartitionEntries, h.num_entries);
  assert.is(table.header.sizeOfPartitionEntry, h.entry_size);
  assert.is(table.partitions.length, 1);
  const esp = table.partitions[0]!;
  assert.equal(
    [esp.number, esp.typeGuid, esp.uniqueGuid, esp.firstLba, esp.lastLba, esp.attributes, esp.name, esp.role],
    [p.number, p.type, p.unique, BigInt(p.first_lba as number), BigInt(p.last_lba as number), BigInt(p.attrs as string), p.name, "esp"],
  );
  assert.is(esp.lastLba - esp.firstLba + 1n, BigInt(p.size_lba as number));
  assert.equal(partitionsWithRole(table, "esp"), [esp]);
});

const sample: BuildPartition[] = [
  { number: 1, typeGuid: GPT_TYPE_ESP, uniqueGuid: "0a3f4e45-2a8f-4d34-9b5c-1f7c3e2d8a61", firstLba: 2048n, lastLba: 4095n, name: "ESP" },
  { number: 3, typeGuid: GPT_TYPE_XBOOTLDR, uniqueGuid: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", firstLba: 4096n, lastLba: 6143n, attributes: (1n << 63n) | 4n, name: "XBOOTLDR Ünïcødé ☃" },
  { number: 4, typeGuid: LINUX_FS, uniqueGuid: "12345678-9abc-4def-8123-456789abcdef", firstLba: 6144n, lastLba: 8000n, name: "x".repeat(36) },
];

test("entries: gaps keep their numbers, roles, attributes, names up to 36 UTF-16 units", () => {
  const table = readGpt(buildGpt({ sectors: 8192, partitions: sample }));
  assert.equal(table.partitions.map((p) => p.number), [1, 3, 4]);
  assert.equal(table.partitions.map((p) => p.role), ["esp", "xbootldr", undefined]);
  assert.is("role" in table.partitions[2]!, false);
  assert.is(table.partitions[1]!.attributes, (1n << 63n) | 4n);
  assert.equal(table.partitions.map((p) => p.name), ["ESP", "XBOOTLDR Ünïcødé ☃", "x".repeat(36)]);
  assert.is(table.header.alternateLba, 8191n);
});

test("4Kn disks and 256-byte entries", () => {
  const table = readGpt(buildGpt({ sectors: 2048, sectorSize: 4096, entrySize: 256, entries: 64, partitions: [{ ...sample[0]!, firstLba: 256n, lastLba: 511n }] }), 4096);
  assert.is(table.sectorSize, 4096);
  assert.is(table.header.sizeOfPartitionEntry, 256);
  assert.is(table.partitions[0]!.firstLba, 256n);
  // Read with the wrong sector size: no header at byte 512.
  expectParseError(() => readGpt(buildGpt({ sectors: 2048, sectorSize: 4096 }), 512), "E_GPT_NO_VALID_HEADER");
  expectParseError(() => readGpt(buildGpt({ sectors: 64 }), 1000), "E_GPT_SECTOR_SIZE");
});

test("protective MBR: required; hybrid reported", () => {
  expectParseError(() => readGpt(buildGpt({ sectors: 100, noMbr: true })), "E_GPT_NO_PROTECTIVE_MBR");
  const noEe = buildGpt({ sectors: 100 });
  noEe[0x1be + 4] = 0x83;
  expectParseError(() => readGpt(noEe), "E_GPT_NO_PROTECTIVE_MBR");
  assert.is(readGpt(buildGpt({ sectors: 100, hybridMbr: true })).mbr, "hybrid");
  expectParseError(() => readGpt(Buffer.alloc(700)), "E_GPT_TRUNCATED");
});

/** Recompute a header CRC after editing it (to reach the checks after the CRC). */
function resealHeader(image: Buffer, lba: number): void {
  const at = lba * 512;
  image.writeUInt32LE(0, at + 16);
  image.writeUInt32LE(crc32(image.subarray(at, at + 92)), at + 16);
}

test("primary damage falls back to the backup, reporting why", () => {
  const good = buildGpt({ sectors: 8192, partitions: sample });
  const expectedParts = readGpt(good).partitions;
  const damages: [string, (img: Buffer) => void, RegExp][] = [
    ["signature", (img) => { img[512] = 0x45 + 1; }, /signature/],
    ["header CRC", (img) => { img[512 + 40] = img[512 + 40]! ^ 1; }, /header CRC32/],
    ["entries CRC", (img) => { img[1024 + 130] = img[1024 + 130]! ^ 1; }, /entry array CRC32/],
    ["header size", (img) => { img.writeUInt32LE(600, 512 + 12); resealHeader(img, 1); }, /header size 600/],
    ["MyLBA", (img) => { img.writeBigUInt64LE(5n, 512 + 24); resealHeader(img, 1); }, /MyLBA 5/],
    ["entry size", (img) => { img.writeUInt32LE(129, 512 + 84); resealHeader(img, 1); }, /128·2\^n/],
    ["entry count", (img) => { img.writeUInt32LE(0xffffffff, 512 + 80); resealHeader(img, 1); }, /beyond the image/],
    ["entries LBA", (img) => { img.writeBigUInt64LE(0xffffffffffffffffn, 512 + 72); resealHeader(img, 1); }, /beyond the image/],
  ];
  for (const [what, damage, problem] of damages) {
    const img = Buffer.from(good);
    damage(img);
    const table = readGpt(img);
    assert.is(table.source, "backup", what);
    assert.match(table.primaryProblem ?? "", problem, what);
    assert.is(table.header.myLba, 8191n);
    assert.is(table.header.partitionEntryLba, 8191n - 32n);
    assert.equal(table.partitions, expectedParts, what);
  }
  const neither = Buffer.from(good);
  neither[512] = 0;
  neither[8191 * 512] = 0;
  const e = expectParseError(() => readGpt(neither), "E_GPT_NO_VALID_HEADER");
  assert.match(e.message, /primary: .*backup: /);
  // Primary header intact but its table bad, and the image was extended (backup not at the last LBA).
  const grown = Buffer.concat([good, Buffer.alloc(4096)]);
  grown[1024 + 130] = grown[1024 + 130]! ^ 1;
  const table = readGpt(grown);
  assert.is(table.source, "backup");
  assert.is(table.header.myLba, 8191n);
  // Primary only (the backup area is missing): the primary is enough.
  assert.is(readGpt(buildGpt({ sectors: 200, noBackup: true, partitions: [{ ...sample[0]!, firstLba: 40n, lastLba: 100n }] })).source, "primary");
});

const guidArb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => guidToText(b));
const layoutArb = fc.record({
  sectors: fc.integer({ min: 80, max: 4000 }),
  entries: fc.constantFrom(4, 16, 128),
  entrySize: fc.constantFrom(128, 256),
  diskGuid: guidArb,
  parts: fc.array(fc.record({
    slot: fc.nat(),
    typeGuid: fc.oneof(fc.constantFrom(GPT_TYPE_ESP, GPT_TYPE_XBOOTLDR, LINUX_FS), guidArb.filter((g) => g !== "00000000-0000-0000-0000-000000000000")),
    uniqueGuid: guidArb,
    firstLba: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    lastLba: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    attributes: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    name: fc.string({ maxLength: 36 }).map((s) => s.replace(/\0/g, "")),
  }), { maxLength: 6 }),
});

test("property: builder → reader round trip", () => {
  fc.assert(fc.property(layoutArb, (l) => {
    const bySlot = new Map<number, BuildPartition>();
    for (const p of l.parts) bySlot.set((p.slot % l.entries) + 1, { number: (p.slot % l.entries) + 1, typeGuid: p.typeGuid, uniqueGuid: p.uniqueGuid, firstLba: p.firstLba, lastLba: p.lastLba, attributes: p.attributes, name: p.name });
    const parts = [...bySlot.values()].sort((a, b) => a.number - b.number);
    const sectors = Math.max(l.sectors, 2 * Math.ceil((l.entries * l.entrySize) / 512) + 3);
    const table = readGpt(buildGpt({ sectors, entries: l.entries, entrySize: l.entrySize, diskGuid: l.diskGuid, partitions: parts }));
    assert.is(table.source, "primary");
    assert.is(table.header.diskGuid, l.diskGuid);
    assert.equal(table.partitions.map((p) => [p.number, p.typeGuid, p.uniqueGuid, p.firstLba, p.lastLba, p.attributes, p.name]),
      parts.map((p) => [p.number, p.typeGuid, p.uniqueGuid, p.firstLba, p.lastLba, p.attributes, Buffer.from(Buffer.from(p.name ?? "", "utf16le").subarray(0, 72)).toString("utf16le")]));
  }), { numRuns: 200 });
});

function onlyParseErrors(bytes: Uint8Array, sectorSize = 512): void {
  try {
    readGpt(bytes, sectorSize);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    assert.match(e.code, /^E_GPT_/);
  }
}

test("property: arbitrary bytes and mutated images only ever raise ParseError", () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => {
    const img = Buffer.alloc(Math.max(b.length, 1024));
    Buffer.from(b).copy(img);
    img.writeUInt16LE(0xaa55, 510);
    img[0x1be + 4] = 0xee;
    img.write("EFI PART", 512, "latin1");
    onlyParseErrors(b);
    onlyParseErrors(img);
  }), { numRuns: 500 });
  const good = buildGpt({ sectors: 200, entries: 16, partitions: [{ ...sample[0]!, firstLba: 40n, lastLba: 100n }] });
  const hot = [510, 0x1be + 4, ...Array.from({ length: 92 }, (_, i) => 512 + i), ...Array.from({ length: 92 }, (_, i) => 199 * 512 + i)];
  const edit = fc.tuple(fc.oneof(fc.constantFrom(...hot), fc.nat(good.length - 1)), fc.integer({ min: 0, max: 255 }));
  fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), fc.nat(good.length), fc.boolean(), (edits, cut, reseal) => {
    const img = Buffer.from(good);
    for (const [at, value] of edits) img[at] = value;
    if (reseal) resealHeader(img, 1);
    onlyParseErrors(img);
    onlyParseErrors(img.subarray(0, cut));
  }), { numRuns: 1500 });
});

test("hostile entry counts stay linear", () => {
  const img = buildGpt({ sectors: 64, entries: 4 });
  img.writeUInt32LE(0x10000000, 512 + 80);
  resealHeader(img, 1);
  const table = readGpt(img);
  assert.is(table.source, "backup");
  assert.match(table.primaryProblem ?? "", /beyond the image/);
  img[63 * 512] = 0;
  const e = expectParseError(() => readGpt(img), "E_GPT_NO_VALID_HEADER");
  // A claimed 2^28 entries is refused by the bounds check, before any entry is read.
  assert.match(e.message, /beyond the image/);
});

test.run();
