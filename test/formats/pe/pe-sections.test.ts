/** PE/COFF reader: the shared UKI vector, malformed files, builder round trips, hostile bytes. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { ParseError } from "../../../src/errors.ts";
import { readPeHeaders, readPeSections, sectionName } from "../../../src/formats/pe/pe-sections.ts";
import { buildPe, type PeBuilderSection } from "../../support/pe-builder.ts";

const VECTORS = new URL("../../../fixtures/vectors/uki", import.meta.url).pathname;
const uki = readFileSync(`${VECTORS}/test-uki.efi`);
const expectedText = readFileSync(`${VECTORS}/test-uki.efi.expected.txt`, "utf8");

/** The expected header dict (Python repr of string values) and section table rows. */
function expected(): { header: Record<string, string>; rows: string[][] } {
  const lines = expectedText.split("\n");
  const header = JSON.parse(lines[0]!.replace(/'/g, '"')) as Record<string, string>;
  const rows = lines.filter((l) => /^\.\w+\s+0x/.test(l)).map((l) => l.trim().split(/\s+/));
  return { header, rows };
}

function expectParseError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, ParseError);
    assert.is((e as ParseError).code, code, (e as Error).message);
    return;
  }
  assert.unreachable(`expected ParseError ${code}`);
}

test("vector: headers match the reference listing", () => {
  const { header } = expected();
  const pe = readPeSections(uki);
  const h = (k: string): number => Number(header[k]);
  assert.is(pe.peOffset, h("e_lfanew"));
  assert.is(pe.machine, h("machine"));
  assert.is(pe.sections.length, h("number_of_sections"));
  assert.is(pe.timeDateStamp, h("time_date_stamp"));
  assert.is(pe.sizeOfOptionalHeader, h("size_of_optional_header"));
  assert.is(pe.coffCharacteristics, h("characteristics"));
  assert.is(pe.magic, h("opt_magic"));
  assert.is(pe.addressOfEntryPoint, h("address_of_entry_point"));
  assert.is(pe.imageBase, BigInt(h("image_base")));
  assert.is(pe.sectionAlignment, h("section_alignment"));
  assert.is(pe.fileAlignment, h("file_alignment"));
  assert.is(pe.sizeOfImage, h("size_of_image"));
  assert.is(pe.sizeOfHeaders, h("size_of_headers"));
  assert.is(pe.subsystem, h("subsystem"));
  assert.is(pe.numberOfRvaAndSizes, h("number_of_rva_and_sizes"));
  assert.is(pe.sectionTableOffset, 0x188);
});

test("vector: section table in file order with payloads", () => {
  const { rows } = expected();
  const pe = readPeSections(uki);
  assert.equal(pe.sections.map((s) => s.name), rows.map((r) => r[0]));
  pe.sections.forEach((s, i) => {
    const [, vs, va, raw, ptr, chars] = rows[i]!.map(Number);
    assert.equal([s.virtualSize, s.virtualAddress, s.sizeOfRawData, s.pointerToRawData, s.characteristics], [vs, va, raw, ptr, chars]);
    assert.is(s.data.length, Math.min(vs!, raw!));
    assert.ok(s.data.equals(uki.subarray(ptr!, ptr! + s.data.length)));
  });
  const sdmagic = pe.sections.find((s) => s.name === ".sdmagic")!;
  assert.is(sdmagic.data.toString("latin1"), "#### LoaderInfo: systemd-stub 252.39-1~deb12u2 ####\0");
  assert.is(pe.sections.find((s) => s.name === ".cmdline")!.data.toString(), readFileSync(`${VECTORS}/cmdline.txt`, "utf8"));
});

test("section names: trailing NULs dropped, inner NUL and 8-byte names kept", () => {
  assert.is(sectionName(Buffer.from(".osrel\0\0", "latin1")), ".osrel");
  assert.is(sectionName(Buffer.from(".osrel\0X", "latin1")), ".osrel\0X");
  assert.is(sectionName(Buffer.from(".sdmagic", "latin1")), ".sdmagic");
  assert.is(sectionName(Buffer.alloc(8)), "");
});

test("PE32 images are read too", () => {
  const pe = readPeSections(buildPe([{ name: ".text", data: "abc" }], { pe32: true, machine: 0x014c, imageBase: 0x400000n }));
  assert.is(pe.magic, 0x10b);
  assert.is(pe.machine, 0x014c);
  assert.is(pe.imageBase, 0x400000n);
  assert.is(pe.sections[0]!.data.toString(), "abc");
});

test("malformed headers are refused with codes", () => {
  const good = buildPe([{ name: ".text", data: "x" }]);
  expectParseError(() => readPeSections(Buffer.alloc(10)), "E_PE_TRUNCATED");
  expectParseError(() => readPeSections(buildPe([], { dosMagic: 0x4d5a })), "E_PE_NO_MZ");
  const farLfanew = Buffer.from(good);
  farLfanew.writeUInt32LE(0xfffffff0, 0x3c);
  expectParseError(() => readPeSections(farLfanew), "E_PE_TRUNCATED");
  expectParseError(() => readPeSections(buildPe([], { peSignature: 0x4550 + 1 })), "E_PE_NO_SIGNATURE");
  expectParseError(() => readPeSections(buildPe([], { sizeOfOptionalHeader: 1 })), "E_PE_OPTIONAL_HEADER");
  expectParseError(() => readPeSections(buildPe([], { sizeOfOptionalHeader: 100 })), "E_PE_OPTIONAL_HEADER");
  expectParseError(() => readPeSections(buildPe([], { sizeOfOptionalHeader: 0xf8 })), "E_PE_OPTIONAL_HEADER");
  expectParseError(() => readPeSections(buildPe([], { optionalMagic: 0x107 })), "E_PE_OPTIONAL_MAGIC");
  expectParseError(() => readPeSections(buildPe([], { sizeOfOptionalHeader: 0xfff0 })), "E_PE_TRUNCATED");
  expectParseError(() => readPeSections(buildPe([{ name: ".a", data: "x" }], { numberOfSections: 0xffff })), "E_PE_TRUNCATED");
  expectParseError(() => readPeSections(good.subarray(0, 0x188 + 20)), "E_PE_TRUNCATED");
});

