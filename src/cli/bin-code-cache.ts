#!/usr/bin/env node
/**
 * The `bootctl-ts` executable (dist/cli.cjs): runs the CLI bundle (dist/cli-main.cjs, built from
 * bin.ts) with V8's code cache (dist/cli-main.cache), so start-up deserializes the bytecode of
 * the functions a command runs instead of parsing and compiling the whole bundle.
 *
 * The cache is written at build time (scripts/build.mjs): one representative run of the CLI with
 * BOOTCTL_TS_WRITE_CODE_CACHE=<file> set compiles without a cache and, when the process exits,
 * writes V8's cache of everything compiled by then. V8 itself only checks its version, its flags
 * and the source's length, so the cache file starts with the bundle's size and modification
 * time when the cache was made (the check Python makes for its .pyc files): a bundle changed since
 * (patched in place, a dist/ put together from two builds, a copy that did not keep timestamps)
 * runs without the cache, as does one V8 rejects or a missing cache. Either
 * only costs the parse the cache would have saved.
 *
 * Code run this way has no module loader for `import()` (Node would need an experimental vm
 * option, which prints a warning): the bundle loads built-ins lazily with process.getBuiltinModule
 * and its own modules statically, and the build refuses a bundle with a dynamic import.
 */
import { readFileSync, statSync, writeFileSync, type Stats } from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";

declare const __dirname: string;

type CommonJsWrapper = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

/** "BTSC", the bundle's size (u32) and mtime in ms (f64), then V8's data. */
const HEADER_SIZE = 16;
const MAGIC = 0x43535442;

function header(bundle: Stats): Buffer {
  const h = Buffer.alloc(HEADER_SIZE);
  h.writeUInt32LE(MAGIC, 0);
  h.writeUInt32LE(bundle.size >>> 0, 4);
  h.writeDoubleLE(bundle.mtimeMs, 8);
  return h;
}

/** V8's data from the cache file, if the file was made for this very bundle. */
function readCache(file: string, bundle: Stats): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  return data.length > HEADER_SIZE && data.subarray(0, HEADER_SIZE).equals(header(bundle)) ? data.subarray(HEADER_SIZE) : undefined;
}

const main = path.join(__dirname, "cli-main.cjs");
const bundle = statSync(main);
const writeCacheTo = process.env.BOOTCTL_TS_WRITE_CODE_CACHE;
const cachedData = writeCacheTo ? undefined : readCache(path.join(__dirname, "cli-main.cache"), bundle);
// "//" in place of the bundle's "#!" line keeps line numbers; the wrapper makes it a CommonJS module.
const source = readFileSync(main, "utf8").replace(/^#!/, "//");
const script = new vm.Script(Module.wrap(source), {
  filename: main,
  ...(cachedData === undefined ? {} : { cachedData }),
});
if (writeCacheTo) {
  delete process.env.BOOTCTL_TS_WRITE_CODE_CACHE;
  // V8 stamps the cache with its flags when the cache is made (here, at exit) and the next
  // start checks it under default flags: the run that writes it keeps them (v8-tiering.ts).
  process.env.BOOTCTL_TS_V8_DEFAULTS = "1";
  process.on("exit", () => {
    try {
      writeFileSync(writeCacheTo, Buffer.concat([header(bundle), script.createCachedData()]));
    } catch {
      // A build step, best effort: without a cache the CLI only starts slower.
    }
  });
}
const run = script.runInThisContext() as CommonJsWrapper;
const mod = { exports: {} };
run.call(mod.exports, mod.exports, require, mod, main, __dirname);
