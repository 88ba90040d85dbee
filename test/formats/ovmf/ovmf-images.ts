/**
 * Inputs for the OVMF variable-store tests: Debian's `ovmf` VARS files (copied into a temporary
 * directory, never used in place), the captured vectors, and the reference listings made for them
 * by the research VARS parser (fixtures/vectors/ovmf/*.listing*.txt; fixtures/README.md).
 */
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempRoot, removeTempRoot } from "../../support/tmp.ts";

export const OVMF_DIR = "/usr/share/OVMF";
export const VECTORS = new URL("../../../fixtures/vectors/ovmf", import.meta.url).pathname;
export const VECTOR_NAMES = ["after-sdboot-boot1", "after-4-boots", "with-injected-oneshot"] as const;
export const DEBIAN_VARS = ["OVMF_VARS.fd", "OVMF_VARS_4M.fd", "OVMF_VARS_4M.ms.fd"] as const;

const cache = new Map<string, Buffer>();

/** A Debian VARS file, read from a private copy (the package file is never opened for writing). */
export function debianVars(name: (typeof DEBIAN_VARS)[number] | "OVMF_VARS_4M.snakeoil.fd" | "OVMF_VARS.ms.fd"): Buffer {
  const hit = cache.get(name);
  if (hit) return Buffer.from(hit);
  const dir = makeTempRoot("bootctl-ts-ovmf-");
  try {
    const copy = join(dir, name);
    copyFileSync(join(OVMF_DIR, name), copy);
    const bytes = readFileSync(copy);
    cache.set(name, bytes);
    return Buffer.from(bytes);
  } finally {
    removeTempRoot(dir);
  }
}

export function vectorVars(name: (typeof VECTOR_NAMES)[number]): Buffer {
  return readFileSync(join(VECTORS, `OVMF_VARS_4M.${name}.fd`));
}

export interface ListedRecord {
  offset: number;
  state: string;
  name: string;
  guid: string;
  attributes: number;
  size: number;
  /** Data as hex when the listing printed it as hex. */
  hex?: string;
}

export interface Listing {
  records: ListedRecord[];
  headers: number;
  live: number;
  firstFree: number;
}

const RECORD = /^@0x([0-9a-f]+) (\S+)\s+(.*?)\s+-([0-9a-f-]{36}) attrs=0x([0-9a-f]+)\(.*\) size=(\d+)$/;

/** Parse a `.listing.txt` / `.listing-all.txt` reference listing. */
export function readListing(name: (typeof VECTOR_NAMES)[number], all: boolean): Listing {
  const text = readFileSync(join(VECTORS, `OVMF_VARS_4M.${name}.fd.listing${all ? "-all" : ""}.txt`), "utf8");
  const records: ListedRecord[] = [];
  let headers = -1;
  let live = -1;
  let firstFree = -1;
  for (const line of text.split("\n")) {
    const m = RECORD.exec(line);
    if (m) {
      records.push({ offset: parseInt(m[1]!, 16), state: m[2]!, name: m[3]!, guid: m[4]!, attributes: parseInt(m[5]!, 16), size: Number(m[6]) });
      continue;
    }
    const data = /^ {6}-> ([0-9a-f]+)(?: \(\d+\))?$/.exec(line);
    if (data && records.length > 0) records[records.length - 1]!.hex = data[1]!;
    const counts = /^(\d+) headers, (\d+) live$/.exec(line);
    if (counts) [headers, live] = [Number(counts[1]), Number(counts[2])];
    const free = /^first free byte at 0x([0-9a-f]+)/.exec(line);
    if (free) firstFree = parseInt(free[1]!, 16);
  }
  if (headers < 0 || firstFree < 0 || records.length === 0) throw new Error(`unreadable listing for ${name}`);
  return { records, headers, live, firstFree };
}
