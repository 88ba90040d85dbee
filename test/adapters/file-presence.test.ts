/** FilePresence (src/adapters/file-presence.ts): access(2) answers per file, directory statuses remembered. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { FilePresence, parentOf } from "../../src/adapters/file-presence.ts";
import { withTempRoot } from "../support/tmp.ts";

test("property: parentOf is path.dirname (lexical parent), for absolute and odd spellings", () => {
  const part = fc.constantFrom("", "a", "b", ".", "..", "é");
  fc.assert(fc.property(fc.boolean(), fc.array(part, { maxLength: 5 }), (absolute, parts) => {
    const dir = (absolute ? "/" : "") + parts.join("/");
    if (dir === "") return;
    assert.is(parentOf(dir), path.dirname(dir), JSON.stringify(dir));
  }), { numRuns: 5000 });
});

test("missing(): undefined for a file, the errno otherwise; a missing or non-directory parent answers for its files", () => withTempRoot((root) => {
  mkdirSync(path.join(root, "d"));
  writeFileSync(path.join(root, "d/f"), "");
  writeFileSync(path.join(root, "file"), "");
  const files = new FilePresence();
  assert.is(files.missing(root, "/d/f"), undefined);
  assert.is(files.missing(root, "/d/nope"), "ENOENT");
  assert.is(files.missing(root, "/nodir/x"), "ENOENT");
  assert.is(files.missing(root, "/nodir/deeper/x"), "ENOENT");
  assert.is(files.missing(root, "/file/x"), "ENOTDIR");
  assert.is(files.missing(root, "/file/deeper/x"), "ENOTDIR");
  // Asked again (remembered directory statuses), the answers are the same.
  assert.is(files.missing(root, "/d/f"), undefined);
  assert.is(files.missing(root, "/file/x"), "ENOTDIR");
}));

test.run();
