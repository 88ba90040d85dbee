/**
 * Differential: our parser's verdict (checkScript) against the real grub-script-check (GRUB
 * 2.06) on the fixtures, on generated scripts and on randomly mutated fixtures and scripts.
 * Anything grub-script-check rejects we reject, and vice versa; for syntax errors we also report
 * the line grub-script-check names ("Syntax error at line N"), except for a `$` that starts no
 * variable inside double quotes, where GRUB's error recovery reports a later line (we report the
 * `$` itself).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { checkScript } from "../../src/formats/grubcfg/parser.ts";
import { fixtures, mutate, script } from "../formats/grubcfg/generators.ts";
import { execTool, requireTool } from "../support/exec.ts";
import { mapPool } from "../support/pool.ts";
import { withTempRoot } from "../support/tmp.ts";

const SEED = Number(process.env.GRUB_DIFF_SEED ?? 20261125);

interface Verdict { ok: boolean; line: number | undefined }

async function theirs(dir: string, text: string, i: number): Promise<Verdict> {
  const file = path.join(dir, `case-${i}.cfg`);
  writeFileSync(file, text);
  const r = await execTool("grub-script-check", [file]);
  const m = /Syntax error at line (\d+)/.exec(r.stderr);
  if (r.status !== 0 && r.status !== 1) throw new Error(`grub-script-check exited ${r.status}: ${r.stderr}`);
  return { ok: r.status === 0, line: m ? Number(m[1]) : undefined };
}

function cases(): { label: string; text: string }[] {
  const out: { label: string; text: string }[] = [];
  for (const f of fixtures()) {
    out.push({ label: f.name, text: f.text });
    fc.sample(mutate(f.text), { numRuns: 80, seed: SEED }).forEach((text, k) => out.push({ label: `${f.name} mutation ${k}`, text }));
  }
  fc.sample(script, { numRuns: 500, seed: SEED }).forEach((text, k) => out.push({ label: `script ${k}`, text }));
  fc.sample(script.chain(mutate), { numRuns: 500, seed: SEED + 1 }).forEach((text, k) => out.push({ label: `mutated script ${k}`, text }));
  return out;
}

test("grub-script-check and checkScript agree on fixtures, generated and mutated scripts", async () => {
  requireTool("grub-script-check", "grub-common");
  const all = cases();
  await withTempRoot(async (dir) => {
    const verdicts = await mapPool(all, 4, (c, i) => theirs(dir, c.text, i));
    const mismatches: string[] = [];
    const lineMismatches: string[] = [];
    let rejected = 0;
    all.forEach((c, i) => {
      const real = verdicts[i]!;
      const ours = checkScript(c.text);
      if (!real.ok) rejected++;
      if (real.ok !== (ours === undefined)) {
        mismatches.push(`${c.label}: grub-script-check ${real.ok ? "accepts" : "rejects"}, we say ${ours?.message ?? "ok"}: ${JSON.stringify(c.text.slice(0, 300))}`);
      } else if (ours && ours.code === "E_GRUB_SYNTAX" && real.line !== undefined && !ours.reason.includes("'$'") && ours.line !== real.line) {
        lineMismatches.push(`${c.label}: line ${real.line} vs ours ${ours.message}`);
      }
    });
    assert.ok(rejected > all.length / 5, `mutations should break many scripts (rejected ${rejected} of ${all.length})`);
    assert.ok(rejected < all.length * 0.8, `most generated scripts should be valid (rejected ${rejected} of ${all.length})`);
    assert.equal(mismatches.slice(0, 10), [], `${mismatches.length} verdict mismatches of ${all.length}`);
    assert.equal(lineMismatches.slice(0, 10), [], `${lineMismatches.length} line mismatches`);
  });
});

test.run();
