/** The GPT's CRC-32 (src/formats/gpt/crc32.ts) against zlib's, which implements the same function. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import * as zlib from "node:zlib";
import { crc32 } from "../../../src/formats/gpt/crc32.ts";

test("known values: the empty input, the check value of CRC-32/ISO-HDLC", () => {
  assert.is(crc32(new Uint8Array()), 0);
  assert.is(crc32(Buffer.from("123456789")), 0xcbf43926);
});

// zlib.crc32 exists on Node >= 20.15 / 22.2; the test matrix's Node 18 run checks the known values only.
const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
test("property: equal to zlib's crc32 on arbitrary bytes (where this Node has it)", () => {
  if (zlibCrc32 === undefined) return;
  fc.assert(fc.property(fc.uint8Array({ maxLength: 20_000 }), (bytes) => crc32(bytes) === zlibCrc32(bytes)), { numRuns: 300 });
});

test.run();
