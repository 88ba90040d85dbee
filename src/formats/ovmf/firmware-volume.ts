/**
 * EFI_FIRMWARE_VOLUME_HEADER of an edk2 NV-storage firmware volume (`OVMF_VARS*.fd`), read only.
 *
 * Layout: PI spec vol. 3 §3.2.1 (EFI_FIRMWARE_VOLUME_HEADER, EFI_FV_BLOCK_MAP_ENTRY); digest and
 * the values of Debian's ovmf 2022.11 images (fixtures/vectors/ovmf).
 *
 * Contract:
 * - `decodeFirmwareVolumeHeader(image)` accepts a header exactly when OVMF's flash driver would
 *   keep it rather than erase and re-create the whole NV volume (edk2
 *   OvmfPkg/QemuFlashFvbServicesRuntimeDxe `ValidateFvHeader` and `InitializeVariableFvHeader`):
 *   signature `_FVH`, Revision 2, an even HeaderLength, and a 16-bit sum of the HeaderLength bytes
 *   that is 0. On top of that it requires what makes the volume usable as a variable store
 *   (edk2 MdeModulePkg VariableNonVolatile.c `InitNonVolatileVariableStore`): FileSystemGuid
 *   gEfiSystemNvDataFvGuid, a block map terminated by {0,0} inside the header whose blocks add up
 *   to FvLength, and FvLength no larger than the image. Every violation is a ParseError with an
 *   `E_OVMF_FV_…` code; nothing is ever read outside the image.
 * - The writer never changes the FV header, so there is no encoder.
 */
import { Parser } from "binary-parser";
import { ParseError, type ErrorCode } from "../../errors.ts";
import { guidToText } from "../efi/guids.ts";

/** gEfiSystemNvDataFvGuid (MdeModulePkg/Include/Guid/SystemNvDataGuid.h). */
export const SYSTEM_NV_DATA_FV_GUID = "fff12b8d-7696-4c8b-a985-2747075b4f50";
/** `_FVH` read as a little-endian u32 (EFI_FVH_SIGNATURE). */
export const FVH_SIGNATURE = 0x4856465f;
/** EFI_FVH_REVISION. */
export const FVH_REVISION = 2;
/** Bytes before the block map (offsetof(EFI_FIRMWARE_VOLUME_HEADER, BlockMap)). */
export const FV_HEADER_FIXED_SIZE = 0x38;
const BLOCK_MAP_ENTRY_SIZE = 8;

export interface FvBlockMapEntry {
  numBlocks: number;
  length: number;
}

export interface FirmwareVolumeHeader {
  fileSystemGuid: string;
  /** FvLength: the bytes of the volume, from offset 0 of the image. */
  fvLength: number;
  attributes: number;
  headerLength: number;
  checksum: number;
  extHeaderOffset: number;
  revision: number;
  /** The block map without its {0,0} terminator. */
  blockMap: FvBlockMapEntry[];
}

interface FixedFields {
  zeroVector: Buffer;
  fileSystemGuid: Buffer;
  fvLength: bigint;
  signature: number;
  attributes: number;
  headerLength: number;
  checksum: number;
  extHeaderOffset: number;
  reserved: number;
  revision: number;
}

const FIXED = new Parser().endianness("little")
  .buffer("zeroVector", { length: 16 })
  .buffer("fileSystemGuid", { length: 16 })
  .uint64("fvLength")
  .uint32("signature")
  .uint32("attributes")
  .uint16("headerLength")
  .uint16("checksum")
  .uint16("extHeaderOffset")
  .uint8("reserved")
  .uint8("revision");

const BLOCK_MAP_ENTRY = new Parser().endianness("little").uint32("numBlocks").uint32("length");

function fail(code: ErrorCode, reason: string): never {
  throw new ParseError(code, reason, { line: 1 });
}

const hex = (n: number | bigint): string => "0x" + n.toString(16);

