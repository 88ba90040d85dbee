/**
 * The UEFI boot manager's own variables (UEFI spec 2.10 §3.3, vendor EFI_GLOBAL_VARIABLE):
 * `Boot####` (EFI_LOAD_OPTION, see load-option.ts; #### is 4 upper-case hex digits),
 * `BootOrder` (array of u16 LE), `BootNext`, `BootCurrent` and `Timeout` (one u16 LE each;
 * Timeout 0xFFFF means wait forever).
 */
import { ParseError } from "../../errors.ts";

const BOOT_NAME = /^Boot([0-9A-F]{4})$/;

/** The option number of a spec-conformant `Boot####` name, else undefined. */
export function bootOptionNumber(name: string): number | undefined {
  const m = BOOT_NAME.exec(name);
  return m ? Number.parseInt(m[1]!, 16) : undefined;
}

/** `Boot` followed by the number as 4 upper-case hex digits. */
export function bootOptionName(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError(`boot option number out of range: ${n}`);
  return `Boot${formatBootNumber(n)}`;
}

/** 4 upper-case hex digits, as efibootmgr prints option numbers (%04X). */
export function formatBootNumber(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, "0");
}

/** Parse a boot number as efibootmgr takes it on its command line: 1 to 4 hex digits. */
export function parseBootNumber(text: string): number | undefined {
  return /^[0-9a-fA-F]{1,4}$/.test(text) ? Number.parseInt(text, 16) : undefined;
}

export function encodeU16Variable(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value, 0);
  return b;
}

export function decodeBootOrder(data: Uint8Array): number[] {
  if (data.length % 2 !== 0) throw new ParseError("E_EFIVAR_SIZE", `BootOrder has an odd size (${data.length} bytes)`, { line: 1 });
  const out: number[] = [];
  for (let i = 0; i < data.length; i += 2) out.push(data[i]! | (data[i + 1]! << 8));
  return out;
}

export function encodeBootOrder(order: readonly number[]): Buffer {
  const b = Buffer.alloc(order.length * 2);
  order.forEach((n, i) => b.writeUInt16LE(n, i * 2));
  return b;
}
