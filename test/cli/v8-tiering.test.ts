/** The V8 flag the binary sets before a verb runs (src/cli/v8-tiering.ts). The Node matrix runs this file on every supported Node. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SHORT_RUN_V8_FLAGS, shortRunFlagsFor } from "../../src/cli/v8-tiering.ts";
import { runBuiltCli } from "../support/cli.ts";

/** The flags for the V8 of the Node that runs the tests. */
const FLAGS = shortRunFlagsFor(process.versions.v8);
const DEMO = fileURLToPath(new URL("../../fixtures/demo/microos", import.meta.url));

// V8 prints "Error: unrecognized flag" for a flag it does not know (and ignores it): a renamed
// flag would both lose the tuning and put noise into every command's output.
test("a verb run by the binary on this Node prints nothing on stderr (no flag V8 refuses)", () => {
  const r = runBuiltCli(["--root", DEMO, "--esp-path", "/efi", "--efivars-path", `${DEMO}/efivars`, "list"]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, "");
  assert.ok(r.stdout.length > 0);
});

test("this V8 gets flags only if they were measured on it, and then they are flags it knows, above its defaults", () => {
  const major = Number.parseInt(process.versions.v8, 10);
  assert.is(FLAGS, SHORT_RUN_V8_FLAGS[major] ?? "");
  const options = spawnSync(process.execPath, ["--v8-options"], { encoding: "utf8" }).stdout;
  for (const flag of FLAGS.split(" ").filter((f) => f !== "")) {
    const [, name, value] = /^--([a-z-]+)=(\d+)$/.exec(flag) ?? [];
    assert.ok(name && value, flag);
    const fallback = new RegExp(`default: --${name}=(\\d+)`).exec(options);
    assert.ok(fallback, `--${name} not in node --v8-options`);
    assert.ok(Number(value) > Number(fallback![1]), `${value} vs default ${fallback![1]}`);
    const set = spawnSync(process.execPath, ["-e", `require("node:v8").setFlagsFromString(${JSON.stringify(flag)})`], { encoding: "utf8" });
    assert.is(set.stdout + set.stderr, "");
  }
});

test("flags only for the V8 they were measured on: Node 20's V8 11, none for 10, 12, 13 and 14", () => {
  assert.equal(Object.keys(SHORT_RUN_V8_FLAGS), ["11"]);
  assert.is(shortRunFlagsFor("11.3.244.8-node.38"), "--interrupt-budget=270336");
  for (const v8 of ["10.2.154.26-node.28", "12.4.254.21-node.57", "13.6.233.17-node.63", "14.6.202.34-node.40"]) assert.is(shortRunFlagsFor(v8), "", v8);
});

test.run();
