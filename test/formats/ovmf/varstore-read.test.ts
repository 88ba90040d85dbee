/**
 * OVMF variable store reader: the captured vectors against their reference listings, Debian's VARS
 * files, edk2's liveness rules, and each corrupt-header case with its error code.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ParseError } from "../../../src/errors.ts";
import { sum16 } from "../../../src/formats/ovmf/firmware-volume.ts";
import { encodeRecord, headerAlign } from "../../../src/formats/ovmf/variable-record.ts";
import { getVariable, listVariables, readVarStore, type VarStore } from "../../../src/formats/ovmf/varstore.ts";
import { debianVars, readListing, vectorVars, VECTOR_NAMES } from "./ovmf-images.ts";

const GLOBAL = "8be4df61-93ca-11d2-aa0d-00e098032b8c";
const LOADER = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";
const SECURITY_DB = "d719b2cb-3d3a-4596-a3bc-dad00e67656f";

function expectParseError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, ParseError, String(e));
    assert.is((e as ParseError).code, code, (e as Error).message);
    return;
  }
  assert.unreachable(`expected ParseError ${code}`);
}

/** Fix the FV header checksum after editing header bytes (what a consistent forger would do). */
function fixFvChecksum(image: Buffer): void {
  const length = image.readUInt16LE(0x30);
  image.writeUInt16LE(0, 0x32);
  image.writeUInt16LE((0x10000 - sum16(image, length)) & 0xffff, 0x32);
}

/** Append raw record bytes at the store's free offset (test-only forging of odd states). */
function appendRaw(image: Buffer, store: VarStore, record: Buffer): number {
  const at = store.freeOffset;
  record.copy(image, at);
  return at;
}

const u16z = (s: string): Buffer => Buffer.from(s + "\0", "utf16le");

for (const name of VECTOR_NAMES) {
  test(`vector ${name}: every header matches the reference listing`, () => {
    const all = readListing(name, true);
    const store = readVarStore(vectorVars(name));
    assert.is(store.format, "authenticated");
    assert.is(store.storeOffset, 0x48);
    assert.is(store.storeSize, 0x3ffb8);
    assert.is(store.recordsOffset, 0x64);
    assert.is(store.fv.fvLength, 0x84000);
    assert.equal(store.fv.blockMap, [{ numBlocks: 132, length: 4096 }]);
    assert.is(store.fv.checksum, 0xb8af);
    assert.is(store.records.length, all.headers);
    assert.is(store.variables.length, all.live);
    assert.is(store.freeOffset, all.firstFree);
    assert.ok(store.freeSpaceClean);
    all.records.forEach((want, i) => {
      const got = store.records[i]!;
      const where = `${name} record ${i} @${want.offset.toString(16)}`;
      assert.is(got.offset, want.offset, where);
      assert.is(got.name, want.name, where);
      assert.is(got.guid, want.guid, where);
      assert.is(got.attributes, want.attributes, where);
      assert.is(got.dataSize, want.size, where);
      assert.is(got.live, want.state === "ADDED", where);
      if (want.hex !== undefined) assert.is(got.data.toString("hex"), want.hex, where);
    });
  });

  test(`vector ${name}: live variables match the live listing`, () => {
    const live = readListing(name, false);
    const store = readVarStore(vectorVars(name));
    assert.equal(store.variables.map((v) => [v.offset, v.name, v.guid]), live.records.map((r) => [r.offset, r.name, r.guid]));
  });
}

test("vector with-injected-oneshot: LoaderEntryOneShot and the superseded LoaderEntryLastBooted", () => {
  const store = readVarStore(vectorVars("with-injected-oneshot"));
  const oneShot = getVariable(store, "LoaderEntryOneShot", LOADER);
  assert.ok(oneShot);
  assert.is(oneShot.data.toString("utf16le"), "a.conf\0");
  assert.is(oneShot.attributes, 7);
  assert.is(getVariable(store, "LoaderEntryLastBooted", LOADER.toUpperCase())?.data.toString("utf16le"), "b+2.conf\0");
  // edk2 VariableFormat.h: the record at 0x4084 has State 0x3F, a zero TimeStamp and PubKeyIndex.
  const r = store.records.find((x) => x.offset === 0x4084)!;
  assert.is(r.state, 0x3f);
  assert.is(r.nameSize, 0x2c);
  assert.is(r.auth?.monotonicCount, 0n);
  assert.is(r.auth?.pubKeyIndex, 0);
  const after4 = readVarStore(vectorVars("after-4-boots"));
  const states = new Set(after4.records.filter((x) => !x.live).map((x) => x.state));
  assert.equal([...states].sort(), [0x3c]);
});

