import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { parse, parseAsGrubRuns } from "../../../src/formats/grubcfg/parser.ts";
import type { StatementNode } from "../../../src/formats/grubcfg/ast.ts";
import { fixtures } from "./generators.ts";

const starts = (body: readonly StatementNode[]) => body.map((s) => [s.kind, s.start, s.end]);

test("a valid file: the same statements as parse, no errors", () => {
  for (const f of fixtures()) {
    const r = parseAsGrubRuns(f.text);
    assert.equal(r.errors, [], f.name);
    assert.equal(starts(r.script.body), starts(parse(f.text).body), f.name);
  }
});

test("any cut of a fixture: the statements are the complete ones before the cut (up to the failing unit), never a throw", () => {
  const all = fixtures();
  fc.assert(fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (k, at) => {
    const text = all[k]!.text;
    const cut = text.slice(0, Math.floor(text.length * at));
    const r = parseAsGrubRuns(cut);
    const whole = starts(parse(text).body);
    // What GRUB runs of the cut file is a prefix of what it runs of the whole one, when the cut
    // leaves only the last unit broken (a cut never creates an error before it).
    const got = starts(r.script.body);
    assert.ok(r.errors.length <= 1, JSON.stringify(r.errors.map((e) => e.message)));
    for (let i = 0; i < got.length - 1; i++) assert.equal(got[i], whole[i]);
  }), { numRuns: 300 });
});

test("a unit that fails takes the statements on its lines with it; reading goes on after its line", () => {
  const r = parseAsGrubRuns("a\nb; c; fi\nd\n");
  assert.equal(r.script.body.map((s) => s.kind === "simple" ? s.words[0]!.raw : s.kind), ["a", "d"]);
  assert.equal(r.errors.map((e) => e.line), [2]);
});

test.run();
