/**
 * The stamp at the start of dist/cli-main.cache (format defined by src/cli/bin-code-cache.ts):
 * "BTSC" (u32 LE 0x43535442), the bundle's size (u32 LE) and modification time in ms (f64 LE)
 * when the cache was made, then V8's data. cli.cjs uses the cache only when the stamp matches the
 * cli-main.cjs next to it, so an installed copy of the bundle (a new mtime) needs the cache
 * restamped for that copy; V8's data itself depends on the source text, not on the file. Pure.
 */
export const STAMP_SIZE = 16;
const MAGIC = 0x43535442;

export interface BundleStamp {
  size: number;
  mtimeMs: number;
}

export function codeCacheStamp(bundle: BundleStamp): Uint8Array {
  const h = Buffer.alloc(STAMP_SIZE);
  h.writeUInt32LE(MAGIC, 0);
  h.writeUInt32LE(bundle.size >>> 0, 4);
  h.writeDoubleLE(bundle.mtimeMs, 8);
  return h;
}

/** V8's data from a cache file, if it was made for `bundle`; else undefined (a stale cache). */
export function codeCacheData(cache: Uint8Array, bundle: BundleStamp): Uint8Array | undefined {
  if (cache.length <= STAMP_SIZE) return undefined;
  return Buffer.from(cache.subarray(0, STAMP_SIZE)).equals(codeCacheStamp(bundle)) ? cache.subarray(STAMP_SIZE) : undefined;
}

/** The cache file for `bundle`: its stamp, then V8's data. */
export function stampedCodeCache(data: Uint8Array, bundle: BundleStamp): Uint8Array {
  return Buffer.concat([codeCacheStamp(bundle), data]);
}
