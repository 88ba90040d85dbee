/**
 * OVMF variable stores with corrupt headers (issue 9, "Hostile input", item 7): bad FileSystem
 * GUID, wrong FvLength, wrong header checksum, odd or oversized HeaderLength, a bad store
 * signature or Size, a variable header running past the store end, a zero-length name. The rules
 * are edk2's (firmware-volume.ts / varstore.ts cite them): each corruption is a ParseError with
 * its E_OVMF_ code from reading, setting and deleting alike — never another exception — and the
 * caller's bytes are never modified (the codec returns new images; "no write" for a store is no
 * change to the buffer given). A record with NameSize 0 is not a variable and does not stop the
 * walk (edk2 would assert on it).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { ParseError } from "../../src/errors.ts";
import { sum16 } from "../../src/formats/ovmf/firmware-volume.ts";
import { deleteVariable, listVariables, readVarStore, setVariable } from "../../src/formats/ovmf/varstore.ts";
import { debianVars } from "../formats/ovmf/ovmf-images.ts";

const LOADER = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";

function fixChecksum(image: Buffer): void {
  const length = image.readUInt16LE(0x30);
  image.writeUInt16LE(0, 0x32);
  image.writeUInt16LE((0x10000 - sum16(image, length)) & 0xffff, 0x32);
}

/** A store with one LoaderEntryDefault variable, then a corruption applied to a copy. */
function base(): Buffer {
  return setVariable(debianVars("OVMF_VARS_4M.fd"), { name: "LoaderEntryDefault", guid: LOADER, attributes: 7, data: Buffer.from("a.conf\0", "utf16le") });
}

const CORRUPTIONS: { label: string; code: string; corrupt: (b: Buffer) => void; cut?: number }[] = [
  { label: "bad FileSystemGuid", code: "E_OVMF_FV_GUID", corrupt: (b) => { b.writeUInt8(b.readUInt8(0x10) ^ 0xff, 0x10); fixChecksum(b); } },
  { label: "FvLength beyond the image", code: "E_OVMF_FV_LENGTH", corrupt: (b) => { b.writeBigUInt64LE(BigInt(b.length) * 2n, 0x20); fixChecksum(b); } },
  { label: "FvLength shorter than the block map", code: "E_OVMF_FV_BLOCK_MAP", corrupt: (b) => { b.writeBigUInt64LE(0x1000n, 0x20); fixChecksum(b); } },
  { label: "header checksum wrong", code: "E_OVMF_FV_CHECKSUM", corrupt: (b) => { b.writeUInt16LE(b.readUInt16LE(0x32) ^ 0x5555, 0x32); } },
  { label: "signature not _FVH", code: "E_OVMF_FV_SIGNATURE", corrupt: (b) => { b.write("_XYZ", 0x28, "latin1"); } },
  { label: "HeaderLength odd", code: "E_OVMF_FV_HEADER_LENGTH", corrupt: (b) => { b.writeUInt16LE(0x49, 0x30); } },
  { label: "HeaderLength past the image", code: "E_OVMF_FV_HEADER_LENGTH", corrupt: (b) => { b.writeUInt16LE(0xfffe, 0x30); }, cut: 0x8000 },
  { label: "store signature", code: "E_OVMF_STORE_SIGNATURE", corrupt: (b) => { const at = b.readUInt16LE(0x30); b.writeUInt8(b.readUInt8(at) ^ 0x01, at); } },
  { label: "store Size beyond the volume", code: "E_OVMF_STORE_SIZE", corrupt: (b) => { b.writeUInt32LE(0x7fffffff, b.readUInt16LE(0x30) + 16); } },
  { label: "store not formatted", code: "E_OVMF_STORE_FORMAT", corrupt: (b) => { b[b.readUInt16LE(0x30) + 20] = 0; } },
  { label: "variable DataSize past the store end", code: "E_OVMF_VAR_BOUNDS", corrupt: (b) => { const s = readVarStore(b); b.writeUInt32LE(0x7fffffff, s.variables.at(-1)!.offset + (s.format === "authenticated" ? 40 : 12)); } },
  { label: "variable NameSize past the store end", code: "E_OVMF_VAR_BOUNDS", corrupt: (b) => { const s = readVarStore(b); b.writeUInt32LE(0xfffffff0, s.variables.at(-1)!.offset + (s.format === "authenticated" ? 36 : 8)); } },
  { label: "variable header cut by the store end", code: "E_OVMF_VAR_BOUNDS", corrupt: (b) => {
    // The last record grows to end 4 bytes before the store end, where a StartId begins a header
    // that cannot fit.
    const s = readVarStore(b);
    const last = s.records.at(-1)!;
    const hsize = s.format === "authenticated" ? 60 : 32;
    b.writeUInt32LE(s.storeEnd - 4 - (last.offset + hsize + last.nameSize), last.offset + (s.format === "authenticated" ? 40 : 12));
    b.writeUInt16LE(0x55aa, s.storeEnd - 4);
  } },
  { label: "truncated image", code: "E_OVMF_TRUNCATED", corrupt: () => undefined, cut: 0x40 },
];

test("corrupt store headers: ParseError with the edk2 rule's code from read, set and delete; the input is never modified", () => {
  for (const { label, code, corrupt, cut } of CORRUPTIONS) {
    let image = base();
    corrupt(image);
    if (cut !== undefined) image = Buffer.from(image.subarray(0, cut));
    const digest = createHash("sha256").update(image).digest("hex");
    for (const [op, run] of [
      ["read", () => readVarStore(image)],
      ["set", () => setVariable(image, { name: "LoaderEntryOneShot", guid: LOADER, attributes: 7, data: Buffer.from("b\0", "utf16le") })],
      ["delete", () => deleteVariable(image, "LoaderEntryDefault", LOADER)],
    ] as const) {
      let err: unknown;
      try {
        run();
      } catch (e) {
        err = e;
      }
      assert.instance(err, ParseError, `${label}: ${op} (${String(err)})`);
      assert.is((err as ParseError).code, code, `${label}: ${op}: ${(err as ParseError).message}`);
      assert.is(createHash("sha256").update(image).digest("hex"), digest, `${label}: ${op} modified its input`);
    }
  }
});

test("a record with NameSize 0 is not a variable and the walk goes on past it", () => {
  const image = base();
  const store = readVarStore(image);
  const last = store.variables.at(-1)!;
  const nameSizeAt = last.offset + (store.format === "authenticated" ? 36 : 8);
  // A copy of the last record with its name length zeroed, appended after it.
  const record = Buffer.from(image.subarray(last.offset, last.offset + (store.records.at(-1)!.size)));
  const copy = Buffer.from(image);
  record.copy(copy, store.freeOffset);
  copy.writeUInt32LE(0, store.freeOffset + (nameSizeAt - last.offset));
  const digest = createHash("sha256").update(copy).digest("hex");
  const read = readVarStore(copy);
  assert.is(read.records.length, store.records.length + 1, "the zero-name record is walked");
  assert.equal(listVariables(read).map((v) => v.name), listVariables(store).map((v) => v.name), "and not listed");
  const next = setVariable(copy, { name: "LoaderEntryOneShot", guid: LOADER, attributes: 7, data: Buffer.from("b\0", "utf16le") });
  assert.ok(listVariables(readVarStore(next)).some((v) => v.name === "LoaderEntryOneShot"));
  assert.is(createHash("sha256").update(copy).digest("hex"), digest, "input unchanged");
});

test.run();
