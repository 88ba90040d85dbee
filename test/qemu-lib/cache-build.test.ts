/**
 * qemu-tests/lib/cache-build.ts: one build of a cache entry across processes. Two processes that
 * want the same entry at once get it built once, whole; a lock left by a killed builder is taken
 * over; a failed build leaves no entry.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildCached } from "../../qemu-tests/lib/cache-build.ts";
import { withTempRoot } from "../support/tmp.ts";

const MODULE = path.resolve("qemu-tests/lib/cache-build.ts");

/** A child process that builds `target` slowly (a file per step, so a second builder in the same partial would show). */
function builder(target: string, log: string): Promise<number> {
  const script = `
    import { appendFileSync, writeFileSync } from "node:fs";
    import { join } from "node:path";
    const { buildCached } = await import(${JSON.stringify(MODULE)});
    const built = await buildCached(${JSON.stringify(target)}, async (partial) => {
      appendFileSync(${JSON.stringify(log)}, "start " + process.pid + "\\n");
      for (let i = 0; i < 5; i++) {
        writeFileSync(join(partial, "step-" + i), String(process.pid));
        await new Promise((r) => setTimeout(r, 60));
      }
      writeFileSync(join(partial, "done.json"), "{}");
    }, { stamp: "done.json", pollMs: 20 });
    appendFileSync(${JSON.stringify(log)}, (built ? "built " : "cached ") + process.pid + "\\n");
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: "inherit" });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

test("two processes wanting one entry: built once, whole, and both get it", async () => {
  await withTempRoot(async (root) => {
    const target = path.join(root, "cache", "tree-x");
    const log = path.join(root, "log");
    writeFileSync(log, "");
    const codes = await Promise.all([builder(target, log), builder(target, log)]);
    assert.equal(codes, [0, 0]);
    const lines = readFileSync(log, "utf8").trim().split("\n");
    assert.is(lines.filter((l) => l.startsWith("start ")).length, 1, lines.join(" | "));
    assert.is(lines.filter((l) => l.startsWith("built ")).length, 1, lines.join(" | "));
    assert.is(lines.filter((l) => l.startsWith("cached ")).length, 1, lines.join(" | "));
    const builderPid = lines.find((l) => l.startsWith("built "))!.split(" ")[1];
    for (let i = 0; i < 5; i++) assert.is(readFileSync(path.join(target, `step-${i}`), "utf8"), builderPid);
    assert.equal(readdirSync(path.join(root, "cache")), ["tree-x"], "no .partial and no .lock left");
  });
});

test("a lock left by a builder that died is taken over; a failed build leaves no entry", async () => {
  await withTempRoot(async (root) => {
    const target = path.join(root, "tree-y");
    // A pid that is certainly gone: a child that has exited.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    writeFileSync(`${target}.lock`, `${dead}\n`);
    const failed = await buildCached(target, async () => { throw new Error("mmdebstrap failed"); }, { stamp: "done", pollMs: 10 }).then(() => undefined, (e: unknown) => e);
    assert.match(String(failed), /mmdebstrap failed/);
    assert.not.ok(existsSync(target));
    assert.not.ok(existsSync(`${target}.partial`));
    assert.not.ok(existsSync(`${target}.lock`));
    let runs = 0;
    const build = async (partial: string) => { runs += 1; writeFileSync(path.join(partial, "done"), ""); };
    assert.is(await buildCached(target, build, { stamp: "done" }), true);
    assert.is(await buildCached(target, build, { stamp: "done" }), false);
    assert.is(runs, 1);
  });
});

test.run();
