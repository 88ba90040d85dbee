/**
 * CRC-32 as UEFI 2.10 §5.3.2 uses it for the GPT header and partition entry array: the
 * IEEE 802.3 polynomial, reflected (0xEDB88320), initial value and final XOR 0xFFFFFFFF — the
 * same function as zlib's crc32(). Written here because Node's zlib.crc32 exists only from Node
 * 20.15 and 22.2 on, and this codec also runs on Node 18.
 */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
