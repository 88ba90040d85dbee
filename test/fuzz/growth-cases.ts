/**
 * Inputs whose size must not make a decoder's work grow faster than linearly: every fuzz target on
 * random bytes and on many short lines, and the shapes that made earlier parsers quadratic (deep
 * nesting, long quote runs, long whitespace runs in one value, many `+` in a file name, long
 * versions). `make(size)` builds an input of about `size` bytes; `run` decodes it (a typed error
 * is a result like any other). Used by test/fuzz/fuzz.test.ts (each case finishes on 1 MiB) and
 * test/bench/rows/growth.ts (time at 128 KiB against 1 MiB).
 */
import { extractTries } from "../../src/model/boot-counter.ts";
import { compareVersions } from "../../src/model/version.ts";
import { TARGETS } from "./targets.ts";

export interface GrowthCase {
  name: string;
  make: (size: number) => Uint8Array;
  run: (input: Uint8Array) => void;
}

export interface GrowthGroup {
  name: string;
  cases: () => Promise<GrowthCase[]>;
}

const text = (s: string) => new Uint8Array(Buffer.from(s));
const str = (b: Uint8Array) => Buffer.from(b).toString();

export const GROWTH_GROUPS: GrowthGroup[] = [
  {
    name: "every decoder on random bytes and on many lines",
    cases: async () => {
      const random = (size: number) => {
        const b = new Uint8Array(size);
        for (let i = 0; i < size; i++) b[i] = (i * 2654435761) >>> 24;
        return b;
      };
      const lines = (size: number) => text("options a b c\n".repeat(Math.ceil(size / 14))).subarray(0, size);
      return TARGETS.flatMap((t): GrowthCase[] => [
        { name: `${t.name} (random bytes)`, make: random, run: t.run },
        { name: `${t.name} (many lines)`, make: lines, run: t.run },
      ]);
    },
  },
  {
    name: "pathological grub.cfg (deep nesting, long quote runs)",
    cases: async () => {
      const { parse } = await import("../../src/formats/grubcfg/parser.ts");
      const run = (b: Uint8Array) => void parse(str(b));
      return [
        { name: "nested if", make: (size) => { const n = Math.floor(size / 40); return text("if true; then\n".repeat(n) + "echo x\n" + "fi\n".repeat(n)); }, run },
        { name: "nested braces", make: (size) => { const n = Math.floor(size / 8); return text("{ ".repeat(n) + "echo x" + " }".repeat(n) + "\n"); }, run },
        { name: "long quote runs", make: (size) => text("echo " + "'a'\"b\"".repeat(size / 8) + "\n"), run },
        { name: "unterminated quote", make: (size) => text("echo '" + "x".repeat(size)), run },
      ];
    },
  },
  {
    name: "pathological names and versions (many '+', long versions)",
    cases: async () => [
      { name: "file name with many +", make: (size) => text("a" + "+1".repeat(size / 2) + ".conf"), run: (b) => void extractTries(str(b)) },
      { name: "long version", make: (size) => text("1.".repeat(size / 2)), run: (b) => void compareVersions(str(b), str(b) + "1") },
    ],
  },
  {
    name: "pathological entry lines (long whitespace runs in one value; entries, loader.conf, sort keys)",
    cases: async () => {
      const { interpretEntry, interpretEntryText, parseEntry } = await import("../../src/formats/bls/entry.ts");
      const { interpretLoaderConf, parseLoaderConf } = await import("../../src/formats/bls/loader-conf.ts");
      const { versionSortKey, versionSortKeysOf } = await import("../../src/model/version.ts");
      const spaced = (size: number) => text("options a" + " ".repeat(size - 20) + "b\t \n");
      const tabbed = (size: number) => text("title " + "x \t".repeat(size / 3) + "\n");
      const version = (size: number) => text("1.a-".repeat(size / 4));
      return [
        ...([["long space run", spaced], ["many short runs", tabbed]] as const).flatMap(([name, make]): GrowthCase[] => [
          { name: `entry text: ${name}`, make, run: (b) => void interpretEntryText(str(b)) },
          { name: `entry document: ${name}`, make, run: (b) => void interpretEntry(parseEntry(str(b))) },
          { name: `loader.conf: ${name}`, make, run: (b) => void interpretLoaderConf(parseLoaderConf(str(b))) },
        ]),
        { name: "version sort key", make: version, run: (b) => void versionSortKey(str(b)) },
        { name: "shared-prefix sort keys", make: version, run: (b) => { const s = str(b); void versionSortKeysOf([s + "1", s + "2", s]); } },
      ];
    },
  },
];
