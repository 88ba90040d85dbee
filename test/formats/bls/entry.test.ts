/** Type #1 entry codec and semantics (systemd src/shared/bootspec.c boot_entry_load_type1()). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import {
  addEntryValue, interpretEntry, interpretEntryText, mangleEntryPath, mangleEntryPathFully, parseEntry, parseUnsigned, removeEntryKey, serializeEntry, setEntryValue,
} from "../../../src/formats/bls/entry.ts";
import { parseLine, splitLines, type ParsedLine } from "../../../src/formats/bls/lines.ts";

const fields = (text: string) => interpretEntry(parseEntry(text)).fields;

test("property: parse/serialize is lossless for any text", () => {
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom("a", " ", "\t", "\n", "\r", "#", "\\", "x", "é", "\0") }), (t) => {
    assert.is(serializeEntry(parseEntry(t)), t);
  }));
});

test("read_line(): \\r\\n and \\n\\r are one line end, \\n\\n two, NUL ends a line", () => {
  assert.equal(splitLines("a\r\nb\n\rc\n\nd\0e").map((l) => l.raw), ["a", "b", "c", "", "d", "e"]);
});

test("extract_first_word(): backslash escapes in the key, trailing backslash invalid, quotes literal", () => {
  assert.equal(parseLine("tit\\le  X  y "), { kind: "pair", key: "title", value: "X  y", valueStart: 8 });
  assert.equal(parseLine("key\\").kind, "invalid");
  assert.equal(parseLine('  "title" v').kind === "pair" && (parseLine('  "title" v') as { key: string }).key, '"title"');
  assert.is(parseLine("   # c").kind, "comment");
});

test("last occurrence wins; options and initrd accumulate; overlay splits (bootctl 252 output)", () => {
  const f = fields("title A\ntitle B\noptions a\noptions  b  c\ninitrd /x\ninitrd y\ndevicetree-overlay a b\ndevicetree-overlay c\n");
  assert.is(f.title, "B");
  assert.equal(f.options, ["a", "b  c"]);
  assert.equal(f.initrd, ["/x", "/y"]);
  assert.equal(f.devicetreeOverlay, ["/a", "/b", "/c"]);
});

test("empty values are ignored, with a warning except options/devicetree-overlay", () => {
  const r = interpretEntry(parseEntry("title\noptions\nversion  \n"));
  assert.equal(r.fields.options, []);
  assert.equal(r.diagnostics.map((d) => d.line), [1, 3]);
});

test("path mangling: absolute, simplified, trailing slash and '..' rejected (bootctl 252 output)", () => {
  assert.equal(mangleEntryPath("//x//./y"), { ok: true, path: "/x/y" });
  assert.equal(mangleEntryPath("."), { ok: true, path: "/" });
  assert.equal(mangleEntryPath("y"), { ok: true, path: "/y" });
  assert.is(mangleEntryPath("/x/").ok, false);
  assert.is(mangleEntryPath("/").ok, false);
  assert.is(mangleEntryPath("/a/../b").ok, false);
  assert.is(mangleEntryPath("../vm").ok, false);
  assert.is(mangleEntryPath("/" + "x".repeat(256)).ok, false);
});

test("profile: safe_atou_full; a bad value rejects the whole entry", () => {
  assert.is(parseUnsigned("+7"), 7);
  assert.is(parseUnsigned("-0"), 0);
  assert.is(parseUnsigned("-1"), undefined);
  assert.is(parseUnsigned("4294967296"), undefined);
  assert.is(parseUnsigned("1x"), undefined);
  const r = interpretEntry(parseEntry("title T\nprofile x\n"));
  assert.ok(r.error);
  assert.is(r.error!.line, 2);
  assert.is(fields("profile 3\n").profile, 3);
  assert.is(fields("profile 4294967295\n").profile, undefined);
});

test("unknown keys warn and are kept in the document", () => {
  const text = "# head\nfoo bar\ntitle A\n";
  const r = interpretEntry(parseEntry(text));
  assert.equal(r.diagnostics.map((d) => d.message), ["Unknown line 'foo', ignoring."]);
  assert.is(serializeEntry(parseEntry(text)), text);
});

test("edits touch only their line", () => {
  const text = "# c\ntitle  Old\t\n\tfoo x\r\noptions a\n";
  const doc = parseEntry(text);
  assert.is(serializeEntry(setEntryValue(doc, "title", "New")), "# c\ntitle  New\t\n\tfoo x\r\noptions a\n");
  assert.is(serializeEntry(setEntryValue(doc, "version", "2")), text + "version 2\n");
  assert.is(serializeEntry(addEntryValue(doc, "options", "b")), "# c\ntitle  Old\t\n\tfoo x\r\noptions a\noptions b\n");
  assert.is(serializeEntry(removeEntryKey(doc, "options")), "# c\ntitle  Old\t\n\tfoo x\r\n");
  assert.is(serializeEntry(setEntryValue(parseEntry("title A"), "version", "1")), "title A\nversion 1\n");
  assert.throws(() => setEntryValue(doc, "title", "a\nb"));
});

test("property: setEntryValue then interpret gives the value, other lines unchanged", () => {
  fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9 ._-]{1,12}$/).filter((v) => v.trim() === v && v !== ""), (v) => {
    const text = "# keep\ntitle a\nfoo  bar\ntitle b\n";
    const out = serializeEntry(setEntryValue(parseEntry(text), "title", v));
    assert.is(fields(out).title, v);
    assert.is(out.split("\n").filter((l) => !l.startsWith("title")).join("\n"), "# keep\nfoo  bar\n");
  }));
});

test("property: the mangle_path fast path answers exactly as the full steps", () => {
  const component = fc.constantFrom("", ".", "..", "...", "a", "vmlinuz-6.1", "x y", "é", "\u{1F600}", ".hidden", "a".repeat(90), "b".repeat(300));
  const pathArb = fc.tuple(fc.boolean(), fc.array(component, { maxLength: 6 })).map(([abs, cs]) => (abs ? "/" : "") + cs.join("/"));
  fc.assert(fc.property(pathArb, (p) => assert.equal(mangleEntryPath(p), mangleEntryPathFully(p), JSON.stringify(p))), { numRuns: 5000 });
});

/**
 * The model of a line, written as the rules read (systemd src/shared/bootspec.c: the line is
 * stripped of WHITESPACE, `#` starts a comment, the key is the first word with `\x` meaning `x`
 * (a backslash at the end is an error), the value is the rest after the blanks), with regular
 * expressions instead of parseLine's one pass over char codes.
 */
