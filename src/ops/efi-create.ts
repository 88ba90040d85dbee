/**
 * The load option `efibootmgr -c -d DISK -p N -l LOADER -L LABEL` writes (efibootmgr 17
 * make_linux_load_option; libefivar efi_generate_file_device_path): HD(N,GPT,<partition GUID>,
 * start, size)/File(LOADER)/End, attributes LOAD_OPTION_ACTIVE unless inactive, no optional
 * data. The HD node comes from the disk's GPT. Forward slashes in LOADER become backslashes.
 */
import { BootctlError, UsageError } from "../errors.ts";
import { gptHardDriveNode, withEnd } from "../formats/efi/device-path.ts";
import { LOAD_OPTION_ACTIVE, type LoadOption } from "../formats/efi/load-option.ts";
import type { GptTable } from "../formats/gpt/gpt.ts";

export interface CreateOptionRequest {
  partition: number;
  loader: string;
  label: string;
  active: boolean;
}

export function buildGptLoadOption(table: GptTable, request: CreateOptionRequest): LoadOption {
  const part = table.partitions.find((p) => p.number === request.partition);
  if (!part) throw new BootctlError("E_EFI_NO_PARTITION", `the disk has no GPT partition ${request.partition}`);
  let loader = request.loader.replace(/\//g, "\\");
  if (loader === "") throw new UsageError("--loader must not be empty");
  if (!loader.startsWith("\\")) loader = "\\" + loader;
  return {
    attributes: request.active ? LOAD_OPTION_ACTIVE : 0,
    description: request.label,
    filePath: withEnd([
      gptHardDriveNode(part.number, part.firstLba, part.lastLba - part.firstLba + 1n, part.uniqueGuid),
      { kind: "file", path: loader },
    ]),
    optionalData: Buffer.alloc(0),
  };
}
