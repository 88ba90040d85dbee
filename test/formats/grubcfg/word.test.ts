import { test } from "uvu";
import * as assert from "uvu/assert";
import { displayValue, expandWord, literalValue, wordParts } from "../../../src/formats/grubcfg/word.ts";

const env: Record<string, string> = { a: "x y", e: "", n: "1" };
const lookup = (name: string) => env[name];

test("quoting rules (grub-core/script/yylex.l, verified in grub-emu)", () => {
  assert.is(literalValue("'it'\\''s'"), "it's");
  assert.is(literalValue(`"x\\ny"`), "x\\ny");
  assert.is(literalValue(`"a\\$b\\\\c\\"d"`), 'a$b\\c"d');
  assert.is(literalValue("a\\ b\\;c"), "a b;c");
  assert.is(literalValue("ab\\\ncd"), "abcd");
  assert.is(literalValue(`"ab\\\ncd"`), "abcd");
  assert.is(literalValue("'$HOME \\'"), "$HOME \\");
  assert.is(literalValue("$x"), undefined);
});

test("expansion and field splitting", () => {
  assert.equal(expandWord("$a", lookup), ["x", "y"]);
  assert.equal(expandWord('"$a"', lookup), ["x y"]);
  assert.equal(expandWord("$e", lookup), []);
  assert.equal(expandWord('"$e"', lookup), [""]);
  assert.equal(expandWord("''", lookup), [""]);
  assert.equal(expandWord("p$a/q", lookup), ["px", "y/q"]);
  assert.equal(expandWord("${n}0", lookup), ["10"]);
  assert.equal(expandWord("$unset", lookup), []);
});

test("parts and display", () => {
  assert.equal(wordParts('a"$b"c'), [
    { kind: "text", value: "a", quoted: false },
    { kind: "text", value: "", quoted: true },
    { kind: "var", name: "b", quoted: true, raw: "$b" },
    { kind: "text", value: "c", quoted: false },
  ]);
  assert.is(displayValue('"Slot A (OK=$A_OK ${B})"'), "Slot A (OK=$A_OK ${B})");
  assert.is(displayValue('"Slot A (OK=$A_OK)"', () => "1"), "Slot A (OK=1)");
});

test.run();
