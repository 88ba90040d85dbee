import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { sendJournalEntry } from "../../src/adapters/journal.ts";
import { withTempRoot } from "../support/tmp.ts";

test("the entry goes to logger --journald on stdin; logger's failure is false, never a throw", () => withTempRoot((dir) => {
  const fake = path.join(dir, "logger");
  writeFileSync(fake, `#!/bin/sh\necho "$@" > "${dir}/args"\ncat > "${dir}/stdin"\n`);
  chmodSync(fake, 0o755);
  assert.is(sendJournalEntry("MESSAGE=hi\nBOOTCTL_TS_ENTRY=a\n", fake), true);
  assert.is(readFileSync(path.join(dir, "args"), "utf8"), "--journald\n");
  assert.is(readFileSync(path.join(dir, "stdin"), "utf8"), "MESSAGE=hi\nBOOTCTL_TS_ENTRY=a\n");
  const failing = path.join(dir, "failing");
  writeFileSync(failing, "#!/bin/sh\nexit 1\n");
  chmodSync(failing, 0o755);
  assert.is(sendJournalEntry("MESSAGE=hi\n", failing), false);
  assert.is(sendJournalEntry("MESSAGE=hi\n", path.join(dir, "missing")), false);
}));

test.run();