function modelLine(raw: string): ParsedLine {
  const leading = /^[ \t\n\r]*/.exec(raw)![0].length;
  const body = raw.slice(leading).replace(/[ \t\n\r]+$/, "");
  if (body === "") return { kind: "blank" };
  if (body.startsWith("#")) return { kind: "comment" };
  const word = /^(?:\\[\s\S]|[^ \t\n\r\\])*/.exec(body)![0];
  if (word.length < body.length && body[word.length] === "\\") return { kind: "invalid", reason: "trailing backslash" };
  const key = word.replace(/\\([\s\S])/g, "$1");
  const blanks = /^[ \t\n\r]*/.exec(body.slice(word.length))![0].length;
  return { kind: "pair", key, value: body.slice(word.length + blanks), valueStart: leading + word.length + blanks };
}

test("property: parseLine reads every line as the model of the rules does", () => {
  const piece = fc.constantFrom("", " ", "\t", "  \t", "#", "title", "linux", "a\\b", "\\", "\\ ", "x", "=", "é", "/vmlinuz", "quiet splash", "\r", "\n", "#c", "a#b");
  fc.assert(fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
    const raw = parts.join("");
    assert.equal(parseLine(raw), modelLine(raw), JSON.stringify(raw));
  }), { numRuns: 20000 });
});

test("property: interpretEntryText equals interpretEntry(parseEntry(text)) (fields, diagnostics, lines)", () => {
  const line = fc.constantFrom("title T", "version 1.2", "linux /vmlinuz", "initrd /a", "initrd /b", "options quiet", "options", "# c", "", "  ", "bogus x", "tit\\le X", "key\\", "linux ../up", "profile 7", "profile x", "sort-key k", "devicetree-overlay /a /b", "x".repeat(20));
  const eol = fc.constantFrom("\n", "\n", "\n", "\r\n", "\r", "\0", "\n\r");
  fc.assert(fc.property(fc.array(fc.tuple(line, eol), { maxLength: 10 }), fc.boolean(), (parts, finalEol) => {
    let text = parts.map(([l, e]) => l + e).join("");
    if (!finalEol && parts.length > 0) text = text.slice(0, -parts[parts.length - 1]![1].length);
    assert.equal(interpretEntryText(text), interpretEntry(parseEntry(text)), JSON.stringify(text));
  }), { numRuns: 5000 });
});

test("property: interpretEntryText reads lines of blanks, comments and backslashes as interpretEntry does", () => {
  const ws = fc.constantFrom("", " ", "\t", " \t ", "  ");
  const key = fc.constantFrom("title", "version", "options", "linux", "initrd", "devicetree-overlay", "profile", "sort-key", "bogus", "ti\\tle", "\\", "#", "#title", "x\\");
  const value = fc.constantFrom("", "T", "quiet  splash", "/vmlinuz", "/a\t/b", "../x", "7", "a\\b", "#not-comment", "é \u{1F600}");
  const lineArb = fc.tuple(ws, key, ws, value, ws).map((p) => p.join(""));
  fc.assert(fc.property(fc.array(lineArb, { maxLength: 8 }), fc.boolean(), (lines, finalEol) => {
    const text = lines.join("\n") + (finalEol ? "\n" : "");
    assert.equal(interpretEntryText(text), interpretEntry(parseEntry(text)), JSON.stringify(text));
  }), { numRuns: 20000 });
});

test.run();
