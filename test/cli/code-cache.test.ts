/**
 * dist/cli.cjs runs the CLI bundle with V8's code cache written at build time
 * (src/cli/bin-code-cache.ts): the cache must be one V8 accepts for this bundle, and a missing
 * or damaged cache must change nothing but speed.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";
import { fileURLToPath } from "node:url";
import { DIST } from "../support/cli.ts";
import { withTempRoot } from "../support/tmp.ts";

const DEMO = fileURLToPath(new URL("../../fixtures/demo/microos", import.meta.url));

/** The cache file's parts: "BTSC", format 2, the bundle's length, the bundle's bytes, V8's data. */
function cacheParts(cache: Buffer): { magic: string; format: number; bundle: Buffer; v8: Buffer } {
  const length = cache.readUInt32LE(8);
  return { magic: cache.subarray(0, 4).toString("latin1"), format: cache.readUInt32LE(4), bundle: cache.subarray(12, 12 + length), v8: cache.subarray(12 + length) };
}

/**
 * Whether a start of dist/cli.cjs in `dir` used its cache: V8's --profile-deserialization prints
 * one line per deserialized blob, "[Deserializing from N bytes took T ms]", and the cache's data
 * is the only blob of its size.
 */
function startUsedCache(dir: string): boolean {
  const v8Bytes = cacheParts(readFileSync(path.join(dir, "cli-main.cache"))).v8.length;
  const r = spawnSync(process.execPath, ["--profile-deserialization", path.join(dir, "cli.cjs"), "--version"], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  return (r.stdout + r.stderr).includes(`Deserializing from ${v8Bytes} bytes`);
}

test("the built cache carries the built bundle's bytes, and this Node's V8 accepts its data", () => {
  const main = path.join(DIST, "cli-main.cjs");
  assert.ok(existsSync(path.join(DIST, "cli-main.cache")), "dist/cli-main.cache is missing: run `npm run build`");
  const parts = cacheParts(readFileSync(path.join(DIST, "cli-main.cache")));
  assert.is(parts.magic, "BTSC");
  assert.is(parts.format, 2);
  assert.ok(parts.bundle.equals(readFileSync(main)));
  const script = new vm.Script(Module.wrap(readFileSync(main, "utf8").replace(/^#!/, "//")), { filename: main, cachedData: parts.v8 });
  assert.is(script.cachedDataRejected, false);
});

test("the key is the content: a copy with new timestamps keeps its cache; a changed bundle loses it", () => withTempRoot((root) => {
  for (const f of ["cli.cjs", "cli-main.cjs", "cli-main.cache"]) copyFileSync(path.join(DIST, f), path.join(root, f));
  const later = new Date(Date.now() + 86_400_000);
  for (const f of ["cli.cjs", "cli-main.cjs", "cli-main.cache"]) utimesSync(path.join(root, f), later, later);
  assert.ok(startUsedCache(root), "a copy with other timestamps must start from its cache");
  const main = path.join(root, "cli-main.cjs");
  writeFileSync(main, readFileSync(main, "utf8").replace("bootctl-ts", "bootctl-TS"));
  assert.not.ok(startUsedCache(root), "a changed bundle must not use the old cache");
}));

test("a bundle changed after the build (same length) runs its own code, not the cached bytecode", () => withTempRoot((root) => {
  for (const f of ["cli.cjs", "cli-main.cjs", "cli-main.cache"]) copyFileSync(path.join(DIST, f), path.join(root, f));
  const main = path.join(root, "cli-main.cjs");
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  const patched = "9".repeat(pkg.version.length);
  const text = readFileSync(main, "utf8");
  assert.ok(text.includes(`"${pkg.version}"`), "the version literal is in the bundle");
  writeFileSync(main, text.replace(`"${pkg.version}"`, `"${patched}"`));
  const r = spawnSync(process.execPath, [path.join(root, "cli.cjs"), "--version"], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, `bootctl-ts ${patched}\n`);
}));

test("without a cache, and with a damaged one, the CLI answers exactly the same", () => withTempRoot((root) => {
  const list = ["--root", DEMO, "--esp-path", "/efi", "--efivars-path", path.join(DEMO, "efivars"), "list", "--json=short"];
  const run = (dir: string, args: string[]) => spawnSync(process.execPath, [path.join(dir, "cli.cjs"), ...args], { encoding: "utf8" });
  const expected = run(DIST, list);
  assert.is(expected.status, 0, expected.stderr);
  assert.ok(JSON.parse(expected.stdout).length > 0);
  for (const cache of ["missing", "damaged"] as const) {
    const dir = path.join(root, cache);
    mkdirSync(dir);
    for (const f of ["cli.cjs", "cli-main.cjs"]) copyFileSync(path.join(DIST, f), path.join(dir, f));
    if (cache === "damaged") writeFileSync(path.join(dir, "cli-main.cache"), Buffer.alloc(4096, 0x5a));
    const r = run(dir, list);
    assert.is(r.status, 0, `${cache}: ${r.stderr}`);
    assert.is(r.stdout, expected.stdout, cache);
    assert.is(r.stderr, expected.stderr, cache);
    const bad = run(dir, ["no-such-verb"]);
    assert.is(bad.status, 2, cache);
    assert.not.match(bad.stderr, /\n\s+at /, `${cache}: no stack trace`);
    rmSync(dir, { recursive: true });
  }
}));

test.run();
