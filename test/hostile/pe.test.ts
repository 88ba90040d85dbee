/**
 * Malformed PE files as UKIs in EFI/Linux (issue 9, "Hostile input", item 6): section tables
 * pointing outside the file, huge section counts, overlapping sections, truncated headers,
 * virtual sizes beyond the file, e_lfanew beyond the file. Oracle: systemd 252's
 * `bootctl list --json=short` on the same ESP — the menu must be identical (bootctl skips what
 * it cannot read with a message and lists the rest); ours warns instead of failing and no
 * exception escapes. `add` of a file that names itself a UKI (.linux and .osrel) but whose
 * sections lie outside it, or whose .osrel bootctl would not read, is refused with one line.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ParseError } from "../../src/errors.ts";
import { readUki } from "../../src/formats/pe/uki.ts";
import { runBuiltCli } from "../support/cli.ts";
import { requireTool } from "../support/exec.ts";
import { buildPe, buildUki, type PeBuilderSection } from "../support/pe-builder.ts";
import { assertOnlyWarnings, assertRefused, bootctlList, runInProcess, strip252, typicalImage, withMountedEsp, withSandbox } from "../support/hostile.ts";

const OSREL = 'ID=debian\nPRETTY_NAME="Debian"\nVERSION_ID=12\n';
const STUB: PeBuilderSection = { name: ".text", data: Buffer.alloc(16, 0xc3), characteristics: 0x60000020 };

function hostileUkis(): Record<string, Buffer> {
  const good = buildUki({ osrel: OSREL, cmdline: "quiet", uname: "6.1" });
  const lfanew = Buffer.from(good);
  lfanew.writeUInt32LE(0x7ffffff0, 0x3c);
  return {
    "good-a": good,
    "linux-outside": buildPe([STUB, { name: ".osrel", data: OSREL }, { name: ".linux", data: "MZ", pointerToRawData: 0x7fff0000 }]),
    "osrel-outside": buildPe([{ name: ".osrel", data: OSREL, pointerToRawData: 0x7fff0000 }, { name: ".linux", data: "MZ" }]),
    "osrel-straddles-end": buildPe([{ name: ".linux", data: "MZ" }, { name: ".osrel", data: OSREL, sizeOfRawData: 0x400, virtualSize: 0x400 }], { truncateTo: 0x500 }),
    "huge-section-count": buildUki({ osrel: OSREL }, { numberOfSections: 0xffff }),
    "truncated-coff": good.subarray(0, 0x90),
    "truncated-table": good.subarray(0, 0x80 + 24 + 240 + 60),
    "truncated-dos": good.subarray(0, 40),
    "vsize-beyond-file": buildPe([{ name: ".osrel", data: OSREL, virtualSize: 0x10000000 }, { name: ".linux", data: "MZ" }]),
    "rawsize-beyond-file": buildPe([{ name: ".osrel", data: OSREL, sizeOfRawData: 0x10000000 }, { name: ".linux", data: "MZ" }]),
    "overlapping": buildPe([{ name: ".osrel", data: OSREL }, { name: ".linux", data: "MZ", pointerToRawData: 0x400 }, { name: ".cmdline", data: "x", pointerToRawData: 0x400 }]),
    "lfanew-outside": lfanew,
    "empty": Buffer.alloc(0),
    "good-z": good,
  };
}

test("listing: malformed UKIs are skipped with a warning exactly where bootctl skips them; the rest is listed", async () => {
  requireTool("bootctl", "systemd-boot");
  await withSandbox(async (s) => {
    const esp = s.at("efi");
    mkdirSync(path.join(esp, "EFI/Linux"), { recursive: true });
    for (const [name, bytes] of Object.entries(hostileUkis())) writeFileSync(path.join(esp, "EFI/Linux", `${name}.efi`), bytes);
    s.mark();
    await withMountedEsp(esp, async () => {
      const theirs = bootctlList(esp);
      const r = await runInProcess(["--esp-path", esp, "--boot-path", esp, "list", "--json=short"]);
      assert.is(r.status, 0, r.stderr);
      // systemd 252 prints a UKI's "linux" relative ("EFI/Linux/x.efi"); later systemd, and we,
      // print it absolute on the partition ("/EFI/Linux/x.efi"): compared without that slash.
      const ours = (JSON.parse(r.stdout) as Record<string, unknown>[]).map((e) => strip252({ ...e, ...(typeof e.linux === "string" ? { linux: e.linux.replace(/^\//, "") } : {}) }));
      assert.equal(ours, theirs);
      assert.ok(theirs.some((t) => t.includes("good-z.efi")) && theirs.some((t) => t.includes("good-a.efi")), "the listing continued past the broken files");
      assert.ok(assertOnlyWarnings(r, "list").length >= 7, r.stderr);
    });
    s.assertUnchanged("list");
  });
});

test("add: a file that names itself a UKI but cannot boot or list is refused with one line, nothing written", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    const ukis = hostileUkis();
    for (const name of ["linux-outside", "osrel-outside", "osrel-straddles-end", "vsize-beyond-file"]) s.write(`in/${name}.efi`, ukis[name]!);
    s.write("in/good.efi", ukis["good-a"]!);
    s.mark();
    for (const name of ["linux-outside", "osrel-outside", "osrel-straddles-end", "vsize-beyond-file"]) {
      assertRefused(await runInProcess(["--root", s.root, "--esp-path", "/efi", "add", "6.1", s.at(`in/${name}.efi`)]), `add ${name}`, /not a usable unified kernel image/);
    }
    assertRefused(runBuiltCli(["--root", s.root, "--esp-path", "/efi", "add", "6.1", s.at("in/linux-outside.efi")]), "built binary", /not a usable unified kernel image/);
    s.assertUnchanged("add of broken UKIs");
    // Control: the good one installs as EFI/Linux/<token>-<version>.efi.
    const ok = await runInProcess(["--root", s.root, "--esp-path", "/efi", "add", "6.1", s.at("in/good.efi")]);
    assert.is(ok.status, 0, ok.stderr);
    s.assertOnlyChanges(["+root/efi/EFI", "+root/efi/EFI/Linux", "+root/efi/EFI/Linux/debian-6.1.efi"], "add of a good UKI");
  });
});

test("readUki: random section-table fields only ever raise ParseError (or read fine)", () => {
  const u32 = fc.oneof(fc.constantFrom(0, 1, 0x200, 0x7fffffff, 0x80000000, 0xffffffff), fc.nat());
  const section = fc.record({ name: fc.constantFrom(".osrel", ".linux", ".cmdline", ".profile", ".uname", ".text"), virtualSize: u32, sizeOfRawData: u32, pointerToRawData: u32 });
  fc.assert(
    fc.property(fc.array(section, { minLength: 1, maxLength: 6 }), fc.option(fc.nat(0x2000), { nil: undefined }), (sections, truncateTo) => {
      // Built with honest fields, then the section table is patched (the builder lays out
      // virtual addresses from the sizes and cannot represent every lie).
      const built = buildPe(sections.map((x) => ({ name: x.name, data: x.name === ".osrel" ? OSREL : "MZ" })));
      const table = 0x80 + 24 + 112 + 8 * 16;
      sections.forEach((x, i) => {
        built.writeUInt32LE(x.virtualSize >>> 0, table + 40 * i + 8);
        built.writeUInt32LE(x.sizeOfRawData >>> 0, table + 40 * i + 16);
        built.writeUInt32LE(x.pointerToRawData >>> 0, table + 40 * i + 20);
      });
      const bytes = truncateTo === undefined ? built : built.subarray(0, truncateTo);
      try {
        readUki(bytes);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
      }
    }),
    { numRuns: 300, seed: 9 },
  );
});

test.run();
