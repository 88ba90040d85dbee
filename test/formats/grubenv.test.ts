/**
 * grubenv codec: the reference vectors (written by grub-editenv 2.06, fixtures/vectors/
 * grubenv, with `grub-editenv X list` output in X.list), replays of the commands that produced
 * them (fixtures/vectors/grubenv/regenerate.sh), and property tests.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { readFileSync, readdirSync } from "node:fs";
import { BootctlError, ParseError } from "../../src/errors.ts";
import {
  createGrubenv, formatList, freeBytes, isBroken, isValidVariableName, listEntries, loadEnvView,
  parseGrubenv, serializeGrubenv, setVariable, unsetVariable, type GrubenvBlock,
} from "../../src/formats/grubenv.ts";

const DIR = new URL("../../fixtures/vectors/grubenv/", import.meta.url).pathname;
const vector = (name: string) => readFileSync(`${DIR}${name}.grubenv`);
const names = readdirSync(DIR).filter((f) => f.endsWith(".grubenv")).map((f) => f.slice(0, -".grubenv".length));

/** X.list: grub-editenv's output (stdout, or its error line) and then `rc=N`. */
function expectedList(name: string): { rc: number; text: string } {
  const raw = readFileSync(`${DIR}${name}.list`, "utf8");
  const m = /rc=(\d+)\n$/.exec(raw)!;
  return { rc: Number(m[1]), text: raw.slice(0, m.index) };
}

function applyAll(block: GrubenvBlock, assignments: string[]): GrubenvBlock {
  return assignments.reduce((b, a) => {
    const eq = a.indexOf("=");
    return setVariable(b, a.slice(0, eq), a.slice(eq + 1));
  }, block);
}

const fresh = () => parseGrubenv(createGrubenv());

function throwsCode(fn: () => unknown, code: string, message?: string): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, BootctlError);
    assert.is((err as BootctlError).code, code);
    if (message !== undefined) assert.is((err as BootctlError).message, message);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

test("every vector: list output and outcome as grub-editenv; serialize∘parse is identity", () => {
  assert.ok(names.length >= 20);
  for (const name of names) {
    const bytes = vector(name);
    const expected = expectedList(name);
    if (expected.rc !== 0) {
      assert.is(expected.text, "grub-editenv: error: invalid environment block.\n", name);
      throwsCode(() => parseGrubenv(bytes), "E_GRUBENV_INVALID", undefined);
      continue;
    }
    const block = parseGrubenv(bytes);
    assert.is(formatList(block), expected.text, name);
    assert.ok(serializeGrubenv(block).equals(bytes), `${name} round trip`);
    assert.is(block.size, bytes.length);
  }
});

test("invalid blocks are ParseErrors at line 1 with GRUB's message", () => {
  for (const bytes of [Buffer.alloc(0), vector("handmade-sigonly-25bytes"), vector("handmade-crlf"), Buffer.from("x".repeat(1024))]) {
    try {
      parseGrubenv(bytes);
      assert.unreachable();
    } catch (err) {
      assert.instance(err, ParseError);
      assert.is((err as ParseError).reason, "invalid environment block");
      assert.is((err as ParseError).line, 1);
      assert.is((err as ParseError).inFile("/boot/grub/grubenv").message.startsWith("/boot/grub/grubenv:1"), true);
    }
  }
  // 26 bytes (signature + one '#') is the smallest block GRUB accepts.
  assert.is(parseGrubenv(Buffer.from("# GRUB Environment Block\n#")).size, 26);
});

test("create is byte-identical to grub-editenv create; sizes are kept", () => {
  assert.ok(createGrubenv().equals(vector("empty")));
  assert.ok(createGrubenv().equals(vector("realworld-ubuntu-22.04-cloudimg")));
  assert.is(freeBytes(fresh()), 930);
  const small = createGrubenv(40);
  assert.is(small.length, 40);
  assert.is(small.toString("latin1"), "# GRUB Environment Block\n" + "#".repeat(15));
  throwsCode(() => createGrubenv(25), "E_GRUBENV_SIZE");
});

