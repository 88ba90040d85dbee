import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import {
  emptyHistory, failedChecksOf, grubFallback, notePendingFailure, parseHistory, recordFallbacks, sdBootFallbacks, serializeHistory,
  NEVER_REACHED_USERSPACE, ROLLBACK_HISTORY_MAX, type FallbackObservation, type RollbackHistory,
} from "../../src/model/rollback.ts";

const NOW = "2026-12-07T10:00:00.000Z";

test("systemd-boot: an entry with no tries left and some done, other than the booted one, is a fallback", () => {
  const seen = sdBootFallbacks(["new+0-3.conf", "old.conf", "other+2-1.conf", "never+0.conf"], "old.conf");
  assert.equal(seen, [{ key: "systemd-boot:new+0-3.conf", loader: "systemd-boot", from: "new.conf", to: "old.conf", tries: 3 }]);
});

test("systemd-boot: the booted entry itself (its last try, +0-N) is no fallback; ids compare without case or counter", () => {
  assert.equal(sdBootFallbacks(["new+0-3.conf", "old.conf"], "new+0-3.conf"), []);
  assert.equal(sdBootFallbacks(["New+0-3.conf"], "new.conf"), []);
  assert.equal(sdBootFallbacks(["new+0-3.conf"], undefined), []);
});

test("GRUB: a trial out of tries and a record of another entry is a fallback; tries left or the trial booted is not", () => {
  assert.equal(grubFallback({ trial: "new", tries: 0, fallback: "old", booted: "old" }), { key: "grub:new>old", loader: "grub", from: "new", to: "old", tries: null });
  assert.is(grubFallback({ trial: "new", tries: 2, fallback: "old", booted: "old" }), undefined, "a one-shot of another entry uses no try");
  assert.is(grubFallback({ trial: "new", tries: 0, fallback: "old", booted: "new" }), undefined);
  assert.is(grubFallback({ trial: undefined, tries: undefined, fallback: undefined, booted: "old" }), undefined);
  assert.is(grubFallback({ trial: "new", tries: 0, fallback: "old", booted: undefined }), undefined);
});

const obs = (name: string): FallbackObservation => ({ key: `systemd-boot:${name}+0-1.conf`, loader: "systemd-boot", from: `${name}.conf`, to: "old.conf", tries: 1 });

test("a rollback is recorded once; without a note the reason is that the trial never reached userspace", () => {
  const first = recordFallbacks(emptyHistory(), [obs("a")], NOW);
  assert.is(first.added.length, 1);
  assert.is(first.added[0]!.reason, NEVER_REACHED_USERSPACE);
  assert.is(first.history.total, 1);
  const again = recordFallbacks(first.history, [obs("a")], "2026-12-08T00:00:00.000Z");
  assert.equal(again.added, []);
  assert.is(again.history, first.history, "nothing to write");
});

test("the note of on-failure gives the reason and the failed checks, and is consumed", () => {
  const noted = notePendingFailure(emptyHistory(), { key: obs("a").key, from: "a.conf", tries: 1, reason: "health checks failed: net", failedChecks: ["net"], time: NOW });
  const { history, added } = recordFallbacks(noted, [obs("a"), obs("b")], NOW);
  assert.equal(added.map((r) => [r.from, r.reason, r.failedChecks]), [["a.conf", "health checks failed: net", ["net"]], ["b.conf", NEVER_REACHED_USERSPACE, undefined]]);
  assert.equal(history.pending, []);
});

test("the history keeps the last 32, the total counts all", () => {
  let h: RollbackHistory = emptyHistory();
  for (let i = 0; i < 40; i++) h = recordFallbacks(h, [obs(`e${i}`)], NOW).history;
  assert.is(h.records.length, ROLLBACK_HISTORY_MAX);
  assert.is(h.total, 40);
  assert.is(h.records[0]!.from, "e8.conf");
  assert.is(h.records.at(-1)!.from, "e39.conf");
});

test("parse: not a history is undefined; damaged records are dropped, the others kept", () => {
  for (const text of ["", "{", "[]", "null", '{"version":2,"records":[]}', '{"version":1}']) assert.is(parseHistory(text), undefined, text);
  const good = recordFallbacks(emptyHistory(), [obs("a")], NOW).history;
  const damaged = JSON.parse(serializeHistory(good));
  damaged.records.unshift({ key: 1 }, "x");
  damaged.total = -3;
  const parsed = parseHistory(JSON.stringify(damaged))!;
  assert.equal(parsed.records, good.records);
  assert.is(parsed.total, 1);
});

test("property: serialize then parse gives the same history; parse never throws", () => {
  const name = fc.stringMatching(/^[a-z0-9.-]{1,12}$/);
  fc.assert(fc.property(fc.array(name, { maxLength: 50 }), (names) => {
    let h = emptyHistory();
    for (const n of names) h = recordFallbacks(h, [obs(n)], NOW).history;
    assert.equal(parseHistory(serializeHistory(h)), h);
    assert.ok(h.records.length <= ROLLBACK_HISTORY_MAX);
  }));
  fc.assert(fc.property(fc.json(), (text) => {
    parseHistory(text);
  }));
});

test("failed checks of a health report: the required ones that failed", () => {
  const report = { verdict: "red", checks: [
    { kind: "required", name: "net", ok: false }, { kind: "required", name: "disk", ok: true }, { kind: "wanted", name: "ntp", ok: false },
  ], hooks: [], skipped: [] };
  assert.equal(failedChecksOf(report), ["net"]);
  assert.equal(failedChecksOf(null), []);
  assert.equal(failedChecksOf({ checks: "x" }), []);
});

test.run();
