/**
 * Deep nesting against grub-script-check 2.06: GRUB's bison stack (YYMAXDEPTH 10,000) rejects
 * configs nested too deeply ("memory exhausted"); we must accept and reject the same ones, at the
 * same line, and never exhaust our own stack.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { checkScript } from "../../src/formats/grubcfg/parser.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

const SHAPES: [string, string, string][] = [
  ["if", "if true; then\n", "fi\n"],
  ["else", "if true; then x\nelse\n", "fi\n"],
  ["while", "while true; do\n", "done\n"],
  ["for", "for a in b; do\n", "done\n"],
  ["menuentry", "menuentry x {\n", "}\n"],
  ["mixed", "if true; then\nfor a in b; do\nmenuentry x {\n", "}\ndone\nfi\n"],
];
const DEPTHS = [2, 500, 1109, 1110, 1111, 1248, 1249, 1250, 1664, 1665, 1666, 1997, 1998, 1999, 4000];

test("nesting limits and error lines equal grub-script-check's", async () => {
  requireTool("grub-script-check", "grub-common");
  await withTempRoot((dir) => {
    const mismatches: string[] = [];
    for (const [name, open, close] of SHAPES) {
      for (const n of DEPTHS) {
        const text = open.repeat(n) + "echo x\n" + close.repeat(n);
        const file = path.join(dir, "nested.cfg");
        writeFileSync(file, text);
        const real = spawnSync("grub-script-check", [file], { encoding: "utf8" });
        const realLine = /Syntax error at line (\d+)/.exec(real.stdout + real.stderr)?.[1];
        const ours = checkScript(text);
        const same = (real.status === 0) === (ours === undefined) && (ours === undefined || String(ours.line) === realLine);
        if (!same) mismatches.push(`${name} ×${n}: grub-script-check ${real.status === 0 ? "accepts" : `rejects at ${realLine}`}, we ${ours ? `reject at ${ours.line}` : "accept"}`);
      }
    }
    assert.equal(mismatches, []);
  });
});

test.run();