test("replaying regenerate.sh gives the vectors' bytes", () => {
  const cases: [string, GrubenvBlock][] = [
    ["basic", applyAll(fresh(), ["saved_entry=0", "next_entry=Fedora Linux (6.5.6-300.fc39.x86_64) 39", "boot_success=1"])],
    ["fedora-like", applyAll(fresh(), ["saved_entry=2d9e8b4a5c8f4d7e9a1b2c3d4e5f6a7b-6.5.6-300.fc39.x86_64", "menu_auto_hide=1", "boot_success=0", "boot_indeterminate=0", "kernelopts=root=UUID=1b2c rd.lvm.lv=fedora/root rhgb quiet"])],
    ["mender", applyAll(fresh(), ["mender_boot_part=2", "mender_boot_part_hex=2", "upgrade_available=0", "bootcount=0"])],
    ["rauc", applyAll(fresh(), ["ORDER=A B", "A_OK=1", "B_OK=1", "A_TRY=0", "B_TRY=0"])],
    ["greenboot", applyAll(fresh(), ["boot_counter=3", "boot_success=0"])],
    ["full", applyAll(fresh(), ["big=" + "x".repeat(925)])],
    ["order", unsetVariable(applyAll(applyAll(fresh(), ["a=1", "b=2", "c=3"]), ["a=111111", "d=4"]), "b")],
    ["escape", applyAll(fresh(), ["bs=a\\b", "nl=line1\nline2", "both=x\\\ny", "eq=k=v=w", "hash=#notcomment", "empty=", "spaces=  lead and trail  ", "quote=\"dq\" 'sq'", "dollar=$foo ${bar}", "semicolon=a;b", "trailbs=end\\", "utf8=héllo"])],
    ["size2048", applyAll(parseGrubenv(Buffer.from("# GRUB Environment Block\n" + "#".repeat(2048 - 25))), ["x=1"])],
    ["size100", applyAll(parseGrubenv(Buffer.from("# GRUB Environment Block\n" + "#".repeat(100 - 25))), ["x=1"])],
  ];
  for (const [name, block] of cases) assert.ok(serializeGrubenv(block).equals(vector(name)), name);
});

test("too small: full block, 1025-byte file with trailing LF, NUL padding; message is GRUB's", () => {
  const full = parseGrubenv(vector("full"));
  throwsCode(() => setVariable(full, "a", ""), "E_GRUBENV_TOO_SMALL", "environment block too small");
  // Same-or-shorter rewrites still fit (util/editenv.c: the block is rewritten with what fits, no padding row needed).
  assert.is(serializeGrubenv(setVariable(full, "big", "y".repeat(925))).length, 1024);
  const trailing = parseGrubenv(vector("handmade-trailing-newline-1025"));
  assert.not.ok(isBroken(trailing));
  assert.is(freeBytes(trailing), 0); // the padding became a comment line: no `#` run left at the end
  throwsCode(() => setVariable(trailing, "x", "1"), "E_GRUBENV_TOO_SMALL", "environment block too small");
  const zeropad = parseGrubenv(vector("handmade-zeropad"));
  assert.equal(listEntries(zeropad), [{ name: "a", value: "1" }]);
  assert.ok(isBroken(zeropad));
  throwsCode(() => setVariable(zeropad, "a", "1"), "E_GRUBENV_TOO_SMALL");
  // serialize refuses a block that no longer fits, with the same error.
  throwsCode(() => serializeGrubenv({ ...fresh(), lines: [{ kind: "variable", name: "v", value: "x".repeat(1000) }] }), "E_GRUBENV_TOO_SMALL", "environment block too small");
  const nopad = parseGrubenv(vector("handmade-nopad"));
  throwsCode(() => setVariable(nopad, "foo", "barr"), "E_GRUBENV_TOO_SMALL");
  assert.is(serializeGrubenv(setVariable(nopad, "foo", "ba")).toString("latin1"), "# GRUB Environment Block\nfoo=ba\n#");
});

test("duplicates: load_env takes the last, set/unset edit the first", () => {
  const dupe = parseGrubenv(vector("handmade-dupe"));
  assert.is(loadEnvView(dupe).get("a"), "2");
  const set = setVariable(dupe, "a", "9");
  assert.equal(listEntries(set), [{ name: "a", value: "9" }, { name: "a", value: "2" }]);
  assert.is(loadEnvView(set).get("a"), "2");
  const unset = unsetVariable(dupe, "a");
  assert.equal(listEntries(unset), [{ name: "a", value: "2" }]);
  assert.is(serializeGrubenv(unset).length, 1024);
});

test("blank line (GRUB 2.06): reader sees name \"\\na\", editor edits the a= line", () => {
  const block = parseGrubenv(vector("handmade-blankline"));
  assert.equal(listEntries(block)[0], { name: "\na", value: "1" });
  assert.is(formatList(setVariable(block, "a", "5")), "\na=5\nb=2\n");
});

