import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import * as path from "node:path";
import { confine, inRoot, isInside, PathEscapeError } from "../../src/adapters/root-path.ts";

test("confine keeps relative paths inside the root", () => {
  assert.is(confine("/mnt/img", "boot/grub/grubenv"), "/mnt/img/boot/grub/grubenv");
  assert.is(confine("/mnt/img/", "./a/../b"), "/mnt/img/b");
  assert.is(confine("/mnt/img", "/mnt/img/efi"), "/mnt/img/efi");
  assert.is(confine("/", "/boot/efi"), "/boot/efi");
});

test("confine refuses .. above the root, absolute jumps and NUL", () => {
  for (const bad of ["..", "../x", "a/../../x", "/etc/passwd", "/mnt/img2/x", "a\0b"]) {
    assert.throws(() => confine("/mnt/img", bad), (err: unknown) => err instanceof PathEscapeError, bad);
  }
});

test("inRoot re-roots image paths and still refuses climbing out", () => {
  assert.is(inRoot("/mnt/img", "/boot/grub/grubenv"), "/mnt/img/boot/grub/grubenv");
  assert.is(inRoot("/mnt/img", "//efi"), "/mnt/img/efi");
  assert.throws(() => inRoot("/mnt/img", "/../etc"), (err: unknown) => err instanceof PathEscapeError);
});

test("isInside does not confuse sibling prefixes", () => {
  assert.ok(isInside("/a/b", "/a/b"));
  assert.ok(isInside("/a/b", "/a/b/c"));
  assert.not.ok(isInside("/a/b", "/a/bc"));
  assert.ok(isInside("/", "/x"));
});

test("property: whatever confine returns lies inside the root", () => {
  const segment = fc.constantFrom("a", "b", "..", ".", "", "/", "c d");
  fc.assert(fc.property(fc.array(segment, { maxLength: 8 }), (parts) => {
    const candidate = parts.join("/");
    try {
      const out = confine("/r/oot", candidate);
      return isInside("/r/oot", out) && path.isAbsolute(out);
    } catch (err) {
      return err instanceof PathEscapeError;
    }
  }), { numRuns: 3000 });
});

test.run();
