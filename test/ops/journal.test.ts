import { test } from "uvu";
import * as assert from "uvu/assert";
import { MESSAGE_IDS, catalogText, journalEntry } from "../../src/ops/journal.ts";

test("message ids: 128-bit, lower-case hex, all different (systemd catalog ids)", () => {
  const ids = Object.values(MESSAGE_IDS);
  for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
  assert.is(new Set(ids).size, ids.length);
});

test("the ids are stable: changing one breaks every journal filter and catalog that uses it", () => {
  assert.equal(MESSAGE_IDS, {
    blessed: "283a0934852e47639816fbf3bcbcb3e5",
    markedBad: "f33a56949c354542b6d40f0d89c18cc2",
    fellBack: "1e646399a5404204bf16c2b09c969caa",
    guardStopped: "b913ab206c4f48f4865ac2889583bc45",
    healthCheckFailed: "b8219feb66ec42e886303c2ed30bda74",
  });
});

test("an entry: one FIELD=value per line, line feeds in values become spaces, undefined fields left out", () => {
  const text = journalEntry({ kind: "fellBack", message: "fell back\nfrom a", fields: { ENTRY: "a.conf", TRIES_DONE: 3, BOOTED: undefined, REASON: "x\ny" } });
  assert.is(text, [
    "MESSAGE_ID=1e646399a5404204bf16c2b09c969caa", "MESSAGE=fell back from a", "PRIORITY=4", "SYSLOG_IDENTIFIER=bootctl-ts",
    "BOOTCTL_TS_ENTRY=a.conf", "BOOTCTL_TS_TRIES_DONE=3", "BOOTCTL_TS_REASON=x y", "",
  ].join("\n"));
  assert.throws(() => journalEntry({ kind: "blessed", message: "m", fields: { "bad-name": "x" } }), /field name/);
});

test("the catalog has one entry per id, each with a subject", () => {
  const text = catalogText();
  for (const id of Object.values(MESSAGE_IDS)) {
    const at = text.indexOf(`-- ${id}\n`);
    assert.ok(at >= 0, id);
    assert.match(text.slice(at).split("\n")[1]!, /^Subject: \S/);
  }
});

test.run();