test("section data outside the file is refused; headers alone stay readable", () => {
  const cases: PeBuilderSection[] = [
    { name: ".osrel", data: "ID=x\n", pointerToRawData: 0xfffffff0 },
    { name: ".osrel", data: "ID=x\n", virtualSize: 0x100000, sizeOfRawData: 0x100000 },
  ];
  for (const section of cases) {
    const file = buildPe([section]);
    expectParseError(() => readPeSections(file), "E_PE_SECTION_OUT_OF_BOUNDS");
    assert.is(readPeHeaders(file).sections[0]!.name, ".osrel");
  }
  // Truncated payload of the last section.
  const truncated = buildPe([{ name: ".linux", data: Buffer.alloc(0x400, 1) }], { truncateTo: 0x500 });
  expectParseError(() => readPeSections(truncated), "E_PE_SECTION_OUT_OF_BOUNDS");
});

test("lying sizes: data is min(VirtualSize, SizeOfRawData)", () => {
  const pe = readPeSections(buildPe([
    { name: ".big", data: "0123456789", virtualSize: 0x10000 },  // VS > raw: the raw size (0x200)
    { name: ".small", data: "0123456789", virtualSize: 4 },       // VS < raw: VS
    { name: ".bss", virtualSize: 0x1000, sizeOfRawData: 0 },      // nothing in the file
  ]));
  assert.equal(pe.sections.map((s) => s.data.length), [0x200, 4, 0]);
  assert.is(pe.sections[1]!.data.toString(), "0123");
});

const sectionArb = fc.record({
  name: fc.stringMatching(/^\.?[a-z0-9_]{0,7}$/).filter((n) => n.length <= 8),
  data: fc.uint8Array({ maxLength: 700 }),
});

test("property: builder → reader round trip", () => {
  fc.assert(fc.property(fc.array(sectionArb, { maxLength: 12 }), fc.boolean(), fc.constantFrom(0x200, 0x1000), (sections, pe32, fileAlignment) => {
    const file = buildPe(sections, { pe32, fileAlignment });
    const pe = readPeSections(file);
    assert.is(pe.sections.length, sections.length);
    pe.sections.forEach((s, i) => {
      assert.is(s.name, sections[i]!.name);
      assert.is(s.virtualSize, sections[i]!.data.length);
      assert.is(s.sizeOfRawData % fileAlignment, 0);
      assert.ok(s.data.equals(Buffer.from(sections[i]!.data)));
    });
  }), { numRuns: 200 });
});

function onlyParseErrors(bytes: Uint8Array): void {
  try {
    readPeSections(bytes);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    assert.match(e.code, /^E_PE_/);
  }
}

test("property: arbitrary bytes only ever raise ParseError", () => {
  const mzPrefixed = fc.uint8Array({ maxLength: 600 }).map((b) => {
    const out = Buffer.alloc(Math.max(b.length, 64));
    Buffer.from(b).copy(out);
    const peOffset = 0x40 + (out[0x3c]! % 64);
    out.write("MZ", 0, "latin1");
    out.writeUInt32LE(peOffset, 0x3c);
    if (peOffset + 4 <= out.length) out.write("PE\0\0", peOffset, "latin1");
    if (peOffset + 24 <= out.length) out.writeUInt16LE(out[peOffset + 20]! % 2 ? 0xf0 : out[peOffset + 20]!, peOffset + 20);
    return out;
  });
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }), mzPrefixed), onlyParseErrors), { numRuns: 1000 });
});

test("property: mutated valid files only ever raise ParseError", () => {
  const base = buildPe([{ name: ".osrel", data: "ID=x\n" }, { name: ".linux", data: Buffer.alloc(600, 7) }, { name: ".cmdline", data: "quiet" }]);
  const mutation = fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });
  fc.assert(fc.property(mutation, fc.nat(base.length), (edits, cut) => {
    const file = Buffer.from(base);
    for (const [at, value] of edits) file[at] = value;
    onlyParseErrors(file);
    onlyParseErrors(file.subarray(0, cut));
  }), { numRuns: 1000 });
  // Targeted: header fields at random values (e_lfanew, counts, sizes, pointers).
  const fields = [0x3c, 0x86, 0x94, 0x188 + 8, 0x188 + 16, 0x188 + 20, 0x188 + 48, 0x188 + 60];
  fc.assert(fc.property(fc.constantFrom(...fields), fc.integer({ min: 0, max: 0xffffffff }), (at, value) => {
    const file = Buffer.from(base);
    if (at === 0x86 || at === 0x94) file.writeUInt16LE(value & 0xffff, at);
    else file.writeUInt32LE(value, at);
    onlyParseErrors(file);
  }), { numRuns: 1000 });
});

test("hostile counts: 2,000 sections are all read, a claimed 65,535 is refused as truncated", () => {
  // No clock: how decoding time grows with input size is `npm run bench`'s growth row (test/bench/rows/growth.ts).
  const many = buildPe(Array.from({ length: 2000 }, (_, i) => ({ name: `.s${i}` })));
  assert.is(readPeSections(many).sections.length, 2000);
  expectParseError(() => readPeSections(buildPe([], { numberOfSections: 0xffff })), "E_PE_TRUNCATED");
});

test.run();
