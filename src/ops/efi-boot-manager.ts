/**
 * Changes to the UEFI boot manager variables, with efibootmgr 17's rules (src/efibootmgr.c):
 * - set-next N: `Boot####` must exist ("Boot entry N does not exist"); BootNext = N;
 * - clear-next: delete BootNext;
 * - set-order: BootOrder = the list (each 1–4 hex digits; duplicates refused);
 * - delete N: delete `Boot####` and drop N from BootOrder (efibootmgr -B does both); BootNext is
 *   left as efibootmgr leaves it. Re-running it after an interruption finishes the job
 *   (efibootmgr -B refuses there; see planBootOptionDeletion);
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
import type { EfiVariable } from "../formats/efi/efivarfs-file.ts";

const G = EFI_GLOBAL_VARIABLE;

function global(vars: readonly EfiVariable[], name: string): EfiVariable | undefined {
  return vars.find((v) => v.guid.toLowerCase() === G && v.name === name);
}

export function parseBootNumberArg(text: string): number {
  const n = parseBootNumber(text);
  if (n === undefined) throw new UsageError(`invalid boot option number '${text}' (1 to 4 hex digits)`);
  return n;
}

function requireOption(vars: readonly EfiVariable[], n: number): EfiVariable {
  const v = global(vars, bootOptionName(n));
  if (!v) throw new BootctlError("E_EFI_NO_BOOT_ENTRY", `Boot entry ${formatBootNumber(n)} does not exist`);
  return v;
}

function write(name: string, data: Buffer): EfiEffect {
  return { op: "write", name, guid: G, attributes: DEFAULT_ATTRIBUTES, data };
}

export function planSetBootNext(vars: readonly EfiVariable[], n: number): EfiEffect[] {
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

function currentOrder(vars: readonly EfiVariable[]): number[] | undefined {
  const v = global(vars, "BootOrder");
  return v ? decodeBootOrder(v.data.length % 2 ? v.data.subarray(0, v.data.length - 1) : v.data) : undefined;
}

export interface BootOptionDeletion {
  effects: EfiEffect[];
  /** True when `Boot####` was already gone and the plan only removes N from the BootOrder an
   * interrupted delete left. */
  resumed: boolean;
  /** One line for the user when `resumed` (the CLI prints it as information). */
  note?: string;
}

/**
 * `efi delete N` (efibootmgr -b N -B), as two changes, each one variable replaced or removed in
 * a single step, in efibootmgr 17's order (`delete_var`, then `remove_from_order`):
 *   1. delete `Boot####`;
 *   2. rewrite BootOrder without N (every occurrence), when it names N.
 * The changes are exactly efibootmgr's (checked in test/ops/efi-boot-manager.test.ts), and so
 * is every state between them. None of them stops a boot: the boot manager goes on with
 * BootOrder when an option cannot be loaded (UEFI 2.10 §3.1.2), which a missing `Boot####`
 * cannot. Removing the reference first would avoid the dangling number, but would leave an
 * unlisted option instead, a state efibootmgr never leaves.
 *
 * BootNext is left as efibootmgr leaves it, also when it names N. The firmware ignores and
 * deletes a BootNext naming a missing option at the next boot: the boot manager deletes
 * BootNext before it tries the option it names and goes on with BootOrder when that option
 * cannot be loaded (UEFI 2.10 §3.1.2). As with efibootmgr, an option created before that boot
 * takes the lowest free number (`efi create`, efibootmgr -c) and may be the one BootNext names;
 * `efi clear-next` (efibootmgr -N) removes BootNext.
 *
 * Interrupted runs: when `Boot####` is already gone but BootOrder still names N, the plan is the
 * remaining step (resumed, with a note), so re-running the same command finishes the job and
 * reaches the same variables as an uninterrupted run. efibootmgr 17 in that state
 * (`efibootmgr -b N -B`) prints "Could not delete variable: No such file or directory", exits 15
 * and changes nothing: its user has to repair BootOrder with -o by hand. When BootOrder does not
 * name N, there is nothing to finish and the verb refuses as before ("Boot entry N does not
 * exist"), also when BootNext names N: efibootmgr would not touch BootNext either.
 */
export function planBootOptionDeletion(vars: readonly EfiVariable[], n: number): BootOptionDeletion {
  const present = global(vars, bootOptionName(n)) !== undefined;
  const order = currentOrder(vars);
  const inOrder = order?.includes(n) === true;
  if (!present && !inOrder) requireOption(vars, n); // throws E_EFI_NO_BOOT_ENTRY
  const effects: EfiEffect[] = [];
  if (present) effects.push({ op: "delete", name: bootOptionName(n), guid: G });
  if (order && inOrder) effects.push(write("BootOrder", encodeBootOrder(order.filter((x) => x !== n))));
  if (present) return { effects, resumed: false };
  return {
    effects,
    resumed: true,
    note: `${bootOptionName(n)} was already deleted (an interrupted delete); removing ${formatBootNumber(n)} from BootOrder`,
  };
}

/** The effects of planBootOptionDeletion (library form kept for existing callers). */
export function planDeleteBootOption(vars: readonly EfiVariable[], n: number): EfiEffect[] {
  return planBootOptionDeletion(vars, n).effects;
}

export function planSetBootOptionActive(vars: readonly EfiVariable[], n: number, active: boolean): EfiEffect[] {
  const v = requireOption(vars, n);
  if (v.data.length < 4) throw new BootctlError("E_EFI_BAD_LOADOPT", `${v.name} is too short to be a load option`);
  const data = Buffer.from(v.data);
  const attrs = data.readUInt32LE(0);
  data.writeUInt32LE((active ? attrs | LOAD_OPTION_ACTIVE : attrs & ~LOAD_OPTION_ACTIVE) >>> 0, 0);
  return [{ op: "write", name: v.name, guid: G, attributes: v.attributes, data }];
}

/** efibootmgr `find_free_var`: the lowest number not used by a `Boot####` variable. */
export function freeBootNumber(vars: readonly EfiVariable[]): number {
  const used = new Set(vars.filter((v) => v.guid.toLowerCase() === G).map((v) => bootOptionNumber(v.name)).filter((n): n is number => n !== undefined));
  for (let n = 0; n <= 0xffff; n++) if (!used.has(n)) return n;
  throw new BootctlError("E_EFI_NO_FREE_NUMBER", "all 65536 boot option numbers are in use");
}

export function planCreateBootOption(vars: readonly EfiVariable[], option: LoadOption): { number: number; effects: EfiEffect[] } {
  const n = freeBootNumber(vars);
  const order = currentOrder(vars) ?? [];
  return {
    number: n,
    effects: [write(bootOptionName(n), encodeLoadOption(option)), write("BootOrder", encodeBootOrder([n, ...order.filter((x) => x !== n)]))],
  };
}
