/**
 * The UEFI boot manager state as data (what `bootctl-ts efi list --json` prints): BootCurrent,
 * BootNext, Timeout, BootOrder and every `Boot####` option decoded. Pure: takes the variables.
 */
import { bootOptionNumber, formatBootNumber } from "../formats/efi/boot-manager.ts";
import { devicePathText } from "../formats/efi/device-path-text.ts";
import type { EfiVariable } from "../formats/efi/efivarfs-file.ts";
import { EFI_GLOBAL_VARIABLE } from "../formats/efi/guids.ts";
import {
  LOAD_OPTION_ACTIVE, LOAD_OPTION_CATEGORY_APP, LOAD_OPTION_CATEGORY_MASK, LOAD_OPTION_HIDDEN, splitLoadOption, decodeLoadOption,
} from "../formats/efi/load-option.ts";
import { BootctlError } from "../errors.ts";

export interface BootOptionInfo {
  /** 4 upper-case hex digits. */
  id: string;
  variable: string;
  attributes: number;
  active: boolean;
  hidden: boolean;
  category: "boot" | "app" | number;
  description: string;
  /** Device path text as efibootmgr -v prints it. */
  devicePath: string;
  /** Optional data, lower-case hex. */
  optionalData: string;
  inBootOrder: boolean;
  /** Set when the option does not decode strictly (it is still listed). */
  error?: string;
}

export interface BootManagerState {
  bootCurrent: string | null;
  bootNext: string | null;
  timeout: number | null;
  bootOrder: string[] | null;
  options: BootOptionInfo[];
}

function u16(v: EfiVariable | undefined): number | null {
  return v && v.data.length === 2 ? v.data.readUInt16LE(0) : null;
}

export function bootManagerState(variables: readonly EfiVariable[]): BootManagerState {
  const global = variables.filter((v) => v.guid.toLowerCase() === EFI_GLOBAL_VARIABLE);
  const find = (name: string) => global.find((v) => v.name === name);
  const orderVar = find("BootOrder");
  const order: number[] | null = orderVar ? Array.from({ length: orderVar.data.length >> 1 }, (_, i) => orderVar.data.readUInt16LE(i * 2)) : null;
  const options: BootOptionInfo[] = [];
  for (const v of global) {
    const n = bootOptionNumber(v.name);
    if (n === undefined) continue;
    const info: BootOptionInfo = {
      id: formatBootNumber(n), variable: v.name, attributes: 0, active: false, hidden: false, category: "boot",
      description: "", devicePath: "", optionalData: "", inBootOrder: order?.includes(n) ?? false,
    };
    try {
      const parts = splitLoadOption(v.data);
      info.attributes = parts.attributes;
      info.active = (parts.attributes & LOAD_OPTION_ACTIVE) !== 0;
      info.hidden = (parts.attributes & LOAD_OPTION_HIDDEN) !== 0;
      const category = parts.attributes & LOAD_OPTION_CATEGORY_MASK;
      info.category = category === 0 ? "boot" : category === LOAD_OPTION_CATEGORY_APP ? "app" : category >>> 8;
      info.description = parts.description;
      info.devicePath = devicePathText(parts.filePathList);
      info.optionalData = parts.optionalData.toString("hex");
      decodeLoadOption(v.data); // strict check of the device path
    } catch (err) {
      info.error = err instanceof BootctlError ? err.message : String(err);
    }
    options.push(info);
  }
  options.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const current = u16(find("BootCurrent"));
  const next = u16(find("BootNext"));
  return {
    bootCurrent: current === null ? null : formatBootNumber(current),
    bootNext: next === null ? null : formatBootNumber(next),
    timeout: u16(find("Timeout")),
    bootOrder: order ? order.map(formatBootNumber) : null,
    options,
  };
}
