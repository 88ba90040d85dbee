/**
 * What `bootctl set-default`, `set-oneshot`, `set-timeout` and `set-timeout-oneshot` write
 * (systemd src/boot/bootctl-set-efi-var.c), as plans of EFI variable effects. Pure.
 *
 * Entry ids: "" deletes the variable; `@current` = LoaderEntrySelected, `@oneshot` =
 * LoaderEntryOneShot, `@default` = LoaderEntryDefault (each must be set); `@saved` (set-default
 * only) is written literally and needs the saved-entry feature. The loader must announce the
 * feature (LoaderFeatures, or the systemd-boot defaults when only LoaderInfo exists):
 * entry-default / entry-oneshot / config-timeout / config-timeout-one-shot.
 * Timeouts: "" deletes; `menu-force` is written as 4294967295 (UINT32_MAX); `menu-hidden` as 0;
 * `menu-disabled` literally (needs menu-disable); otherwise whole seconds below UINT32_MAX.
 * Values are UTF-16LE NUL-terminated, attributes NV|BS|RT.
 */
import { BootctlError, UsageError } from "../errors.ts";
import { DEFAULT_ATTRIBUTES } from "../formats/efi/efivarfs-file.ts";
import { LOADER_VENDOR_GUID } from "../formats/efi/guids.ts";
import { effectiveLoaderFeatures, hasLoaderFeature, type LoaderFeature } from "../formats/efi/loader-variables.ts";
import { decodeUcs2z, encodeUcs2z } from "../formats/efi/ucs2.ts";
import type { EfiEffect } from "./efi-plan.ts";
import type { EfiVariable } from "../formats/efi/efivarfs-file.ts";

function loaderVar(vars: readonly EfiVariable[], name: string): Buffer | undefined {
  return vars.find((v) => v.guid.toLowerCase() === LOADER_VENDOR_GUID && v.name === name)?.data;
}

function features(vars: readonly EfiVariable[]): bigint {
  const info = loaderVar(vars, "LoaderInfo");
  return effectiveLoaderFeatures(loaderVar(vars, "LoaderFeatures"), info ? decodeUcs2z(info) : undefined);
}

function requireFeature(vars: readonly EfiVariable[], feature: LoaderFeature, what: string): void {
  if (!hasLoaderFeature(features(vars), feature)) {
    throw new BootctlError("E_LOADER_FEATURE", `the boot loader does not support ${what} (LoaderFeatures lacks ${feature})`);
  }
}

function setString(name: string, value: string): EfiEffect {
  // The variables are NUL-terminated UTF-16 strings (Boot Loader Interface): an embedded NUL
  // would silently cut the id where systemd-boot reads it. (bootctl takes ids from argv, which
  // cannot hold NUL; library callers can.)
  if (value.includes("\0")) throw new BootctlError("E_BAD_VALUE", `${name}: the value contains a NUL character, which ends a UTF-16 string`);
  return { op: "write", name, guid: LOADER_VENDOR_GUID, attributes: DEFAULT_ATTRIBUTES, data: encodeUcs2z(value) };
}

function resolveEntry(vars: readonly EfiVariable[], id: string): string {
  const special: Record<string, string> = { "@current": "LoaderEntrySelected", "@oneshot": "LoaderEntryOneShot", "@default": "LoaderEntryDefault" };
  const source = special[id];
  if (source === undefined) return id;
  const data = loaderVar(vars, source);
  if (!data) throw new BootctlError("E_LOADER_VARIABLE", `${id} refers to ${source}, which is not set`);
  return decodeUcs2z(data);
}

/** `bootctl set-default ID`. */
export function planSetDefault(vars: readonly EfiVariable[], id: string): EfiEffect[] {
  requireFeature(vars, "entry-default", "LoaderEntryDefault");
  if (id === "") return [{ op: "delete", name: "LoaderEntryDefault", guid: LOADER_VENDOR_GUID }];
  if (id === "@saved") {
    requireFeature(vars, "saved-entry", "LoaderEntryDefault=@saved");
    return [setString("LoaderEntryDefault", "@saved")];
  }
  return [setString("LoaderEntryDefault", resolveEntry(vars, id))];
}

/** `bootctl set-oneshot ID`. */
export function planSetOneshot(vars: readonly EfiVariable[], id: string): EfiEffect[] {
  requireFeature(vars, "entry-oneshot", "LoaderEntryOneShot");
  if (id === "") return [{ op: "delete", name: "LoaderEntryOneShot", guid: LOADER_VENDOR_GUID }];
  if (id === "@saved") throw new UsageError("@saved is only meaningful for set-default");
  return [setString("LoaderEntryOneShot", resolveEntry(vars, id))];
}

/** The string bootctl stores for a timeout argument. */
export function timeoutValue(vars: readonly EfiVariable[], arg: string): string {
  if (arg === "menu-force") return "4294967295";
  if (arg === "menu-hidden") return "0";
  if (arg === "menu-disabled") {
    requireFeature(vars, "menu-disable", "menu-disabled");
    return "menu-disabled";
  }
  const m = /^([0-9]+)(s|sec)?$/.exec(arg);
  if (!m || Number(m[1]) >= 0xffffffff) throw new UsageError(`invalid timeout '${arg}' (seconds, menu-force, menu-hidden or menu-disabled)`);
  return String(Number(m[1]));
}

/** `bootctl set-timeout SEC`. */
export function planSetTimeout(vars: readonly EfiVariable[], arg: string): EfiEffect[] {
  requireFeature(vars, "config-timeout", "LoaderConfigTimeout");
  if (arg === "") return [{ op: "delete", name: "LoaderConfigTimeout", guid: LOADER_VENDOR_GUID }];
  return [setString("LoaderConfigTimeout", timeoutValue(vars, arg))];
}

/** `bootctl set-timeout-oneshot SEC`. */
export function planSetTimeoutOneshot(vars: readonly EfiVariable[], arg: string): EfiEffect[] {
  requireFeature(vars, "config-timeout-one-shot", "LoaderConfigTimeoutOneShot");
  if (arg === "") return [{ op: "delete", name: "LoaderConfigTimeoutOneShot", guid: LOADER_VENDOR_GUID }];
  return [setString("LoaderConfigTimeoutOneShot", timeoutValue(vars, arg))];
}
