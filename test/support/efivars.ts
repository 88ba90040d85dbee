/** Writing efivarfs-format files into a test directory (4-byte attributes + data). */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_ATTRIBUTES, encodeEfivarfsFile, efivarFileName } from "../../src/formats/efi/efivarfs-file.ts";
import { LOADER_VENDOR_GUID } from "../../src/formats/efi/guids.ts";
import { encodeUcs2z } from "../../src/formats/efi/ucs2.ts";

export function writeLoaderString(dir: string, name: string, value: string): void {
  writeFileSync(path.join(dir, efivarFileName(name, LOADER_VENDOR_GUID)), encodeEfivarfsFile({ attributes: DEFAULT_ATTRIBUTES, data: encodeUcs2z(value) }));
}
