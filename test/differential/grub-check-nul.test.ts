/**
 * Differential: `grub check` on scripts with NUL bytes against the real grub-script-check (GRUB
 * 2.06), which reads each line as a C string and so never sees what follows a NUL on its line.
 * Generated scripts get one to three NUL bytes at random places; verdicts must agree.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { checkScript } from "../../src/formats/grubcfg/parser.ts";
import { asGrubSeesIt } from "../../src/cli/commands/grub/check.ts";
import { script } from "../formats/grubcfg/generators.ts";
import { execTool, requireTool } from "../support/exec.ts";
import { mapPool } from "../support/pool.ts";
import { withTempRoot } from "../support/tmp.ts";
import { runBuiltCli } from "../support/cli.ts";

const SEED = Number(process.env.GRUB_DIFF_SEED ?? 20261207);

const withNuls = script.chain((text) =>
  fc.array(fc.nat({ max: Math.max(0, text.length) }), { minLength: 1, maxLength: 3 }).map((positions) => {
    let out = text;
    for (const p of [...positions].sort((a, b) => b - a)) out = `${out.slice(0, p)}\0${out.slice(p)}`;
    return out;
  }));

test("grub-script-check and grub check agree on scripts with NUL bytes", async () => {
  requireTool("grub-script-check", "grub-common");
  const all = fc.sample(withNuls, { numRuns: 300, seed: SEED });
  const fixed = ["echo a\0b\nmenuentry x {\n  true\n}\n", "echo a\0b\nif true; then\n", 'echo "a\0\nb"\n', "\0\0\0", "menuentry x {\0\n true\n}\n", "echo ok\n\0}\n"];
  const cases = [...fixed, ...all];
  await withTempRoot(async (dir) => {
    const verdicts = await mapPool(cases, 4, async (text, i) => {
      const file = path.join(dir, `case-${i}.cfg`);
      writeFileSync(file, text);
      const r = await execTool("grub-script-check", [file]);
      if (r.status !== 0 && r.status !== 1) throw new Error(`grub-script-check exited ${r.status}: ${r.stderr}`);
      return r.status === 0;
    });
    const mismatches: string[] = [];
    let accepted = 0;
    cases.forEach((text, i) => {
      const ours = checkScript(asGrubSeesIt(text)) === undefined;
      if (verdicts[i]) accepted++;
      if (ours !== verdicts[i]) mismatches.push(`grub-script-check ${verdicts[i] ? "accepts" : "rejects"}, we ${ours ? "accept" : "reject"}: ${JSON.stringify(text.slice(0, 200))}`);
    });
    assert.equal(mismatches, [], mismatches.slice(0, 5).join("\n"));
    assert.ok(accepted > 10 && accepted < cases.length, `both verdicts occur (${accepted} of ${cases.length} accepted)`);
    // The built binary: the first fixed case passes, as with grub-script-check.
    const file = path.join(dir, "case-0.cfg");
    const r = runBuiltCli(["grub", "check", file]);
    assert.is(r.status, 0, r.stderr);
  });
});

test.run();
