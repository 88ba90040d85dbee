/** The built library as installers import it: ESM named imports from the package name work. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";

test("import { compareVersions, addEntry, blessBoot, predict } from 'bootctl-ts'", () => {
  const code = `import { compareVersions, addEntry, blessBoot, predict, BootctlError } from "bootctl-ts";
    console.log(JSON.stringify([compareVersions("6.1.0-9", "6.1.0-18"), typeof addEntry, typeof blessBoot, typeof predict, typeof BootctlError]));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), [-1, "function", "function", "function", "function"]);
});

test("require('bootctl-ts') works too", () => {
  const r = spawnSync(process.execPath, ["-e", `console.log(typeof require("bootctl-ts").atomicReplace)`], { encoding: "utf8" });
  assert.is(r.stdout.trim(), "function", r.stderr);
});

test.run();
