/**
 * Writes the demo's EFI variables (efivarfs format) as systemd-boot leaves them after booting the
 * last good entry: LoaderInfo, LoaderFeatures, LoaderEntries, LoaderEntrySelected, timeouts.
 * Run once to (re)generate fixtures/demo/microos/efivars; the files are committed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { EFI_VARIABLE_BOOTSERVICE_ACCESS, EFI_VARIABLE_RUNTIME_ACCESS, encodeEfivarfsFile, efivarFileName } from "../src/formats/efi/efivarfs-file.ts";
import { LOADER_VENDOR_GUID } from "../src/formats/efi/guids.ts";
import { encodeUcs2List, encodeUcs2z } from "../src/formats/efi/ucs2.ts";

const dir = process.argv[2] ?? "fixtures/demo/microos/efivars";
mkdirSync(dir, { recursive: true });
const volatile = EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS;
const put = (name: string, data: Buffer, attributes = volatile) =>
  writeFileSync(path.join(dir, efivarFileName(name, LOADER_VENDOR_GUID)), encodeEfivarfsFile({ attributes, data }));

put("LoaderInfo", encodeUcs2z("systemd-boot 252.38-1~deb12u1"));
put("LoaderFirmwareInfo", encodeUcs2z("EDK II 2.70"));
put("LoaderFirmwareType", encodeUcs2z("UEFI 2.70"));
const features = Buffer.alloc(8);
features.writeBigUInt64LE(0x7fn);
put("LoaderFeatures", features);
put("LoaderEntries", encodeUcs2List(["opensuse-microos-6.11.8-1-default.conf", "auto-reboot-to-firmware-setup"]));
put("LoaderEntrySelected", encodeUcs2z("opensuse-microos-6.11.8-1-default.conf"));
put("LoaderConfigTimeout", encodeUcs2z("3"));
put("LoaderDevicePartUUID", encodeUcs2z("6A5B2C1D-8E9F-4A3B-9C2D-1E0F3A4B5C6D"));
put("LoaderTimeInitUSec", encodeUcs2z("1502364"));
put("LoaderTimeExecUSec", encodeUcs2z("4706281"));
