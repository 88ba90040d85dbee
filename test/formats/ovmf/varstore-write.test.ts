/**
 * OVMF variable store writer: append/replace/delete as edk2 leaves the flash, compaction when
 * full, unchanged bytes outside the edit, and refused inputs.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BootctlError } from "../../../src/errors.ts";
import { encodeRecord, headerAlign } from "../../../src/formats/ovmf/variable-record.ts";
import { deleteVariable, getVariable, listVariables, readVarStore, setVariable } from "../../../src/formats/ovmf/varstore.ts";
import { debianVars, vectorVars } from "./ovmf-images.ts";

const GLOBAL = "8be4df61-93ca-11d2-aa0d-00e098032b8c";
const LOADER = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";
const u16z = (s: string): Buffer => Buffer.from(s + "\0", "utf16le");

/** Offsets where `a` and `b` differ. */
function diff(a: Buffer, b: Buffer): number[] {
  assert.is(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

function expectBootctlError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, BootctlError, String(e));
    assert.is((e as BootctlError).code, code, (e as Error).message);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

test("set on an empty 4M store: one record at 0x64, nothing else changes", () => {
  const before = debianVars("OVMF_VARS_4M.fd");
  const data = u16z("a.conf");
  const after = setVariable(before, { name: "LoaderEntryOneShot", guid: LOADER, attributes: 7, data });
  assert.is(after.length, before.length);
  const record = encodeRecord("authenticated", { state: 0x3f, attributes: 7, guid: LOADER, nameBytes: u16z("LoaderEntryOneShot"), data });
  assert.ok(after.subarray(0x64, 0x64 + record.length).equals(record));
  const changed = diff(before, after);
  assert.ok(changed.length > 0 && changed[0]! >= 0x64 && changed.at(-1)! < 0x64 + record.length);
  const store = readVarStore(after);
  assert.equal(listVariables(store), [{ name: "LoaderEntryOneShot", guid: LOADER, attributes: 7, data }]);
  assert.is(store.freeOffset, headerAlign(0x64 + record.length));
});

test("set writes exactly the record the reference tool wrote for the injected-oneshot vector", () => {
  // vectors/ovmf: with-injected-oneshot = after-sdboot-boot1 + LoaderEntryOneShot "a.conf" (edk2 MdeModulePkg/Include/Guid/VariableFormat.h).
  const base = vectorVars("after-sdboot-boot1");
  const ours = setVariable(base, { name: "LoaderEntryOneShot", guid: LOADER, attributes: 7, data: u16z("a.conf") });
  const theirs = vectorVars("with-injected-oneshot");
  assert.equal(diff(ours, theirs), []);
});

test("replace: old copy ends 0x3C (as the firmware leaves it), new copy appended 0x3F", () => {
  const before = vectorVars("after-sdboot-boot1");
  const old = getVariable(readVarStore(before), "Timeout", GLOBAL)!;
  assert.is(old.data.readUInt16LE(0), 0);
  const after = setVariable(before, { name: "Timeout", guid: GLOBAL, attributes: 7, data: Buffer.from([5, 0]) });
  const store = readVarStore(after);
  const now = getVariable(store, "Timeout", GLOBAL)!;
  assert.is(now.data.readUInt16LE(0), 5);
  assert.is(now.offset, readVarStore(before).freeOffset);
  assert.is(after[old.offset + 2], 0x3c);
  const changed = diff(before, after);
  assert.is(changed[0], old.offset + 2);
  assert.ok(changed.slice(1).every((i) => i >= now.offset));
  assert.is(store.variables.length, readVarStore(before).variables.length);
  // Everything past the record area (event log, FTW working block, spare) is untouched.
  assert.ok(after.subarray(store.storeEnd).equals(before.subarray(store.storeEnd)));
});

test("setting identical data writes nothing", () => {
  const before = vectorVars("after-4-boots");
  const lang = getVariable(readVarStore(before), "PlatformLang", GLOBAL)!;
  const after = setVariable(before, { name: "PlatformLang", guid: GLOBAL.toUpperCase(), attributes: lang.attributes, data: Buffer.from(lang.data) });
  assert.equal(diff(before, after), []);
  assert.is.not(after, before);
});

test("delete: only the State byte changes, to 0x3D", () => {
  const before = vectorVars("after-sdboot-boot1");
  const v = getVariable(readVarStore(before), "LoaderEntryLastBooted", LOADER)!;
  const after = deleteVariable(before, "LoaderEntryLastBooted", LOADER);
  assert.equal(diff(before, after), [v.offset + 2]);
  assert.is(after[v.offset + 2], 0x3d);
  assert.is(getVariable(readVarStore(after), "LoaderEntryLastBooted", LOADER), undefined);
  expectBootctlError(() => deleteVariable(after, "LoaderEntryLastBooted", LOADER), "E_OVMF_VAR_NOT_FOUND");
});

test("set then delete, then set again, on every Debian store", () => {
  for (const name of ["OVMF_VARS.fd", "OVMF_VARS_4M.fd", "OVMF_VARS_4M.ms.fd"] as const) {
    const base = debianVars(name);
    const names = listVariables(readVarStore(base)).map((v) => v.name);
    const s1 = setVariable(base, { name: "BootctlTsTest", guid: LOADER, attributes: 3, data: Buffer.from("one") });
    assert.is(getVariable(readVarStore(s1), "BootctlTsTest", LOADER)?.data.toString(), "one", name);
    const s2 = deleteVariable(s1, "BootctlTsTest", LOADER);
    assert.equal(listVariables(readVarStore(s2)).map((v) => v.name), names, name);
    const s3 = setVariable(s2, { name: "BootctlTsTest", guid: LOADER, attributes: 7, data: Buffer.from("two") });
    const v = getVariable(readVarStore(s3), "BootctlTsTest", LOADER)!;
    assert.is(v.data.toString(), "two");
    assert.is(v.attributes, 7);
    assert.ok(s3.subarray(0, 0x64).equals(base.subarray(0, 0x64)), `${name}: FV and store headers untouched`);
  }
});

test("a full store is compacted like edk2's Reclaim; a variable that cannot fit is refused", () => {
  let image = debianVars("OVMF_VARS.fd");
  const capacity = readVarStore(image).storeEnd - 0x64;
  const blob = Buffer.alloc(1000, 0xab);
  // Rewrite one variable until the store fills: only the live copy must survive compaction.
  let reclaimed = false;
  for (let i = 0; i < 80; i++) {
    blob.writeUInt32LE(i, 0);
    const before = readVarStore(image);
    image = setVariable(image, { name: "Blob", guid: LOADER, attributes: 3, data: blob });
    const after = readVarStore(image);
    if (after.records.length < before.records.length) reclaimed = true;
    assert.is(getVariable(after, "Blob", LOADER)?.data.readUInt32LE(0), i);
  }
  assert.ok(reclaimed, "the loop must have run into a full store");
  const store = readVarStore(image);
  assert.ok(store.freeSpaceClean);
  assert.ok(image.subarray(store.storeEnd).equals(debianVars("OVMF_VARS.fd").subarray(store.storeEnd)));
  const tooBig = Buffer.alloc(capacity, 1);
  const snapshot = Buffer.from(image);
  expectBootctlError(() => setVariable(image, { name: "Huge", guid: LOADER, attributes: 3, data: tooBig }), "E_OVMF_STORE_FULL");
  assert.equal(diff(snapshot, image), []);
});

test("compaction keeps 0x3F records in order and promotes a lone 0x3E copy to 0x3F", () => {
  const image = debianVars("OVMF_VARS.fd");
  const rec = (name: string, state: number, data: Buffer): Buffer =>
    encodeRecord("authenticated", { state, attributes: 3, guid: LOADER, nameBytes: u16z(name), data });
  let at = 0x64;
  const put = (r: Buffer): void => { r.copy(image, at); at = headerAlign(at + r.length); };
  put(rec("Trans", 0x3e, Buffer.from("survivor")));
  put(rec("Keep1", 0x3f, Buffer.from("k1")));
  put(rec("Dead", 0x3d, Buffer.alloc(0xd000, 7)));
  put(rec("Keep2", 0x3f, Buffer.from("k2")));
  const before = readVarStore(image);
  assert.equal(listVariables(before).map((v) => v.name), ["Trans", "Keep1", "Keep2"]);
  const after = readVarStore(setVariable(image, { name: "New", guid: LOADER, attributes: 3, data: Buffer.alloc(0x1000, 1) }));
  assert.equal(after.records.map((r) => [r.name, r.state]), [["Keep1", 0x3f], ["Keep2", 0x3f], ["Trans", 0x3f], ["New", 0x3f]]);
  assert.is(after.records[0]!.offset, 0x64);
  assert.is(getVariable(after, "Trans", LOADER)?.data.toString(), "survivor");
});

test("replacing a variable whose live copy is 0x3E marks that copy deleted", () => {
  const image = debianVars("OVMF_VARS.fd");
  encodeRecord("authenticated", { state: 0x3e, attributes: 7, guid: GLOBAL, nameBytes: u16z("Timeout"), data: Buffer.from([1, 0]) }).copy(image, 0x64);
  const after = setVariable(image, { name: "Timeout", guid: GLOBAL, attributes: 7, data: Buffer.from([2, 0]) });
  const store = readVarStore(after);
  assert.equal(store.records.map((r) => r.state), [0x3c, 0x3f]);
  assert.equal(listVariables(store).map((v) => v.data.readUInt16LE(0)), [2]);
});

test("a store with a dirty free area is compacted before appending", () => {
  const image = vectorVars("after-sdboot-boot1");
  const before = readVarStore(image);
  image[before.freeOffset + 0x1000] = 0x00;
  const after = readVarStore(setVariable(image, { name: "X", guid: LOADER, attributes: 3, data: Buffer.from("x") }));
  assert.ok(after.freeSpaceClean);
  assert.equal(listVariables(after).map((v) => v.name), [...listVariables(before).map((v) => v.name), "X"]);
});

test("authenticated-header fields are written when given", () => {
  const timeStamp = { year: 2024, month: 5, day: 6, hour: 7, minute: 8, second: 9, pad1: 0, nanosecond: 0, timeZone: 0, daylight: 0, pad2: 0 };
  const after = setVariable(debianVars("OVMF_VARS.fd"), {
    name: "dbt", guid: "d719b2cb-3d3a-4596-a3bc-dad00e67656f", attributes: 0x27, data: Buffer.from([1]),
    auth: { monotonicCount: 0n, timeStamp, pubKeyIndex: 0 },
  });
  const v = readVarStore(after).variables[0]!;
  assert.equal(v.auth?.timeStamp, timeStamp);
});

test("bad input is refused with E_OVMF_VAR_* and nothing is produced", () => {
  const image = debianVars("OVMF_VARS.fd");
  const ok = { name: "N", guid: LOADER, attributes: 7, data: Buffer.from("d") };
  expectBootctlError(() => setVariable(image, { ...ok, name: "" }), "E_OVMF_VAR_NAME");
  expectBootctlError(() => setVariable(image, { ...ok, name: "a\0b" }), "E_OVMF_VAR_NAME");
  expectBootctlError(() => setVariable(image, { ...ok, guid: "nope" }), "E_OVMF_VAR_GUID");
  expectBootctlError(() => setVariable(image, { ...ok, data: Buffer.alloc(0) }), "E_OVMF_VAR_EMPTY");
  for (const attributes of [6, 5, 0x41, 0x11, 0x81, 0x100, -1, 1.5]) {
    expectBootctlError(() => setVariable(image, { ...ok, attributes }), "E_OVMF_VAR_ATTRIBUTES");
  }
  expectBootctlError(() => deleteVariable(image, "N", "x"), "E_OVMF_VAR_GUID");
  const badTime = { year: 70000, month: 1, day: 1, hour: 0, minute: 0, second: 0, pad1: 0, nanosecond: 0, timeZone: 0, daylight: 0, pad2: 0 };
  expectBootctlError(() => setVariable(image, { ...ok, auth: { monotonicCount: 0n, timeStamp: badTime, pubKeyIndex: 0 } }), "E_OVMF_VAR_AUTH");
});

test.run();
