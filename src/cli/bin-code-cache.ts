#!/usr/bin/env node
/**
 * The `bootctl-ts` executable (dist/cli.cjs): runs the CLI bundle (dist/cli-main.cjs, built from
 * bin.ts) with V8's code cache (dist/cli-main.cache), so start-up deserializes the bytecode of
 * the functions a command runs instead of parsing and compiling the whole bundle.
 *
 * The cache is written at build time (scripts/build.mjs): one representative run of the CLI with
 * BOOTCTL_TS_WRITE_CODE_CACHE=<file> set compiles without a cache and, when the process exits,
 * writes V8's cache of everything compiled by then. A cache that V8 rejects (another Node or V8
 * version, other V8 flags, a rebuilt bundle: V8 checks all of these) or a missing one only
 * costs the parse it would have saved.
 *
 * Code run this way has no module loader for `import()` (Node would need an experimental vm
 * option, which prints a warning): the bundle loads built-ins lazily with process.getBuiltinModule
 * and its own modules statically, and the build refuses a bundle with a dynamic import.
 */
import { readFileSync, writeFileSync } from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";

declare const __dirname: string;

type CommonJsWrapper = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

const main = path.join(__dirname, "cli-main.cjs");
const writeCacheTo = process.env.BOOTCTL_TS_WRITE_CODE_CACHE;
const cachedData = writeCacheTo ? undefined : readCache(path.join(__dirname, "cli-main.cache"));
// "//" in place of the bundle's "#!" line keeps line numbers; the wrapper makes it a CommonJS module.
const source = readFileSync(main, "utf8").replace(/^#!/, "//");
const script = new vm.Script(Module.wrap(source), {
  filename: main,
  ...(cachedData === undefined ? {} : { cachedData }),
});
if (writeCacheTo) {
  delete process.env.BOOTCTL_TS_WRITE_CODE_CACHE;
  process.on("exit", () => writeFileSync(writeCacheTo, script.createCachedData()));
}
const run = script.runInThisContext() as CommonJsWrapper;
const mod = { exports: {} };
run.call(mod.exports, mod.exports, require, mod, main, __dirname);
