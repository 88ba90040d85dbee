/**
 * EFI_LOAD_OPTION and device-path codec: the libefivar-built vectors (fixtures/efivars/load-options,
 * expected fields and efibootmgr 17 lines in expected.json, checked against efibootmgr by
 * test/differential/efibootmgr-load-options.test.ts),
 * byte-exact round trips, arbitrary bytes never crashing, lying lengths caught.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { ParseError } from "../../../src/errors.ts";
import { decodeDevicePath, encodeDevicePath, gptHardDriveNode, withEnd } from "../../../src/formats/efi/device-path.ts";
import { devicePathText } from "../../../src/formats/efi/device-path-text.ts";
import { verboseTail } from "../../../src/formats/efi/efibootmgr-listing.ts";
import { decodeLoadOption, encodeLoadOption, LOAD_OPTION_ACTIVE } from "../../../src/formats/efi/load-option.ts";

const dir = new URL("../../../fixtures/efivars/load-options/", import.meta.url);
const expected = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as Record<string, {
  attributes: number; file_path_list_length: number; description: string; optional_data_hex: string; efibootmgr17_v_line: string;
}>;

for (const [file, e] of Object.entries(expected)) {
  test(`${file}: fields, efibootmgr 17 -v line, byte-exact round trip`, () => {
    const bytes = readFileSync(new URL(file, dir));
    const option = decodeLoadOption(bytes);
    assert.is(option.attributes, e.attributes);
    assert.is(option.description, e.description);
    assert.is(option.optionalData.toString("hex"), e.optional_data_hex);
    assert.is(encodeDevicePath(option.filePath).length, e.file_path_list_length);
    const tail = verboseTail(bytes);
    assert.ok("text" in tail);
    const line = `Boot0001${option.attributes & LOAD_OPTION_ACTIVE ? "*" : " "} ${option.description}${"text" in tail ? tail.text : ""}`;
    assert.is(line, e.efibootmgr17_v_line);
    assert.ok(encodeLoadOption(option).equals(bytes));
  });
}

test("dp-hd-gpt.bin decodes to a typed HD node and prints like libefivar", () => {
  const bytes = readFileSync(new URL("dp-hd-gpt.bin", dir));
  const nodes = decodeDevicePath(bytes);
  assert.is(nodes[0]!.kind, "hd");
  assert.is(devicePathText(bytes), "HD(1,GPT,0a3f4e45-2a8f-4d34-9b5c-1f7c3e2d8a61,0x800,0x100000)");
  const built = encodeDevicePath(withEnd([gptHardDriveNode(1, 0x800n, 0x100000n, "0a3f4e45-2a8f-4d34-9b5c-1f7c3e2d8a61")]));
  assert.ok(built.equals(bytes));
});

test("nodes whose lengths lie are ParseErrors, not crashes or guesses", () => {
  const good = readFileSync(new URL("dp-hd-gpt.bin", dir));
  const cases: [string, Buffer][] = [
    ["length below header", Buffer.from([0x04, 0x01, 0x02, 0x00, 0x7f, 0xff, 0x04, 0x00])],
    ["length past end", Buffer.concat([Buffer.from([0x04, 0x01, 0xff, 0x00]), good.subarray(4)])],
    ["cut header", Buffer.from([0x7f, 0xff, 0x04])],
    ["no End-Entire", good.subarray(0, 42)],
  ];
  for (const [what, bytes] of cases) {
    assert.throws(() => decodeDevicePath(bytes), (e: unknown) => e instanceof ParseError && e.code.startsWith("E_DEVPATH_"), what);
  }
  const option = readFileSync(new URL("lo1-debian-shim.bin", dir));
  const lying = Buffer.from(option);
  lying.writeUInt16LE(0x7fff, 4);
  assert.throws(() => decodeLoadOption(lying), (e: unknown) => e instanceof ParseError && e.code === "E_LOADOPT_PATH_LENGTH");
  assert.throws(() => decodeLoadOption(option.subarray(0, 12)), (e: unknown) => e instanceof ParseError && e.code === "E_LOADOPT_DESCRIPTION");
});

test("property: arbitrary bytes decode or fail with ParseError; whatever decodes re-encodes to the same bytes", () => {
  const vectors = Object.keys(expected).map((f) => readFileSync(new URL(f, dir)));
  const mutated = fc.tuple(fc.constantFrom(...vectors), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }))
    .map(([v, edits]) => {
      const b = Buffer.from(v);
      for (const [at, value] of edits) b[at % b.length] = value;
      return b;
    });
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), mutated), (bytes) => {
    try {
      const option = decodeLoadOption(bytes);
      return encodeLoadOption(option).equals(bytes);
    } catch (e) {
      return e instanceof ParseError;
    }
  }), { numRuns: 3000, seed: 6 });
});

test("property: device paths of arbitrary nodes round-trip byte for byte", () => {
  const rawNode = fc.tuple(fc.nat(255), fc.nat(255), fc.uint8Array({ maxLength: 60 })).map(([t, s, body]) => {
    const b = Buffer.alloc(4 + body.length);
    b[0] = t === 0x7f ? 0x7e : t;
    b[1] = s;
    b.writeUInt16LE(4 + body.length, 2);
    b.set(body, 4);
    return b;
  });
  fc.assert(fc.property(fc.array(rawNode, { maxLength: 6 }), (nodes) => {
    const bytes = Buffer.concat([...nodes, Buffer.from([0x7f, 0xff, 0x04, 0x00])]);
    return encodeDevicePath(decodeDevicePath(bytes)).equals(bytes);
  }), { numRuns: 2000, seed: 7 });
});

test("descriptions with any UTF-16 code units (lone surrogates too) round-trip", () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 0xffff }), { maxLength: 20 }), (units) => {
    const description = String.fromCharCode(...units);
    const option = { attributes: 1, description, filePath: withEnd([{ kind: "file" as const, path: "\\a.efi" }]), optionalData: Buffer.alloc(0) };
    const bytes = encodeLoadOption(option);
    return decodeLoadOption(bytes).description === description && encodeLoadOption(decodeLoadOption(bytes)).equals(bytes);
  }), { numRuns: 500, seed: 8 });
});

test.run();
