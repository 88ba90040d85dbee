/** grub/bootctl-counting.cfg and grub/09_bootctl_counting are exactly what ops/grub-counting-script.ts generates. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { checkScript } from "../../src/formats/grubcfg/parser.ts";
import { grubCountingGenerator, grubCountingScript } from "../../src/ops/grub-counting-script.ts";
import { requireTool } from "../support/exec.ts";

const FRAGMENT = fileURLToPath(new URL("../../grub/bootctl-counting.cfg", import.meta.url));
const GENERATOR = fileURLToPath(new URL("../../grub/09_bootctl_counting", import.meta.url));

test("shipped files equal the generated text", () => {
  assert.is(readFileSync(FRAGMENT, "utf8"), grubCountingScript());
  assert.is(readFileSync(GENERATOR, "utf8"), grubCountingGenerator());
});

test("the fragment passes grub-script-check and the generator prints it", () => {
  requireTool("grub-script-check", "grub-common");
  assert.is(checkScript(grubCountingScript()), undefined);
  assert.is(spawnSync("grub-script-check", [FRAGMENT]).status, 0);
  const r = spawnSync("sh", [GENERATOR], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, grubCountingScript());
});

test.run();
