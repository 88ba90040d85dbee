import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { escapeLabelValue, formatExposition, formatValue } from "../../src/formats/prometheus-text.ts";

/** The exposition format's label-value unescaping (exposition_formats.md: \\, \" and \n). */
function unescape(text: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

test("label values: backslash, double quote and line feed are escaped, nothing else", () => {
  assert.is(escapeLabelValue('a\\b"c\nd\te'), 'a\\\\b\\"c\\nd\te');
  fc.assert(fc.property(fc.string(), (s) => {
    const e = escapeLabelValue(s);
    assert.not.ok(e.includes("\n"));
    assert.is(unescape(e), s);
    assert.not.ok(/(^|[^\\])(\\\\)*"/.test(e), "no unescaped quote");
  }));
});

test("values: integers, decimals and the special floats", () => {
  assert.equal([1, 0, 0.0125, NaN, Infinity, -Infinity].map(formatValue), ["1", "0", "0.0125", "NaN", "+Inf", "-Inf"]);
});

test("families: HELP and TYPE once, samples after; empty families are left out", () => {
  const text = formatExposition([
    { name: "a_total", help: "line\\one\nline two", type: "counter", samples: [{ value: 3 }] },
    { name: "b", help: "none", type: "gauge", samples: [] },
    { name: "c", help: "c", type: "gauge", samples: [{ labels: { x: "1", y: "\"" }, value: 1 }] },
  ]);
  assert.is(text, '# HELP a_total line\\\\one\\nline two\n# TYPE a_total counter\na_total 3\n# HELP c c\n# TYPE c gauge\nc{x="1",y="\\""} 1\n');
  assert.is(formatExposition([]), "");
});

test("names the format cannot carry are refused", () => {
  for (const name of ["1a", "a-b", ""]) assert.throws(() => formatExposition([{ name, help: "", type: "gauge", samples: [{ value: 1 }] }]), /metric name/);
  assert.throws(() => formatExposition([{ name: "a", help: "", type: "gauge", samples: [{ labels: { "a:b": "x" }, value: 1 }] }]), /label name/);
  assert.throws(() => formatExposition([{ name: "a", help: "", type: "gauge", samples: [{ labels: { __name__: "x" }, value: 1 }] }]), /label name/);
  assert.throws(() => formatExposition([{ name: "a", help: "", type: "gauge", samples: [] }, { name: "a", help: "", type: "gauge", samples: [] }]), /twice/);
});

test.run();
