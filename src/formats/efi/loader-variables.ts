/**
 * The Boot Loader Interface variables (systemd docs/BOOT_LOADER_INTERFACE.md; vendor
 * 4a67b082-0a4c-41cf-b6c7-440b29bb8c4f), decoded from their raw data:
 * strings are UTF-16LE NUL-terminated; `LoaderEntries` is NUL-separated ids; `LoaderFeatures`
 * and `StubFeatures` are u64 LE bit masks; `LoaderTime*USec` are decimal µs strings;
 * `LoaderSystemToken` is binary. Pure.
 */
import { LOADER_VENDOR_GUID } from "./guids.ts";
import { decodeUcs2List, decodeUcs2z } from "./ucs2.ts";

/** EFI_LOADER_FEATURE_* in bit order (systemd src/fundamental/efivars.h). */
export const LOADER_FEATURES = [
  "config-timeout", "config-timeout-one-shot", "entry-default", "entry-oneshot", "boot-counting", "xbootldr",
  "random-seed", "load-driver", "sort-key", "saved-entry", "devicetree", "secureboot-enroll", "retain-shim",
  "menu-disable", "multi-profile-uki", "report-url", "type1-uki", "type1-uki-url", "tpm2-active-pcr-banks",
  "entry-preferred", "keyboard-layout", "smbios-measured",
] as const;
export type LoaderFeature = (typeof LOADER_FEATURES)[number];

/** EFI_STUB_FEATURE_* in bit order. */
export const STUB_FEATURES = [
  "report-boot-partition", "pick-up-credentials", "pick-up-sysexts", "three-pcrs", "random-seed", "cmdline-addons",
  "cmdline-smbios", "devicetree-addons", "pick-up-confexts", "multi-profile-uki", "report-stub-partition", "report-url",
  "smbios-measured",
] as const;

function decodeFeatureMask(data: Uint8Array): bigint | undefined {
  if (data.length !== 8) return undefined;
  return Buffer.from(data.buffer, data.byteOffset, 8).readBigUInt64LE(0);
}

function featureNames(mask: bigint, names: readonly string[]): string[] {
  return names.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

export function hasLoaderFeature(mask: bigint, feature: LoaderFeature): boolean {
  return ((mask >> BigInt(LOADER_FEATURES.indexOf(feature))) & 1n) === 1n;
}

/**
 * The features bootctl assumes: `LoaderFeatures` when present; otherwise, when `LoaderInfo`
 * starts with "systemd-boot", config-timeout, entry-default and entry-oneshot (systemd
 * efi_loader_get_features); otherwise none.
 */
export function effectiveLoaderFeatures(features: Uint8Array | undefined, loaderInfo: string | undefined): bigint {
  const mask = features ? decodeFeatureMask(features) : undefined;
  if (mask !== undefined) return mask;
  return loaderInfo?.startsWith("systemd-boot") ? 0b1101n : 0n;
}

const STRING_VARS = [
  "LoaderEntryDefault", "LoaderEntryOneShot", "LoaderEntryLastBooted", "LoaderEntrySelected", "LoaderEntryPreferred",
  "LoaderEntrySysFail", "LoaderSysFailReason", "LoaderConfigTimeout", "LoaderConfigTimeoutOneShot", "LoaderConfigConsoleMode",
  "LoaderBootCountPath", "LoaderDevicePartUUID", "LoaderDeviceURL", "LoaderImageIdentifier", "LoaderInfo", "LoaderFirmwareInfo",
  "LoaderFirmwareType", "LoaderTpm2ActivePcrBanks", "LoaderKeyboardLayout", "StubInfo", "StubDevicePartUUID",
  "StubImageIdentifier", "StubPcrKernelImage", "StubPcrKernelParameters", "StubPcrInitRDSysExts", "StubPcrInitRDConfExts",
  "StubProfile", "StubDeviceURL",
] as const;
const TIME_VARS = ["LoaderTimeInitUSec", "LoaderTimeExecUSec", "LoaderTimeMenuUSec"] as const;

export interface LoaderVariables {
  strings: Partial<Record<(typeof STRING_VARS)[number], string>>;
  /** Menu ids in menu order (`LoaderEntries`). */
  entries?: string[];
  /** µs since firmware start, when the variable holds a decimal number. */
  times: Partial<Record<(typeof TIME_VARS)[number], number>>;
  loaderFeatures?: { mask: string; names: string[] };
  stubFeatures?: { mask: string; names: string[] };
  /** `LoaderDevicePartUUID` normalised to lower case (sd-boot writes upper case). */
  devicePartUuid?: string;
  /** Size of `LoaderSystemToken` in bytes (the token itself is secret-ish and not shown). */
  systemTokenSize?: number;
}

export function decodeLoaderVariables(variables: readonly { name: string; guid: string; data: Buffer }[]): LoaderVariables {
  const find = (name: string) => variables.find((v) => v.guid.toLowerCase() === LOADER_VENDOR_GUID && v.name === name)?.data;
  const out: LoaderVariables = { strings: {}, times: {} };
  for (const name of STRING_VARS) {
    const data = find(name);
    if (data) out.strings[name] = decodeUcs2z(data);
  }
  const entries = find("LoaderEntries");
  if (entries) out.entries = decodeUcs2List(entries).filter((e) => e !== "");
  for (const name of TIME_VARS) {
    const data = find(name);
    const text = data ? decodeUcs2z(data) : undefined;
    if (text !== undefined && /^[0-9]+$/.test(text)) out.times[name] = Number(text);
  }
  for (const [name, key, names] of [["LoaderFeatures", "loaderFeatures", LOADER_FEATURES], ["StubFeatures", "stubFeatures", STUB_FEATURES]] as const) {
    const data = find(name);
    const mask = data ? decodeFeatureMask(data) : undefined;
    if (mask !== undefined) out[key] = { mask: "0x" + mask.toString(16), names: featureNames(mask, names) };
  }
  const uuid = out.strings.LoaderDevicePartUUID;
  if (uuid !== undefined) out.devicePartUuid = uuid.toLowerCase();
  const token = find("LoaderSystemToken");
  if (token) out.systemTokenSize = token.length;
  return out;
}
