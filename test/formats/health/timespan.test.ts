/** systemd.time(5) spans and check drop-ins; the spans against systemd-analyze timespan (the real parser). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { USEC_INFINITY, parseTimespan } from "../../../src/formats/health/timespan.ts";
import { applyCheckDropIn } from "../../../src/formats/health/check-drop-in.ts";
import { ParseError } from "../../../src/errors.ts";
import { requireTool } from "../../support/exec.ts";

const SAMPLES = ["1min30s", "1.5h", "5 3", "2 weeks", "1M", "1y", "0", "1d2h", " 3 s", "5µs", "90", "1.25", "100ms", "2m", "3hr 4min", ".5s", "1.001us"];

test("valid spans: the microseconds systemd-analyze timespan prints", () => {
  requireTool("systemd-analyze", "systemd");
  for (const sample of SAMPLES) {
    const r = spawnSync("systemd-analyze", ["timespan", "--", sample], { encoding: "utf8" });
    assert.is(r.status, 0, `${sample}: ${r.stderr}`);
    const us = /μs: (\d+)/.exec(r.stdout)![1]!;
    const ours = parseTimespan(sample);
    assert.ok(ours.ok, sample);
    if (ours.ok) assert.is(ours.usec, BigInt(us), sample);
  }
  assert.equal(parseTimespan("infinity"), { ok: true, usec: USEC_INFINITY });
});

test("invalid spans are refused, as systemd-analyze refuses them", () => {
  requireTool("systemd-analyze", "systemd");
  for (const sample of ["1.s", "1e3", "5x", "", "  ", "-1", "5secs", "infinity 5", "3.hoge", "99999999999999999999y"]) {
    const r = spawnSync("systemd-analyze", ["timespan", "--", sample], { encoding: "utf8" });
    assert.is.not(r.status, 0, `systemd accepted ${JSON.stringify(sample)}`);
    assert.is(parseTimespan(sample).ok, false, sample);
  }
});

test("check drop-in: TimeoutSec=, 0 as no limit, empty resets; bad values name file and line", () => {
  assert.equal(applyCheckDropIn({}, "# c\n[Check]\nTimeoutSec = 30s\n"), { timeoutUsec: 30_000_000n });
  assert.equal(applyCheckDropIn({}, "[Check]\nTimeoutSec=0\n"), { timeoutUsec: USEC_INFINITY });
  assert.equal(applyCheckDropIn({ timeoutUsec: 5n }, "[Check]\nTimeoutSec=\n"), {});
  for (const [text, line] of [["[Check]\nTimeoutSec=soon\n", 2], ["TimeoutSec=5\n", 1], ["[Service]\n", 1], ["[Check]\n\nTimeout=5\n", 3], ["[Check]\nTimeoutSec\n", 2]] as const) {
    const err = (() => {
      try {
        applyCheckDropIn({}, text, "/etc/bootctl-ts/checks/required.d/10-disk.d/t.conf");
      } catch (e) {
        return e;
      }
    })();
    assert.instance(err, ParseError, text);
    assert.is((err as ParseError).code, "E_CHECK_DROP_IN");
    assert.is((err as ParseError).line, line, text);
    assert.is((err as ParseError).file, "/etc/bootctl-ts/checks/required.d/10-disk.d/t.conf");
  }
});

test.run();
