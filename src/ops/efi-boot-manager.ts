/**
 * Changes to the UEFI boot manager variables, with efibootmgr 17's rules (src/efibootmgr.c):
 * - set-next N: `Boot####` must exist ("Boot entry N does not exist"); BootNext = N;
 * - clear-next: delete BootNext;
 * - set-order: BootOrder = the list (each 1–4 hex digits; duplicates refused);
 * - delete N: delete `Boot####` and drop N from BootOrder (efibootmgr -B does both);
 * - set-active / set-inactive N: rewrite `Boot####` with LOAD_OPTION_ACTIVE set / cleared;
 * - create: the lowest free number (efibootmgr `find_free_var`), attributes NV|BS|RT, the new
 *   number put first in BootOrder.
 * Every write uses NV|BS|RT (0x7), as efibootmgr does. Plans only; nothing is written here.
 */
import { BootctlError, UsageError } from "../errors.ts";
import { bootOptionName, bootOptionNumber, decodeBootOrder, encodeBootOrder, encodeU16Variable, formatBootNumber, parseBootNumber } from "../formats/efi/boot-manager.ts";
import { DEFAULT_ATTRIBUTES } from "../formats/efi/efivarfs-file.ts";
import { EFI_GLOBAL_VARIABLE } from "../formats/efi/guids.ts";
import { LOAD_OPTION_ACTIVE, encodeLoadOption, type LoadOption } from "../formats/efi/load-option.ts";
import type { EfiEffect } from "./efi-plan.ts";
import type { VariableLike } from "./efi-list.ts";

const G = EFI_GLOBAL_VARIABLE;

function global(vars: readonly VariableLike[], name: string): VariableLike | undefined {
  return vars.find((v) => v.guid.toLowerCase() === G && v.name === name);
}

export function parseBootNumberArg(text: string): number {
  const n = parseBootNumber(text);
  if (n === undefined) throw new UsageError(`invalid boot option number '${text}' (1 to 4 hex digits)`);
  return n;
}

function requireOption(vars: readonly VariableLike[], n: number): VariableLike {
  const v = global(vars, bootOptionName(n));
  if (!v) throw new BootctlError("E_EFI_NO_BOOT_ENTRY", `Boot entry ${formatBootNumber(n)} does not exist`);
  return v;
}

function write(name: string, data: Buffer): EfiEffect {
  return { op: "write", name, guid: G, attributes: DEFAULT_ATTRIBUTES, data };
}

export function planSetBootNext(vars: readonly VariableLike[], n: number): EfiEffect[] {
  requireOption(vars, n);
  return [write("BootNext", encodeU16Variable(n))];
}

export function planClearBootNext(): EfiEffect[] {
  return [{ op: "delete", name: "BootNext", guid: G }];
}

export function planSetBootOrder(order: readonly number[]): EfiEffect[] {
  const seen = new Set<number>();
  for (const n of order) {
    if (seen.has(n)) throw new UsageError(`boot option ${formatBootNumber(n)} is listed twice`);
    seen.add(n);
  }
  return [write("BootOrder", encodeBootOrder(order))];
}

function currentOrder(vars: readonly VariableLike[]): number[] | undefined {
  const v = global(vars, "BootOrder");
  return v ? decodeBootOrder(v.data.length % 2 ? v.data.subarray(0, v.data.length - 1) : v.data) : undefined;
}

export function planDeleteBootOption(vars: readonly VariableLike[], n: number): EfiEffect[] {
  requireOption(vars, n);
  const effects: EfiEffect[] = [{ op: "delete", name: bootOptionName(n), guid: G }];
  const order = currentOrder(vars);
  if (order?.includes(n)) effects.push(write("BootOrder", encodeBootOrder(order.filter((x) => x !== n))));
  return effects;
}

export function planSetBootOptionActive(vars: readonly VariableLike[], n: number, active: boolean): EfiEffect[] {
  const v = requireOption(vars, n);
  if (v.data.length < 4) throw new BootctlError("E_EFI_BAD_LOADOPT", `${v.name} is too short to be a load option`);
  const data = Buffer.from(v.data);
  const attrs = data.readUInt32LE(0);
  data.writeUInt32LE((active ? attrs | LOAD_OPTION_ACTIVE : attrs & ~LOAD_OPTION_ACTIVE) >>> 0, 0);
  return [{ op: "write", name: v.name, guid: G, attributes: v.attributes, data }];
}

/** efibootmgr `find_free_var`: the lowest number not used by a `Boot####` variable. */
export function freeBootNumber(vars: readonly VariableLike[]): number {
  const used = new Set(vars.filter((v) => v.guid.toLowerCase() === G).map((v) => bootOptionNumber(v.name)).filter((n): n is number => n !== undefined));
  for (let n = 0; n <= 0xffff; n++) if (!used.has(n)) return n;
  throw new BootctlError("E_EFI_NO_FREE_NUMBER", "all 65536 boot option numbers are in use");
}

export function planCreateBootOption(vars: readonly VariableLike[], option: LoadOption): { number: number; effects: EfiEffect[] } {
  const n = freeBootNumber(vars);
  const order = currentOrder(vars) ?? [];
  return {
    number: n,
    effects: [write(bootOptionName(n), encodeLoadOption(option)), write("BootOrder", encodeBootOrder([n, ...order.filter((x) => x !== n)]))],
  };
}
