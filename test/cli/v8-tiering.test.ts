/** The V8 flag the binary sets before a verb runs (src/cli/v8-tiering.ts). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { SHORT_RUN_V8_FLAGS } from "../../src/cli/v8-tiering.ts";

// V8 prints "Error: unrecognized flag" to stdout for a flag it does not know (and ignores it):
// a renamed flag would both lose the tuning and put noise into every command's output.
test("the tiering flag is one this Node's V8 knows, and setting it prints nothing", () => {
  const r = spawnSync(process.execPath, ["-e", `require("node:v8").setFlagsFromString(${JSON.stringify(SHORT_RUN_V8_FLAGS)})`], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, "");
  assert.is(r.stderr, "");
});

test("the flag names a value larger than V8's default (a delay, not a change of tiers)", () => {
  const [, name, value] = /^--([a-z-]+)=(\d+)$/.exec(SHORT_RUN_V8_FLAGS) ?? [];
  assert.ok(name && value, SHORT_RUN_V8_FLAGS);
  const options = spawnSync(process.execPath, ["--v8-options"], { encoding: "utf8" }).stdout;
  const fallback = new RegExp(`default: --${name}=(\\d+)`).exec(options);
  assert.ok(fallback, `--${name} not in node --v8-options`);
  assert.ok(Number(value) > Number(fallback![1]), `${value} vs default ${fallback![1]}`);
});

test.run();
