/**
 * Every decoder and parser of the toolkit, as a fuzz target: arbitrary and mutated inputs may
 * only raise our typed errors (BootctlError and its subclasses); decoders that have encoders
 * must round-trip what they accept. Used by test/fuzz/fuzz.test.ts (CI-sized) and
 * `npm run fuzz` (≥100,000 cases per target).
 */
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { BootctlError } from "../../src/errors.ts";
import { parseGrubenv, serializeGrubenv, createGrubenv } from "../../src/formats/grubenv.ts";
import { interpretEntry, parseEntry, serializeEntry } from "../../src/formats/bls/entry.ts";
import { interpretLoaderConf, parseLoaderConf, serializeLoaderConf } from "../../src/formats/bls/loader-conf.ts";
import { parseOsRelease } from "../../src/formats/bls/os-release.ts";
import { decodeLoadOption, encodeLoadOption } from "../../src/formats/efi/load-option.ts";
import { decodeDevicePath } from "../../src/formats/efi/device-path.ts";
import { readPeSections } from "../../src/formats/pe/pe-sections.ts";
import { readUki } from "../../src/formats/pe/uki.ts";
import { readGpt } from "../../src/formats/gpt/gpt.ts";
import { readVarStore } from "../../src/formats/ovmf/varstore.ts";
import { parseBootCountPath } from "../../src/model/boot-count-path.ts";
import { extractTries } from "../../src/model/boot-counter.ts";
import { compareVersions } from "../../src/model/version.ts";
import { buildUki } from "../support/pe-builder.ts";
import { parse as parseGrubCfg } from "../../src/formats/grubcfg/parser.ts";
import { stringify as stringifyGrubCfg } from "../../src/formats/grubcfg/stringify.ts";

export interface FuzzTarget {
  name: string;
  /** Inputs: arbitrary, and mutations of valid seeds. */
  input: fc.Arbitrary<Uint8Array>;
  /** Runs the decoder; returns normally or throws. A thrown non-BootctlError is a bug. */
  run: (input: Uint8Array) => void;
}

/** Byte-level mutations of a seed: flips, overwrites, truncation, duplication, splices. */
export function mutations(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const seed = fc.constantFrom(...seeds);
  const edit = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom("set", "flip", "cut", "dup", "insert") });
  return fc.tuple(seed, fc.array(edit, { minLength: 1, maxLength: 8 })).map(([s, edits]) => {
    let b = Buffer.from(s);
    for (const e of edits) {
      const at = b.length === 0 ? 0 : e.at % b.length;
      if (e.kind === "set" && b.length > 0) b[at] = e.byte;
      else if (e.kind === "flip" && b.length > 0) b[at] = b[at]! ^ (1 << (e.byte % 8));
      else if (e.kind === "cut") b = b.subarray(0, at);
      else if (e.kind === "dup") b = Buffer.concat([b, b.subarray(at, at + 64)]);
      else b = Buffer.concat([b.subarray(0, at), Buffer.from([e.byte]), b.subarray(at)]);
    }
    return new Uint8Array(b);
  });
}

const text = (arb: fc.Arbitrary<string>) => arb.map((s) => new Uint8Array(Buffer.from(s, "utf8")));
const bytes = fc.uint8Array({ maxLength: 2048 });
const either = (seeds: Uint8Array[]) => fc.oneof(bytes, mutations(seeds));
const decode = (b: Uint8Array) => Buffer.from(b).toString("utf8");
/** Seeds are files of this repository (fixtures/); a missing one is an error, never an empty seed list. */
const fixture = (p: string) => new URL(`../../fixtures/${p}`, import.meta.url);
const readSeed = (p: string): Uint8Array => new Uint8Array(readFileSync(fixture(p)));
const readSeeds = (dir: string, suffix: string): Uint8Array[] => {
  const seeds = readdirSync(fixture(dir)).filter((n) => n.endsWith(suffix)).map((n) => readSeed(`${dir}${n}`));
  if (seeds.length === 0) throw new Error(`no fuzz seeds in fixtures/${dir}`);
  return seeds;
};

const efi = (name: string) => readSeed(`efivars/load-options/${name}`);
const loadOptionSeeds = [efi("lo1-debian-shim.bin"), efi("lo2-systemd-boot.bin"), efi("lo5-pxe-ipv4.bin"), efi("lo6-hidden-app-vendor-guiddata.bin")];