/** The 16-bit wrapping sum of the little-endian words in `bytes[0, length)` (edk2 CalculateSum16). */
export function sum16(bytes: Uint8Array, length: number): number {
  let sum = 0;
  for (let i = 0; i + 1 < length; i += 2) sum = (sum + (bytes[i]! | (bytes[i + 1]! << 8))) & 0xffff;
  return sum;
}

export function decodeFirmwareVolumeHeader(image: Buffer): FirmwareVolumeHeader {
  if (image.length < FV_HEADER_FIXED_SIZE + 2 * BLOCK_MAP_ENTRY_SIZE) {
    fail("E_OVMF_TRUNCATED", `image has ${image.length} bytes, too few for a firmware volume header`);
  }
  const f = FIXED.parse(image.subarray(0, FV_HEADER_FIXED_SIZE)) as FixedFields;
  if (f.signature !== FVH_SIGNATURE) fail("E_OVMF_FV_SIGNATURE", "no firmware volume signature '_FVH' at offset 0x28");
  if (f.revision !== FVH_REVISION) fail("E_OVMF_FV_REVISION", `firmware volume revision ${f.revision} is not ${FVH_REVISION}`);
  const headerLength = f.headerLength;
  if ((headerLength & 1) !== 0 || headerLength < FV_HEADER_FIXED_SIZE + 2 * BLOCK_MAP_ENTRY_SIZE || headerLength > image.length) {
    fail("E_OVMF_FV_HEADER_LENGTH", `firmware volume HeaderLength ${hex(headerLength)} is odd, too short for a block map, or past the end of the image`);
  }
  if (sum16(image, headerLength) !== 0) {
    fail("E_OVMF_FV_CHECKSUM", `firmware volume header checksum ${hex(f.checksum)} is wrong (the 16-bit sum of the header is ${hex(sum16(image, headerLength))}, not 0)`);
  }
  const fileSystemGuid = guidToText(f.fileSystemGuid);
  if (fileSystemGuid !== SYSTEM_NV_DATA_FV_GUID) {
    fail("E_OVMF_FV_GUID", `firmware volume FileSystemGuid ${fileSystemGuid} is not the NV data volume's (${SYSTEM_NV_DATA_FV_GUID})`);
  }
  if (f.fvLength > BigInt(image.length) || f.fvLength < BigInt(headerLength)) {
    fail("E_OVMF_FV_LENGTH", `firmware volume FvLength ${hex(f.fvLength)} does not fit the image (${hex(image.length)} bytes) or is shorter than its header`);
  }
  const fvLength = Number(f.fvLength);

  const blockMap: FvBlockMapEntry[] = [];
  let total = 0;
  let terminated = false;
  for (let at = FV_HEADER_FIXED_SIZE; at + BLOCK_MAP_ENTRY_SIZE <= headerLength; at += BLOCK_MAP_ENTRY_SIZE) {
    const e = BLOCK_MAP_ENTRY.parse(image.subarray(at, at + BLOCK_MAP_ENTRY_SIZE)) as FvBlockMapEntry;
    if (e.numBlocks === 0 && e.length === 0) {
      terminated = true;
      break;
    }
    blockMap.push({ numBlocks: e.numBlocks, length: e.length });
    total += e.numBlocks * e.length;
  }
  if (!terminated || blockMap.length === 0) {
    fail("E_OVMF_FV_BLOCK_MAP", "firmware volume block map is empty or has no {0,0} terminator inside the header");
  }
  if (total !== fvLength) {
    fail("E_OVMF_FV_BLOCK_MAP", `firmware volume block map covers ${hex(total)} bytes, FvLength says ${hex(fvLength)}`);
  }
  return {
    fileSystemGuid,
    fvLength,
    attributes: f.attributes,
    headerLength,
    checksum: f.checksum,
    extHeaderOffset: f.extHeaderOffset,
    revision: f.revision,
    blockMap,
  };
}
