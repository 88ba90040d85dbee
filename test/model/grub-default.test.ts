import { test } from "uvu";
import * as assert from "uvu/assert";
import { grubStrtoul, menuentryEq, numericIdWarning, selectEntryIndex, specRemainder } from "../../src/model/grub-default.ts";

const menu = [
  { title: "Alpha", id: "alpha" },
  { title: "sub", id: "sub" },
  { title: "2 Beta", id: "2 Beta" },
  { title: "weird>x", id: "weird-id>x" },
];

test("numbers as grub_strtoul base 0, trailing garbage ignored (grub-core/kern/misc.c `grub_strtoul`, verified in grub-emu)", () => {
  assert.is(selectEntryIndex(menu, "2 Beta"), 2);
  assert.is(selectEntryIndex(menu, "0x1"), 1);
  assert.is(selectEntryIndex(menu, "1abc"), 1);
  assert.is(selectEntryIndex(menu, "010"), 0); // octal 8: out of range → 0
  assert.is(grubStrtoul("010"), 8);
  assert.is(grubStrtoul("  3"), 3);
  assert.is(grubStrtoul("x"), undefined);
  assert.is(selectEntryIndex(menu, "1>0"), 1);
});

test("titles and ids, `>` levels and `>>` literals; no match → 0", () => {
  assert.is(selectEntryIndex(menu, "alpha"), 0);
  assert.is(selectEntryIndex(menu, "sub>inner-a"), 1);
  assert.is(selectEntryIndex(menu, "weird-id>>x"), 3);
  assert.is(selectEntryIndex(menu, "weird>>x"), 3);
  assert.is(selectEntryIndex(menu, "weird>x"), 0);
  assert.is(selectEntryIndex(menu, "nothing"), 0);
  assert.is(selectEntryIndex(menu, ""), 0);
  assert.is(selectEntryIndex(menu, undefined), 0);
  assert.is(selectEntryIndex(menu, "9"), 0);
  assert.ok(menuentryEq("a>b", "a>>b>c"));
  assert.is(specRemainder("a>>b>c"), "c");
  assert.is(specRemainder("sub>inner-a"), "inner-a");
  assert.is(specRemainder("alpha"), undefined);
});

test("ids GRUB would read as an entry number get a warning; plain numbers and other ids do not", () => {
  // grub-emu showed `default=1abc` booting entry 1 (grub-core/normal/menu.c `get_entry_number()`).
  assert.match(numericIdWarning("6a9857a393724b7a981ebb5b8495b9ea-6.1.0") ?? "", /menu entry number 6\b/);
  assert.match(numericIdWarning("1abc") ?? "", /number 1\b/);
  assert.match(numericIdWarning("0x1fz") ?? "", /number 31\b/);
  for (const id of ["0", "12", " 3 ", "0x1f", "fedora-41", "test-1.0", "", ">2"]) assert.is(numericIdWarning(id), undefined, id);
});

test.run();
