#!/usr/bin/env node
/**
 * The `bootctl-ts` executable (dist/cli.cjs): runs the CLI bundle (dist/cli-main.cjs, built from
 * bin.ts) with V8's code cache (dist/cli-main.cache), so start-up deserializes the bytecode of
 * the functions a command runs instead of parsing and compiling the whole bundle.
 *
 * The cache is written at build time (scripts/build.mjs): one representative run of the CLI with
 * BOOTCTL_TS_WRITE_CODE_CACHE=<file> set compiles without a cache and, when the process exits,
 * writes V8's cache of everything compiled by then. V8 itself only checks its version, its flags
 * and the source's length, so the cache file also carries the exact bytes of the bundle it was
 * made for, and is used only when they equal the bundle's bytes (a comparison of memory, far
 * cheaper than loading a hash function at start-up). The key is the content alone: a copy, an
 * install or an unpacked tarball with new timestamps keeps its cache; a bundle changed since
 * (patched in place, a dist/ put together from two builds) runs without it, as does one V8
 * rejects (another Node version) or a missing cache. Either only costs the parse the cache would
 * have saved.
 *
 * Code run this way has no module loader for `import()` (Node would need an experimental vm
 * option, which prints a warning): the bundle loads built-ins lazily (src/builtin-modules.ts)
 * and its own modules statically, and the build refuses a bundle with a dynamic import.
 */
import { readFileSync, writeFileSync } from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";

declare const __dirname: string;

type CommonJsWrapper = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

/** "BTSC", format 2, the bundle's length (u32), then the bundle's bytes, then V8's data. */
const HEADER_SIZE = 12;
const MAGIC = 0x43535442;
const FORMAT = 2;

function header(bundle: Buffer): Buffer {
  const h = Buffer.alloc(HEADER_SIZE);
  h.writeUInt32LE(MAGIC, 0);
  h.writeUInt32LE(FORMAT, 4);
  h.writeUInt32LE(bundle.length, 8);
  return h;
}

/** V8's data from the cache file, if the file was made for these very bytes. */
function readCache(file: string, bundle: Buffer): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (err) {
    // No cache (ENOENT), or one this user may not read: V8 parses the bundle instead.
    const errno = (err as { code?: unknown }).code;
    if (errno === "ENOENT" || errno === "EACCES") return undefined;
    throw err;
  }
  const dataStart = HEADER_SIZE + bundle.length;
  if (data.length <= dataStart || !data.subarray(0, HEADER_SIZE).equals(header(bundle))) return undefined;
  return data.subarray(HEADER_SIZE, dataStart).equals(bundle) ? data.subarray(dataStart) : undefined;
}

const main = path.join(__dirname, "cli-main.cjs");
const bundle = readFileSync(main);
const writeCacheTo = process.env.BOOTCTL_TS_WRITE_CODE_CACHE;
const cachedData = writeCacheTo ? undefined : readCache(path.join(__dirname, "cli-main.cache"), bundle);
// "//" in place of the bundle's "#!" line keeps line numbers; the wrapper makes it a CommonJS module.
const source = bundle.toString("utf8").replace(/^#!/, "//");
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
    // A build step: a failure shows (scripts/build.mjs warns that the CLI runs without a cache).
    writeFileSync(writeCacheTo, Buffer.concat([header(bundle), bundle, script.createCachedData()]));
  });
}
const run = script.runInThisContext() as CommonJsWrapper;
const mod = { exports: {} };
run.call(mod.exports, mod.exports, require, mod, main, __dirname);
