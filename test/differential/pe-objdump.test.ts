/**
 * The PE reader against binutils (`objdump -h`, `objdump -p`) on the EFI binaries installed on
 * this machine, on random images from test/support/pe-builder.ts, and on UKIs (single- and
 * multi-profile) assembled by `objcopy --add-section` from Debian's systemd stub, whose text
 * sections must come back as the files that went in.
 *
 * BFD reports a PE image section's size as VirtualSize when 0 < VirtualSize < SizeOfRawData (or for
 * uninitialised data with no raw data), else SizeOfRawData (bfd/peXXigen.c
 * `_bfd_XXi_swap_scnhdr_in`); VMA is ImageBase + VirtualAddress; "File off" is PointerToRawData.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { readPeHeaders, readPeSections, type PeSection } from "../../src/formats/pe/pe-sections.ts";
import { readUki } from "../../src/formats/pe/uki.ts";
import { execTool, requireTool } from "../support/exec.ts";
import { mapPool } from "../support/pool.ts";
import { makeTempRoot, removeTempRoot } from "../support/tmp.ts";
import { buildPe } from "../support/pe-builder.ts";

const STUB = "/usr/lib/systemd/boot/efi/linuxx64.efi.stub";
const INSTALLED = [
  STUB,
  "/usr/lib/systemd/boot/efi/systemd-bootx64.efi",
  "/usr/lib/grub/x86_64-efi/monolithic/grubx64.efi",
  "/usr/lib/grub/x86_64-efi/monolithic/gcdx64.efi",
  "/usr/lib/grub/x86_64-efi/monolithic/grubnetx64.efi",
  new URL("../../fixtures/vectors/uki/test-uki.efi", import.meta.url).pathname,
];

function bfdSize(s: PeSection): number {
  const uninitialised = (s.characteristics & 0x80) !== 0;
  if (s.virtualSize > 0 && ((uninitialised && s.sizeOfRawData === 0) || s.sizeOfRawData > s.virtualSize)) return s.virtualSize;
  return s.sizeOfRawData;
}

async function compareWithObjdump(file: string): Promise<void> {
  const pe = readPeSections(readFileSync(file));
  const headers = await execTool("objdump", ["-h", file]);
  assert.is(headers.status, 0, headers.stderr);
  const rows = [...headers.stdout.matchAll(/^\s*(\d+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+2\*\*\d+/gm)]
    .map((m) => ({ name: m[2]!, size: parseInt(m[3]!, 16), vma: BigInt("0x" + m[4]!), fileOffset: parseInt(m[5]!, 16) }));
  const privateHeaders = (await execTool("objdump", ["-p", file])).stdout;
  const imageBase = BigInt("0x" + /^ImageBase\s+([0-9a-f]+)/m.exec(privateHeaders)![1]!);
  const machine = /^Machine\s+([0-9a-f]+)/m.exec(privateHeaders)?.[1];
  if (machine !== undefined) assert.is(pe.machine, parseInt(machine, 16));
  assert.is(BigInt(pe.imageBase), imageBase, file);
  assert.equal(
    pe.sections.map((s) => ({ name: s.name, size: bfdSize(s), vma: imageBase + BigInt(s.virtualAddress), fileOffset: s.pointerToRawData })),
    rows,
    file,
  );
  for (const s of pe.sections) assert.is(s.data.length, Math.min(s.virtualSize, s.sizeOfRawData));
}

test("installed EFI binaries: section tables agree with objdump -h", async () => {
  requireTool("objdump", "binutils");
  const present = INSTALLED.filter((f) => existsSync(f));
  assert.ok(present.includes(STUB), `${STUB} is missing: apt-get install systemd-boot-efi`);
  for (const file of present) await compareWithObjdump(file);
});

test("random builder images agree with objdump -h", async () => {
  requireTool("objdump", "binutils");
  const sectionArb = fc.record({
    name: fc.stringMatching(/^\.[a-z0-9_]{1,7}$/),
    data: fc.uint8Array({ minLength: 1, maxLength: 1500 }),
    shrink: fc.nat(40),
  });
  const images = fc.sample(fc.record({ sections: fc.array(sectionArb, { minLength: 1, maxLength: 8 }), pe32: fc.boolean(), imageBase: fc.constantFrom(0n, 0x400000n, 0x10000000n) }), { numRuns: 30, seed: 0x9e });
  const dir = makeTempRoot("bootctl-ts-pe-");
  try {
    await mapPool(images, 2, async (image, i) => {
      const file = path.join(dir, `img${i}.efi`);
      // Some sections with VirtualSize below the data length (BFD then reports VirtualSize).
      writeFileSync(file, buildPe(image.sections.map((s) => ({ name: s.name, data: s.data, virtualSize: Math.max(1, s.data.length - s.shrink) })), { pe32: image.pe32, imageBase: image.imageBase, machine: image.pe32 ? 0x014c : 0x8664 }));
      await compareWithObjdump(file);
    });
  } finally {
    removeTempRoot(dir);
  }
});

interface UkiInputs { osrel: string; cmdline: string; uname: string; profiles: { profile: string; cmdline?: string; osrel?: string }[] }

test("objcopy-built UKIs (single and multi-profile) read back their inputs", async () => {
  requireTool("objcopy", "binutils");
  const text = fc.array(fc.constantFrom(..."abc XYZ=019\n\"é"), { minLength: 1, maxLength: 200 }).map((c) => c.join(""));
  const inputs = fc.sample(fc.record({
    osrel: text.map((t) => `ID=t\n${t}\n`),
    cmdline: text,
    uname: fc.stringMatching(/^[0-9]\.[0-9]{1,2}\.[0-9]-[a-z0-9]{1,8}$/),
    profiles: fc.array(fc.record({ profile: text.map((t) => `ID=p\nTITLE=${t.replace(/\n/g, " ")}\n`), cmdline: fc.option(text, { nil: undefined }), osrel: fc.option(text.map((t) => `ID=o\n${t}`), { nil: undefined }) }, { requiredKeys: ["profile"] }), { maxLength: 3 }),
  }), { numRuns: 8, seed: 0x51 }) as UkiInputs[];
  assert.ok(inputs.some((x) => x.profiles.length >= 2) && inputs.some((x) => x.profiles.length === 0), "the sample covers single- and multi-profile UKIs");
  const dir = makeTempRoot("bootctl-ts-uki-");
  try {
    // Sequential: a failing worker must not race the directory clean-up.
    for (const [i, input] of inputs.entries()) {
      const sections: [string, string | Buffer][] = [[".osrel", input.osrel], [".cmdline", input.cmdline], [".uname", input.uname], [".linux", Buffer.alloc(0x1000, 0x90)]];
      for (const p of input.profiles) {
        sections.push([".profile", p.profile]);
        if (p.osrel !== undefined) sections.push([".osrel", p.osrel]);
        if (p.cmdline !== undefined) sections.push([".cmdline", p.cmdline]);
      }
      // objcopy refuses a second section of the same name, so every section goes in under a unique
      // placeholder name (".xN", same length class) that is then patched to the real one in the
      // section table objcopy wrote.
      const args: string[] = [];
      const placeholders = new Map<string, string>();
      sections.forEach(([name, data], n) => {
        const f = path.join(dir, `u${i}-s${n}`);
        writeFileSync(f, data);
        const placeholder = `.x${n}`;
        placeholders.set(placeholder, name);
        args.push("--add-section", `${placeholder}=${f}`, "--change-section-vma", `${placeholder}=0x${(0x20000 + 0x10000 * n).toString(16)}`);
      });
      const out = path.join(dir, `uki${i}.efi`);
      const r = await execTool("objcopy", [...args, STUB, out]);
      assert.is(r.status, 0, r.stderr);
      const built = readFileSync(out);
      const table = readPeHeaders(built);
      for (const s of table.sections) {
        const real = placeholders.get(s.name);
        if (real === undefined) continue;
        const at = table.sectionTableOffset + 40 * s.index;
        built.fill(0, at, at + 8);
        built.write(real, at, "latin1");
      }
      writeFileSync(out, built);
      await compareWithObjdump(out);

      const image = readUki(readFileSync(out));
      const trim = (s: string): string | undefined => s.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "") || undefined;
      assert.equal([image.base.osrel, image.base.cmdline, image.base.uname, image.base.error], [input.osrel, trim(input.cmdline), input.uname, undefined]);
      assert.is(image.profiles.length, input.profiles.length);
      image.profiles.forEach((got, n) => {
        const want = input.profiles[n]!;
        assert.equal(
          [got.profile, got.osrel, got.cmdline, got.uname, got.error],
          [want.profile, want.osrel ?? input.osrel, trim(want.cmdline ?? input.cmdline), input.uname, undefined],
        );
      });
    }
  } finally {
    removeTempRoot(dir);
  }
});

test.run();