test("Debian OVMF_VARS.fd and OVMF_VARS_4M.fd are empty authenticated stores (edk2 MdeModulePkg/Include/Guid/VariableFormat.h)", () => {
  const small = readVarStore(debianVars("OVMF_VARS.fd"));
  assert.is(small.imageSize, 0x20000);
  assert.is(small.fv.fvLength, 0x20000);
  assert.is(small.fv.checksum, 0xf919);
  assert.is(small.storeSize, 0xdfb8);
  assert.is(small.records.length, 0);
  assert.is(small.freeOffset, 0x64);
  const big = readVarStore(debianVars("OVMF_VARS_4M.fd"));
  assert.is(big.imageSize, 0x84000);
  assert.is(big.storeSize, 0x3ffb8);
  assert.equal(listVariables(big), []);
});

test("Debian OVMF_VARS_4M.ms.fd: enrolled keys live, BootOrder deleted (edk2 MdeModulePkg/Include/Guid/VariableFormat.h)", () => {
  const store = readVarStore(debianVars("OVMF_VARS_4M.ms.fd"));
  for (const [name, guid] of [["PK", GLOBAL], ["KEK", GLOBAL], ["db", SECURITY_DB], ["dbx", SECURITY_DB]] as const) {
    const v = getVariable(store, name, guid);
    assert.ok(v, name);
    assert.is(v.attributes & 0x20, 0x20, `${name} is time-based authenticated`);
    assert.ok(v.auth!.timeStamp.year >= 2010, `${name} carries its enrolment timestamp`);
  }
  assert.is(getVariable(store, "BootOrder", GLOBAL), undefined);
  assert.ok(store.records.some((r) => r.name === "BootOrder" && r.stateKind === "deleted"));
  assert.ok(store.records.filter((r) => r.stateKind === "deleted").length >= 25);
});

test("edk2 liveness: 0x3E alone is live, 0x3E with a 0x3F copy is not, 0x7F never", () => {
  const image = debianVars("OVMF_VARS.fd");
  const rec = (name: string, state: number, data: string): Buffer =>
    encodeRecord("authenticated", { state, attributes: 7, guid: LOADER, nameBytes: u16z(name), data: Buffer.from(data) });
  let store = readVarStore(image);
  appendRaw(image, store, rec("A", 0x3e, "old-a"));
  store = readVarStore(image);
  appendRaw(image, store, rec("B", 0x3e, "old-b"));
  store = readVarStore(image);
  appendRaw(image, store, rec("B", 0x3f, "new-b"));
  store = readVarStore(image);
  appendRaw(image, store, rec("C", 0x7f, "half"));
  store = readVarStore(image);
  appendRaw(image, store, rec("D", 0x3d, "gone"));
  store = readVarStore(image);
  assert.equal(store.records.map((r) => r.stateKind), ["in-deleted-transition", "in-deleted-transition", "added", "header-valid-only", "deleted"]);
  assert.equal(listVariables(store).map((v) => [v.name, v.data.toString()]), [["A", "old-a"], ["B", "new-b"]]);
  assert.is(getVariable(store, "B", LOADER)?.data.toString(), "new-b");
  assert.is(getVariable(store, "C", LOADER), undefined);
});

test("edk2 sizes: a torn header (a size field all ones) counts as header-only and the walk goes on", () => {
  const image = debianVars("OVMF_VARS.fd");
  let store = readVarStore(image);
  const torn = encodeRecord("authenticated", { state: 0x7f, attributes: 7, guid: LOADER, nameBytes: u16z("T"), data: Buffer.from("xx") });
  torn.writeUInt32LE(0xffffffff, 0x28); // DataSize
  const at = appendRaw(image, store, torn.subarray(0, 60));
  store = readVarStore(image);
  const next = headerAlign(at + 60);
  const good = encodeRecord("authenticated", { state: 0x3f, attributes: 7, guid: LOADER, nameBytes: u16z("G"), data: Buffer.from("ok") });
  good.copy(image, next);
  store = readVarStore(image);
  assert.is(store.records.length, 2);
  assert.ok(store.records[0]!.torn);
  assert.is(store.records[0]!.live, false);
  assert.is(store.records[1]!.offset, next);
  assert.equal(listVariables(store).map((v) => v.name), ["G"]);
});

test("plain (gEfiVariableGuid) stores use the 32-byte header", () => {
  const image = debianVars("OVMF_VARS.fd");
  Buffer.from("1636cfdd75326441 98b6fe85707ffe7d".replace(/ /g, ""), "hex").copy(image, 0x48);
  const rec = encodeRecord("plain", { state: 0x3f, attributes: 3, guid: GLOBAL, nameBytes: u16z("Plain"), data: Buffer.from([1, 2, 3]) });
  rec.copy(image, 0x64);
  const store = readVarStore(image);
  assert.is(store.format, "plain");
  assert.is(store.records[0]!.size, 32 + 12 + 3);
  assert.is(store.freeOffset, headerAlign(0x64 + 47));
  assert.equal(listVariables(store), [{ name: "Plain", guid: GLOBAL, attributes: 3, data: Buffer.from([1, 2, 3]) }]);
});