test("names: only [A-Za-z_][A-Za-z0-9_]* is written", () => {
  for (const ok of ["a", "_", "saved_entry", "A_1"]) assert.ok(isValidVariableName(ok), ok);
  for (const bad of ["", "1a", "with space", "a.b", "#x", "a=b", "a\nb", "é"]) {
    assert.not.ok(isValidVariableName(bad), bad);
    throwsCode(() => setVariable(fresh(), bad, "1"), "E_GRUBENV_BAD_NAME");
    throwsCode(() => unsetVariable(fresh(), bad), "E_GRUBENV_BAD_NAME");
  }
  throwsCode(() => setVariable(fresh(), "a", "x\0y"), "E_GRUBENV_BAD_VALUE");
});

test("untouched odd lines are written back byte for byte", () => {
  const head = Buffer.from("# GRUB Environment Block\na=x\\y\n\xff\xfe=v\nnoequals\n#c\\\nmore\n", "latin1");
  const odd = Buffer.concat([head, Buffer.from("b=1\n"), Buffer.alloc(1024 - head.length - 4, "#")]);
  const block = parseGrubenv(odd);
  assert.ok(serializeGrubenv(block).equals(odd));
  const edited = serializeGrubenv(setVariable(block, "b", "22"));
  assert.ok(edited.subarray(0, head.length).equals(head));
  assert.is(edited.subarray(head.length, head.length + 6).toString("latin1"), "b=22\n#");
  assert.equal(listEntries(block).map((e) => e.name), ["a", "\ufffd\ufffd", "noequals\n#c\\\nmore\nb"]);
});

const NAME_POOL = ["a", "b", "next_entry", "saved_entry", "_x"];
const valueArb = fc.string({ unit: fc.constantFrom("a", "\\", "\n", "=", "#", "é", "😀", " ", "\"") , maxLength: 40 });
const opsArb = fc.array(fc.tuple(fc.boolean(), fc.constantFrom(...NAME_POOL), valueArb), { maxLength: 30 });

test("property: blocks built by set/unset round-trip, keep their size, and load_env sees the last write", () => {
  fc.assert(fc.property(fc.integer({ min: 26, max: 2048 }), opsArb, (size, ops) => {
    let block = parseGrubenv(createGrubenv(size));
    const model = new Map<string, string>();
    for (const [isSet, name, value] of ops) {
      if (isSet) {
        try {
          block = setVariable(block, name, value);
          model.set(name, value);
        } catch (err) {
          assert.is((err as BootctlError).code, "E_GRUBENV_TOO_SMALL");
        }
      } else {
        block = unsetVariable(block, name);
        model.delete(name);
      }
      const bytes = serializeGrubenv(block);
      assert.is(bytes.length, size);
      assert.ok(serializeGrubenv(parseGrubenv(bytes)).equals(bytes));
    }
    assert.equal(Object.fromEntries(loadEnvView(parseGrubenv(serializeGrubenv(block)))), Object.fromEntries(model));
  }), { numRuns: 300, seed: 4242 });
});

test("property: arbitrary bytes never crash the parser; accepted ones round-trip exactly", () => {
  const sig = Buffer.from("# GRUB Environment Block\n");
  const tail = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b));
  const structured = fc.array(fc.constantFrom("a=1\n", "\\", "\n", "#", "=", "\0", "b", "x=\\\n", "\r"), { maxLength: 60 }).map((p) => Buffer.from(p.join("")));
  fc.assert(fc.property(fc.oneof(tail, structured, tail.map((t) => Buffer.concat([sig, t])), structured.map((t) => Buffer.concat([sig, t]))), (bytes) => {
    let block: GrubenvBlock;
    try {
      block = parseGrubenv(bytes);
    } catch (err) {
      assert.instance(err, ParseError);
      return;
    }
    assert.ok(serializeGrubenv(block).equals(bytes));
    listEntries(block);
    for (const name of ["a", "b", "x"]) {
      try {
        serializeGrubenv(setVariable(block, name, "v"));
      } catch (err) {
        assert.is((err as BootctlError).code, "E_GRUBENV_TOO_SMALL");
      }
      assert.is(serializeGrubenv(unsetVariable(block, name)).length, bytes.length);
    }
  }), { numRuns: 2000, seed: 99 });
});

test.run();
