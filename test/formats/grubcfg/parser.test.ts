import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { ParseError } from "../../../src/errors.ts";
import { checkScript, hasCommands, parse } from "../../../src/formats/grubcfg/parser.ts";
import { stringify } from "../../../src/formats/grubcfg/stringify.ts";
import { tokenize } from "../../../src/formats/grubcfg/lexer.ts";
import { fixtures, mutate, script } from "./generators.ts";

const all = fixtures();

test("there are fixtures", () => {
  assert.ok(all.length >= 12);
});

test("every fixture round-trips byte for byte and passes our grub-script-check", () => {
  for (const f of all) {
    const s = parse(f.text);
    assert.is(stringify(s), f.text, f.name);
    assert.is(checkScript(f.text), undefined, f.name);
  }
});

test("tokens are contiguous slices of the input", () => {
  for (const f of all) {
    let at = 0;
    for (const t of tokenize(f.text)) {
      assert.is(t.start, at, f.name);
      assert.is(f.text.slice(t.start, t.end), t.text);
      at = t.end;
    }
    assert.is(at, f.text.length);
  }
});

test("generated scripts round-trip (property)", () => {
  fc.assert(fc.property(script, (text) => {
    const e = checkScript(text);
    if (e !== undefined && e.code === "E_GRUB_SYNTAX") return true; // generator may produce invalid scripts
    return stringify(parse(text)) === text;
  }), { numRuns: 400, seed: 42 });
});

test("mutated fixtures either round-trip or fail with a positioned ParseError (property)", () => {
  const arb = fc.constantFrom(...all).chain((f) => mutate(f.text));
  fc.assert(fc.property(arb, (text) => {
    try {
      return stringify(parse(text)) === text;
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      return err.code === "E_GRUB_SYNTAX" && err.line >= 1 && err.line <= text.split("\n").length;
    }
  }), { numRuns: 400, seed: 7 });
});

test("the syntax-only check (checkScript) and the tree parser agree (property)", () => {
  const arb = fc.oneof(script, fc.constantFrom(...all).chain((f) => mutate(f.text)));
  fc.assert(fc.property(arb, (text) => {
    const quick = checkScript(text);
    let full: string | undefined;
    try {
      full = hasCommands(parse(text)) ? undefined : "E_GRUB_NO_COMMANDS";
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      full = `${err.code} ${err.message}`;
    }
    return (quick === undefined ? undefined : quick.code === "E_GRUB_NO_COMMANDS" ? quick.code : `${quick.code} ${quick.message}`) === full;
  }), { numRuns: 500, seed: 99 });
});

function errorOf(text: string): ParseError {
  try {
    parse(text);
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(text)}`);
}

test("syntax errors carry line and column", () => {
  let e = errorOf("set a=1\necho a | cat\n");
  assert.is(e.line, 2);
  assert.is(e.column, 8);
  assert.match(e.message, /unexpected '\|'/);
  e = errorOf("if true; then\n  echo\n");
  assert.is(e.line, 2);
  assert.match(e.reason, /end of input/);
  e = errorOf("echo \"a $ b\"\n");
  assert.is(e.line, 1);
  assert.is(e.column, 9);
  e = errorOf("echo ok\necho 'open\nmore\n");
  assert.is(e.line, 3);
  assert.match(e.reason, /opened at line 2, column 6/);
});

test("grammar facts verified with grub-script-check", () => {
  const ok = ["menuentry x { echo }\n", "echo fi then do\n", "for x in; do echo; done\n", "echo a#b #c\n", "function f\n\n{\necho\n}\necho\n",
    "echo a\r\nif true; then echo; fi\r\n", "echo a\\\n\n", "#don't\necho a\n", "echo [[a a]]\n", "echo $\"a$\"\n", "x=1"];
  const bad = ["echo [[ a\n", "echo a}\n", "menuentry x {\n}\n", "function f { echo }\necho\n", "if true; then function f { echo; }; fi\n",
    "menuentry a { true; } b\n", "echo a; ; echo b\n", "for x\nin a; do echo; done\n", "echo ${a-b}\n", "echo \\", "echo a \\\n", "echo $\n"];
  for (const t of ok) assert.is(checkScript(t), undefined, JSON.stringify(t));
  for (const t of bad) assert.instance(checkScript(t), ParseError, JSON.stringify(t));
  assert.is(checkScript("function f { echo; }\n")?.code, "E_GRUB_NO_COMMANDS");
  assert.is(checkScript("")?.code, "E_GRUB_NO_COMMANDS");
});

test("tree shape of a small script", () => {
  const s = parse("set a=1\nif [ $a = 1 ]; then\n  menuentry 'A' --id a { linux /k; }\nelse\n  echo no\nfi\nfor i in 1 2; do echo $i; done\n");
  assert.equal(s.body.map((n) => n.kind), ["simple", "if", "for"]);
  const ifNode = s.body[1]!;
  assert.ok(ifNode.kind === "if");
  if (ifNode.kind !== "if") return;
  const entry = ifNode.branches[0]!.body[0]!;
  assert.ok(entry.kind === "simple" && entry.block !== undefined);
  if (entry.kind !== "simple") return;
  assert.equal(entry.words.map((w) => w.raw), ["menuentry", "'A'", "--id", "a"]);
  assert.is(s.text.slice(entry.start, entry.end), "menuentry 'A' --id a { linux /k; }");
});

test("NUL bytes are refused", () => {
  assert.is(errorOf("echo a\0b\n").code, "E_GRUB_SYNTAX");
});

test.run();