export const TARGETS: FuzzTarget[] = [
  {
    name: "grubenv",
    input: either([createGrubenv(1024), new Uint8Array(Buffer.from("# GRUB Environment Block\nsaved_entry=a\\\nb\nx=\\\\y\n" + "#".repeat(980)))]),
    run: (b) => {
      const block = parseGrubenv(b);
      if (!Buffer.from(serializeGrubenv(block)).equals(Buffer.from(b))) throw new Error("grubenv does not round-trip");
    },
  },
  {
    name: "bls entry",
    input: fc.oneof(text(fc.string({ maxLength: 400 })), mutations([new Uint8Array(Buffer.from("title A\nversion 1\noptions a b\n# c\nlinux /x/../y\ninitrd /i\nprofile 3\n"))])),
    run: (b) => {
      const doc = parseEntry(decode(b));
      if (serializeEntry(doc) !== decode(b)) throw new Error("entry does not round-trip");
      interpretEntry(doc);
    },
  },
  {
    name: "loader.conf",
    input: fc.oneof(text(fc.string({ maxLength: 400 })), mutations([new Uint8Array(Buffer.from("timeout 3\ndefault \"fedora-*\"\nconsole-mode max\n"))])),
    run: (b) => {
      const doc = parseLoaderConf(decode(b));
      if (serializeLoaderConf(doc) !== decode(b)) throw new Error("loader.conf does not round-trip");
      interpretLoaderConf(doc);
    },
  },
  {
    name: "grub.cfg",
    input: fc.oneof(
      text(fc.string({ maxLength: 300 })),
      mutations(readSeeds("grubcfg/", ".cfg")),
      text(fc.array(fc.constantFrom("if", "then", "fi", "[", "]", "{", "}", "'", '"', "\\", "$x", "${y}", ";", "\n", " ", "menuentry", "--id", "#", "x"), { maxLength: 60 }).map((t) => t.join(" "))),
    ),
    run: (b) => {
      const text = decode(b);
      const script = parseGrubCfg(text);
      if (stringifyGrubCfg(script) !== text) throw new Error("grub.cfg does not round-trip");
    },
  },
  { name: "os-release", input: text(fc.string({ maxLength: 400 })), run: (b) => void parseOsRelease(decode(b)) },
  {
    name: "EFI load option",
    input: either(loadOptionSeeds),
    run: (b) => {
      const option = decodeLoadOption(b);
      if (!encodeLoadOption(option).equals(Buffer.from(b))) throw new Error("load option does not round-trip");
    },
  },
  { name: "device path", input: either([efi("dp-hd-gpt.bin")]), run: (b) => void decodeDevicePath(b) },
  { name: "PE sections", input: either([new Uint8Array(buildUki({ osrel: "ID=x\n", cmdline: "quiet" })), readSeed("vectors/uki/test-uki.efi")]), run: (b) => void readPeSections(b) },
  { name: "UKI", input: either([new Uint8Array(buildUki({ osrel: "ID=x\nVERSION_ID=1\n", cmdline: "quiet", uname: "6.1", profiles: [{ profile: "ID=a\n" }] }))]), run: (b) => void readUki(b) },
  { name: "GPT", input: either([readSeed("vectors/gpt/gpt-primary-34-sectors.bin")]), run: (b) => void readGpt(b) },
  { name: "OVMF store", input: fc.oneof(bytes, mutations(readSeeds("vectors/ovmf/", ".fd"))), run: (b) => void readVarStore(b) },
  { name: "LoaderBootCountPath", input: text(fc.string({ maxLength: 120 })), run: (b) => void parseBootCountPath(decode(b)) },
  { name: "boot counter file name", input: text(fc.stringMatching(/^[a-z+\-.0-9]{0,40}$/)), run: (b) => void extractTries(decode(b)) },
  { name: "version comparison", input: text(fc.string({ maxLength: 60 })), run: (b) => void compareVersions(decode(b), decode(b.subarray(b.length >> 1))) },
];

/** Runs one target; returns the failing input and error, if any. */
export function fuzz(target: FuzzTarget, numRuns: number, seed?: number): void {
  fc.assert(
    fc.property(target.input, (input) => {
      try {
        target.run(input);
      } catch (err) {
        if (err instanceof BootctlError) return;
        throw err;
      }
    }),
    { numRuns, ...(seed === undefined ? {} : { seed }) },
  );
}
