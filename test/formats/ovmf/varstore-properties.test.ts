/**
 * Properties of the OVMF variable store codec: hostile bytes only ever raise ParseError, and random
 * set/delete sequences keep the store readable and equal to a Map model, with every byte outside
 * the record area unchanged.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { BootctlError, ParseError } from "../../../src/errors.ts";
import { sum16 } from "../../../src/formats/ovmf/firmware-volume.ts";
import { deleteVariable, listVariables, readVarStore, setVariable } from "../../../src/formats/ovmf/varstore.ts";
import { debianVars, vectorVars } from "./ovmf-images.ts";

const LOADER = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";
const GLOBAL = "8be4df61-93ca-11d2-aa0d-00e098032b8c";

/** Run `fn`; anything thrown must be a ParseError (or a BootctlError when `alsoBootctl`). */
function onlyTypedErrors(fn: () => void, alsoBootctl = false): void {
  try {
    fn();
  } catch (e) {
    const ok = e instanceof ParseError || (alsoBootctl && e instanceof BootctlError);
    if (!ok) throw e;
    assert.match((e as BootctlError).code, /^E_OVMF_/);
  }
}

test("arbitrary bytes only raise ParseError", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 512 }), (bytes) => {
      onlyTypedErrors(() => readVarStore(bytes));
    }),
    { numRuns: 300 },
  );
});

test("a valid FV header followed by arbitrary bytes only raises ParseError", () => {
  const base = debianVars("OVMF_VARS.fd");
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 4096 }), fc.boolean(), (tail, fillFf) => {
      const image = Buffer.alloc(base.length, fillFf ? 0xff : 0);
      base.copy(image, 0, 0, 0x64);
      Buffer.from(tail).copy(image, 0x64);
      onlyTypedErrors(() => {
        const store = readVarStore(image);
        for (const v of listVariables(store)) assert.ok(v.data.length <= store.storeSize);
      });
    }),
    { numRuns: 200 },
  );
});

function fixChecksum(image: Buffer): void {
  const length = image.readUInt16LE(0x30);
  if (length > image.length || length & 1) return;
  image.writeUInt16LE(0, 0x32);
  image.writeUInt16LE((0x10000 - sum16(image, length)) & 0xffff, 0x32);
}

test("mutated real stores: reading and writing only raise typed errors, writes stay readable", () => {
  const bases = [debianVars("OVMF_VARS.ms.fd"), vectorVars("after-4-boots")];
  const mutation = fc.record({
    base: fc.integer({ min: 0, max: bases.length - 1 }),
    edits: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), inHeader: fc.boolean() }), { minLength: 1, maxLength: 6 }),
    fix: fc.boolean(),
  });
  fc.assert(
    fc.property(mutation, ({ base, edits, fix }) => {
      const image = Buffer.from(bases[base]!);
      const used = readVarStore(image).freeOffset + 64;
      for (const e of edits) image[e.inHeader ? e.at % 0x64 : e.at % used] = e.value;
      if (fix) fixChecksum(image);
      onlyTypedErrors(() => {
        const store = readVarStore(image);
        listVariables(store);
        const out = setVariable(image, { name: "Probe", guid: LOADER, attributes: 7, data: Buffer.from("p") });
        assert.is(out.length, image.length);
        const again = readVarStore(out);
        assert.is(again.variables.filter((v) => v.name === "Probe" && v.guid === LOADER).length, 1);
        assert.ok(out.subarray(0, store.recordsOffset).equals(image.subarray(0, store.recordsOffset)));
        assert.ok(out.subarray(store.storeEnd).equals(image.subarray(store.storeEnd)));
      }, true);
    }),
    { numRuns: 300 },
  );
});

type Op = { kind: "set"; key: number; attributes: number; size: number; fill: number } | { kind: "delete"; key: number };

const KEYS: [string, string][] = [
  ["Boot0001", GLOBAL], ["Timeout", GLOBAL], ["LoaderEntryOneShot", LOADER], ["LoaderEntryDefault", LOADER],
  ["Timeout", LOADER], ["Ünïcödé😀", LOADER],
];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("set" as const), key: fc.integer({ min: 0, max: KEYS.length - 1 }), attributes: fc.constantFrom(3, 7, 0x27), size: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1000, max: 9000 })), fill: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), key: fc.integer({ min: 0, max: KEYS.length - 1 }) }) },
);

test("random set/delete sequences match a Map model; bytes outside the record area never change", () => {
  const pristine = debianVars("OVMF_VARS.fd");
  const outside = (b: Buffer): Buffer => Buffer.concat([b.subarray(0, 0x64), b.subarray(0x48 + 0xdfb8)]);
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
      let image: Buffer = Buffer.from(pristine);
      const model = new Map<string, { attributes: number; data: Buffer }>();
      for (const op of ops) {
        const [name, guid] = KEYS[op.key]!;
        const id = `${name}-${guid}`;
        if (op.kind === "set") {
          const data = Buffer.alloc(op.size, op.fill);
          data.writeUInt8(op.key, 0);
          try {
            image = setVariable(image, { name, guid, attributes: op.attributes, data });
            model.set(id, { attributes: op.attributes, data });
          } catch (e) {
            assert.is((e as BootctlError).code, "E_OVMF_STORE_FULL");
          }
        } else if (model.has(id)) {
          image = deleteVariable(image, name, guid);
          model.delete(id);
        } else {
          assert.throws(() => deleteVariable(image, name, guid), (e: unknown) => (e as BootctlError).code === "E_OVMF_VAR_NOT_FOUND");
        }
        const store = readVarStore(image);
        assert.ok(store.freeSpaceClean);
        const got = new Map(listVariables(store).map((v) => [`${v.name}-${v.guid}`, { attributes: v.attributes, data: v.data }]));
        assert.is(got.size, store.variables.length, "no duplicate live copies");
        assert.equal(got, model);
      }
      assert.is(image.length, pristine.length);
      assert.ok(outside(image).equals(outside(pristine)));
    }),
    { numRuns: 60 },
  );
});

test.run();