test("a dirty free area is reported (edk2 reclaims such a store at boot)", () => {
  const image = debianVars("OVMF_VARS.fd");
  image[0x5000] = 0;
  assert.is(readVarStore(image).freeSpaceClean, false);
});

test("corrupt headers: each violation has its own code", () => {
  const base = debianVars("OVMF_VARS.fd");
  const mutate = (edit: (b: Buffer) => void, fixChecksum = true): Buffer => {
    const b = Buffer.from(base);
    edit(b);
    if (fixChecksum) fixFvChecksum(b);
    return b;
  };
  expectParseError(() => readVarStore(base.subarray(0, 0x20)), "E_OVMF_TRUNCATED");
  expectParseError(() => readVarStore(Buffer.alloc(0x20000)), "E_OVMF_FV_SIGNATURE");
  expectParseError(() => readVarStore(mutate((b) => b.write("_FVX", 0x28, "latin1"))), "E_OVMF_FV_SIGNATURE");
  expectParseError(() => readVarStore(mutate((b) => { b[0x37] = 1; })), "E_OVMF_FV_REVISION");
  expectParseError(() => readVarStore(mutate((b) => b.writeUInt8(b.readUInt8(0x20) ^ 1, 0x20), false)), "E_OVMF_FV_CHECKSUM");
  expectParseError(() => readVarStore(mutate((b) => b.writeUInt16LE(0x49, 0x30))), "E_OVMF_FV_HEADER_LENGTH");
  expectParseError(() => readVarStore(mutate((b) => b.writeUInt16LE(0x52, 0x30), false).subarray(0, 0x50)), "E_OVMF_FV_HEADER_LENGTH");
  expectParseError(() => readVarStore(mutate((b) => b.writeUInt8(b.readUInt8(0x10) ^ 0xff, 0x10))), "E_OVMF_FV_GUID");
  expectParseError(() => readVarStore(mutate((b) => b.writeUInt32LE(0x30000, 0x20))), "E_OVMF_FV_LENGTH");
  expectParseError(() => readVarStore(mutate((b) => b.writeUInt32LE(0x21, 0x38))), "E_OVMF_FV_BLOCK_MAP");
  expectParseError(() => readVarStore(mutate((b) => b.writeUInt32LE(1, 0x40))), "E_OVMF_FV_BLOCK_MAP");
  expectParseError(() => readVarStore(mutate((b) => b.writeUInt8(b.readUInt8(0x48) ^ 1, 0x48))), "E_OVMF_STORE_SIGNATURE");
  expectParseError(() => readVarStore(mutate((b) => b.fill(0xff, 0x48, 0x48 + 28))), "E_OVMF_STORE_RAW");
  expectParseError(() => readVarStore(mutate((b) => { b[0x48 + 20] = 0x5b; })), "E_OVMF_STORE_FORMAT");
  expectParseError(() => readVarStore(mutate((b) => { b[0x48 + 21] = 0xfc; })), "E_OVMF_STORE_STATE");
  expectParseError(() => readVarStore(mutate((b) => b.writeUInt32LE(0x20000, 0x48 + 16))), "E_OVMF_STORE_SIZE");
  expectParseError(() => readVarStore(mutate((b) => b.writeUInt32LE(4, 0x48 + 16))), "E_OVMF_STORE_SIZE");
});

test("records that point outside the store are E_OVMF_VAR_BOUNDS", () => {
  const base = debianVars("OVMF_VARS.fd");
  const rec = encodeRecord("authenticated", { state: 0x3f, attributes: 7, guid: LOADER, nameBytes: u16z("X"), data: Buffer.from("data") });
  const huge = Buffer.from(rec);
  huge.writeUInt32LE(0xfffffff0, 0x28); // DataSize past the end of the store
  const b1 = Buffer.from(base);
  huge.copy(b1, 0x64);
  expectParseError(() => readVarStore(b1), "E_OVMF_VAR_BOUNDS");
  const b2 = Buffer.from(base);
  const end = 0x48 + 0xdfb8;
  b2.writeUInt16LE(0x55aa, end - 20); // a StartId whose header would cross the store end
  rec.copy(b2, 0x64);
  const recEnd = headerAlign(0x64 + rec.length);
  // fill the gap with one big deleted record so the walk lands on the forged StartId
  const filler = encodeRecord("authenticated", { state: 0x3d, attributes: 7, guid: LOADER, nameBytes: u16z("F"), data: Buffer.alloc(end - 20 - recEnd - 64) });
  filler.copy(b2, recEnd);
  expectParseError(() => readVarStore(b2), "E_OVMF_VAR_BOUNDS");
});

test.run();
