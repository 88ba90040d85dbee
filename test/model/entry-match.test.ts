/** Matching default/one-shot values against a menu as systemd-boot and GRUB do (model/entry-match.ts). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { resolveGrubValue, sdBootValueMatches, type GrubMenuLevelEntry } from "../../src/model/entry-match.ts";
import { selectEntryIndex } from "../../src/model/grub-default.ts";

test("systemd-boot: ids and globs, case-folded as sd-boot folds both", () => {
  const ids = ["opensuse-6.12.conf", "opensuse-6.11.conf", "nitrux-3.7.0.efi"];
  for (const v of ["opensuse-6.12.conf", "OPENSUSE-6.12.CONF", "opensuse-*", "*.efi", "nitrux-3.7.?.efi"]) assert.ok(sdBootValueMatches(v, ids), v);
  for (const v of ["nope", "opensuse-6.12", "fedora-*"]) assert.not.ok(sdBootValueMatches(v, ids), v);
});

const menu: GrubMenuLevelEntry[] = [
  { title: "Debian GNU/Linux", id: "gnulinux-simple-1234" },
  { title: "Advanced options", id: "gnulinux-advanced-1234", children: [
    { title: "Debian, with Linux 6.1", id: "gnulinux-6.1-advanced-1234" },
    { title: "Debian, with Linux 6.1 (recovery mode)", id: "gnulinux-6.1-recovery-1234" },
  ] },
  { title: "a>b", id: "a>b" },
];

test("GRUB: numbers, titles, ids and '>' paths as get_entry_number resolves them", () => {
  const cases: [string, number[] | undefined][] = [
    ["0", [0]], ["1", [1]], ["2", [2]], ["3", undefined], ["0x1", [1]], ["1 junk", [1]],
    ["Debian GNU/Linux", [0]], ["gnulinux-simple-1234", [0]], ["gnulinux-advanced-1234", [1]],
    ["gnulinux-advanced-1234>gnulinux-6.1-recovery-1234", [1, 1]], ["1>0", [1, 0]], ["1>5", undefined],
    ["Advanced options>Debian, with Linux 6.1", [1, 0]], ["a>>b", [2]], ["a>b", undefined],
    ["fedora-typo", undefined], ["", undefined], ["0>whatever", [0]],
    // A digit-leading id is read as a number by upstream GRUB: entry 7 here does not exist.
    ["7f3e-6.2", undefined],
  ];
  for (const [value, expected] of cases) assert.equal(resolveGrubValue(menu, value), expected, value);
});

test("GRUB with blscfg (Fedora's GRUB): only a whole number is an index", () => {
  const bls: GrubMenuLevelEntry[] = [{ title: "Fedora 6.2", id: "7f3e-6.2" }, { title: "Fedora 6.1", id: "fedora-6.1" }];
  assert.equal(resolveGrubValue(bls, "7f3e-6.2", true), [0]);
  assert.equal(resolveGrubValue(bls, "1", true), [1]);
  assert.is(resolveGrubValue(bls, "7f3e-6.2"), undefined);
});

test("GRUB: on one level, a value resolves exactly when selectEntryIndex (checked against grub-emu) picks a real match", () => {
  const flat: GrubMenuLevelEntry[] = [{ title: "A", id: "a" }, { title: "B", id: "b" }, { title: "C", id: "0c" }];
  fc.assert(fc.property(fc.oneof(fc.constantFrom("a", "b", "B", "0c", "C", "0", "1", "2", "3", "x", "2x", " 1"), fc.string({ maxLength: 4 })), (value) => {
    const resolved = resolveGrubValue(flat, value);
    if (resolved !== undefined) assert.is(selectEntryIndex(flat, value), resolved[0]);
    else assert.is(selectEntryIndex(flat, value), 0, `unresolved '${value}' falls back to entry 0`);
  }));
});

test.run();
