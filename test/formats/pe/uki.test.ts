/**
 * UKI reader: the shared vector and systemd's rules (src/shared/bootspec.c pe_find_uki_sections,
 * pe_find_profile_section_table, trim_cmdline; src/shared/pe-binary.c pe_read_section_data,
 * pe_is_uki, pe_section_table_find).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { ParseError } from "../../../src/errors.ts";
import { readUki, UKI_SECTION_SIZE_MAX } from "../../../src/formats/pe/uki.ts";
import { buildPe, buildUki } from "../../support/pe-builder.ts";

const VECTORS = new URL("../../../fixtures/vectors/uki", import.meta.url).pathname;

function expectParseError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, ParseError);
    assert.is((e as ParseError).code, code, (e as Error).message);
    return;
  }
  assert.unreachable(`expected ParseError ${code}`);
}

test("vector: objcopy-built UKI from Debian's stub", () => {
  const image = readUki(readFileSync(`${VECTORS}/test-uki.efi`));
  assert.is(image.machine, 0x8664);
  assert.equal(image.profiles, []);
  assert.is(image.base.error, undefined);
  assert.is(image.base.osrel, readFileSync(`${VECTORS}/os-release`, "utf8"));
  assert.is(image.base.cmdline, readFileSync(`${VECTORS}/cmdline.txt`, "utf8").trim());
  assert.is(image.base.uname, readFileSync(`${VECTORS}/uname.txt`, "utf8"));
  assert.is(image.base.profile, undefined);
  assert.equal(image.base.names, [".text", ".reloc", ".data", ".dynamic", ".rela", ".dynsym", ".sbat", ".sdmagic", ".osrel", ".cmdline", ".uname", ".linux", ".initrd"]);
});

test("not a UKI: subsystem other than EFI application, or no .linux / .osrel", () => {
  expectParseError(() => readUki(buildUki({ osrel: "ID=x\n" }, { subsystem: 11 })), "E_UKI_NOT_A_UKI");
  expectParseError(() => readUki(buildUki({ cmdline: "quiet" })), "E_UKI_NOT_A_UKI");
  expectParseError(() => readUki(buildPe([{ name: ".osrel", data: "ID=x\n" }])), "E_UKI_NOT_A_UKI");
  expectParseError(() => readUki(readFileSync("/usr/lib/systemd/boot/efi/systemd-bootx64.efi")), "E_UKI_NOT_A_UKI");
  expectParseError(() => readUki(Buffer.from("MZ")), "E_PE_TRUNCATED");
  // pe_section_table_find: the rest of the 8 name bytes must be NUL.
  expectParseError(() => readUki(buildPe([{ name: ".osrel\0X", data: "ID=x\n" }, { name: ".linux", data: "k" }])), "E_UKI_NOT_A_UKI");
});

test("text: trailing NUL run allowed, embedded NUL refused, cmdline trimmed", () => {
  const padded = readUki(buildPe([
    { name: ".osrel", data: "ID=x\n\0\0\0" },
    { name: ".cmdline", data: " \t\r\n root=/dev/sda1  quiet\n\0" },
    { name: ".uname", data: "6.1.0\n" },
    { name: ".linux", data: "k" },
  ]));
  assert.is(padded.base.error, undefined);
  assert.is(padded.base.osrel, "ID=x\n");
  assert.is(padded.base.cmdline, "root=/dev/sda1  quiet");
  assert.is(padded.base.uname, "6.1.0\n");

  const blank = readUki(buildUki({ osrel: "ID=x\n", cmdline: " \n\t " }));
  assert.is(blank.base.cmdline, undefined);
  assert.is("cmdline" in blank.base, false);

  const embedded = readUki(buildUki({ osrel: "ID=x\n", cmdline: "a\0b" }));
  assert.is(embedded.base.error?.code, "E_UKI_SECTION_EMBEDDED_NUL");

  // VirtualSize covering the FileAlignment padding reads the padding NULs: fine.
  const vsPadded = readUki(buildPe([{ name: ".osrel", data: "ID=x\n", virtualSize: 0x200 }, { name: ".linux", data: "k" }]));
  assert.is(vsPadded.base.osrel, "ID=x\n");
  assert.is(vsPadded.base.error, undefined);
});

test("text: sizes that lie are per-entry errors, never crashes", () => {
  const tooLarge = readUki(buildPe([{ name: ".osrel", data: "ID=x\n", virtualSize: UKI_SECTION_SIZE_MAX + 1 }, { name: ".linux", data: "k" }]));
  assert.is(tooLarge.base.error?.code, "E_UKI_SECTION_TOO_LARGE");
  // systemd reads VirtualSize bytes from the file: past EOF is a short read.
  const short = readUki(buildPe([{ name: ".linux", data: "k" }, { name: ".osrel", data: "ID=x\n", virtualSize: 0x10000 }]));
  assert.is(short.base.error?.code, "E_UKI_SECTION_SHORT");
  const outside = readUki(buildPe([{ name: ".linux", data: "k" }, { name: ".osrel", data: "ID=x\n", pointerToRawData: 0xffffff00 }]));
  assert.is(outside.base.error?.code, "E_UKI_SECTION_SHORT");
  // VirtualSize beyond SizeOfRawData but inside the file: the following bytes are read, as pread does.
  const beyondRaw = readUki(buildPe([
    { name: ".osrel", data: "ID=x\n", virtualSize: 0x205, sizeOfRawData: 0x200 },
    { name: ".linux", data: "next" },
  ]));
  assert.is(beyondRaw.base.error?.code, "E_UKI_SECTION_EMBEDDED_NUL");
});

test("multi-profile: base part, profile parts, fallback to base and masking", () => {
  const image = readUki(buildUki({
    osrel: "ID=base\n",
    cmdline: "base-cmdline",
    uname: "6.9.0",
    profiles: [
      { profile: "ID=default\nTITLE=Default\n" },
      { profile: "ID=debug\n", sections: [{ name: ".cmdline", data: "debug loglevel=7\n" }] },
      { profile: "ID=other\n", sections: [{ name: ".osrel", data: "ID=other-os\n" }, { name: ".cmdline", data: "" }] },
      { profile: "ID=broken\n", sections: [{ name: ".cmdline", data: "x\0y" }] },
    ],
  }));
  assert.equal(image.base.names, [".text", ".osrel", ".cmdline", ".uname", ".linux"]);
  assert.is(image.base.profile, undefined);
  assert.is(image.profiles.length, 4);
  const [p0, p1, p2, p3] = image.profiles as [typeof image.base, typeof image.base, typeof image.base, typeof image.base];
  assert.equal(p0.names, [".profile"]);
  assert.equal([p0.profile, p0.osrel, p0.cmdline, p0.uname, p0.error], ["ID=default\nTITLE=Default\n", "ID=base\n", "base-cmdline", "6.9.0", undefined]);
  assert.equal(p1.names, [".profile", ".cmdline"]);
  assert.equal([p1.osrel, p1.cmdline], ["ID=base\n", "debug loglevel=7"]);
  // VirtualSize 0 masks the base .cmdline.
  assert.equal(p2.names, [".profile", ".osrel", ".cmdline"]);
  assert.equal([p2.osrel, p2.cmdline], ["ID=other-os\n", undefined]);
  // A broken profile is refused on its own; the others stand.
  assert.is(p3.error?.code, "E_UKI_SECTION_EMBEDDED_NUL");
  assert.is(p3.profile, "ID=broken\n");
});

test("multi-profile: .osrel only in profiles; first duplicate wins", () => {
  const image = readUki(buildPe([
    { name: ".linux", data: "k" },
    { name: ".cmdline", data: "one" },
    { name: ".cmdline", data: "two" },
    { name: ".profile", data: "ID=a\n" },
    { name: ".osrel", data: "ID=a-os\n" },
    { name: ".profile", data: "ID=b\n" },
  ]));
  assert.is(image.base.cmdline, "one");
  assert.is(image.base.error?.code, "E_UKI_NO_OSREL");
  assert.equal([image.profiles[0]!.osrel, image.profiles[0]!.cmdline, image.profiles[0]!.error], ["ID=a-os\n", "one", undefined]);
  assert.is(image.profiles[1]!.error?.code, "E_UKI_NO_OSREL");
});

test("property: arbitrary and mutated UKIs only ever raise ParseError", () => {
  const base = buildUki({ osrel: "ID=x\n", cmdline: "quiet", profiles: [{ profile: "ID=p\n", sections: [{ name: ".cmdline", data: "debug" }] }] });
  const check = (bytes: Uint8Array): void => {
    try {
      const image = readUki(bytes);
      for (const part of [image.base, ...image.profiles]) {
        assert.ok(Array.isArray(part.names));
        if (part.error !== undefined) assert.instance(part.error, ParseError);
      }
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), check), { numRuns: 500 });
  const mutation = fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
  fc.assert(fc.property(mutation, fc.nat(base.length), (edits, cut) => {
    const file = Buffer.from(base);
    for (const [at, value] of edits) file[at] = value;
    check(file);
    check(file.subarray(0, cut));
  }), { numRuns: 1000 });
  // Section-table fields (VirtualSize, PointerToRawData, names) at random values.
  const table = 0x188;
  fc.assert(fc.property(fc.nat(7), fc.constantFrom(0, 8, 16, 20), fc.integer({ min: 0, max: 0xffffffff }), (index, field, value) => {
    const file = Buffer.from(base);
    file.writeUInt32LE(value, table + 40 * index + field);
    check(file);
  }), { numRuns: 1000 });
});

test.run();
