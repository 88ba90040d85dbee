/**
 * edk2/OVMF non-volatile variable store (`OVMF_VARS*.fd`): read, list, set and delete variables
 * offline. Pure: bytes in, a model or a new full-size image out.
 *
 * Image layout (edk2 OvmfPkg/Include/Fdf/VarStore.fdf.inc): EFI_FIRMWARE_VOLUME_HEADER
 * at 0, VARIABLE_STORE_HEADER at HeaderLength, variable records from HEADER_ALIGN(store + 28) up
 * to store + Size, then the NV event log, the FTW working block and the FTW spare area inside the
 * same volume.
 *
 * Contract:
 * - `readVarStore` checks the FV header (see firmware-volume.ts) and the store header as edk2's
 *   `GetVariableStoreStatus` does (signature gEfiAuthenticatedVariableGuid → authenticated
 *   records, gEfiVariableGuid → plain records; Format 0x5A; State 0xFE; an all-0xFF header is an
 *   unformatted store, `E_OVMF_STORE_RAW`), then walks the records like edk2's
 *   `IsValidVariableHeader`/`GetNextVariablePtr`: the walk ends at the first StartId that is not
 *   0x55AA or at the end of the store. A record whose header, name or data would run past the
 *   store end is `E_OVMF_VAR_BOUNDS` (edk2 never writes one; it would read past the store). Each
 *   step advances by at least one header, so the walk ends on any input.
 * - Liveness follows edk2 `FindVariableEx` and `VariableServiceGetNextVariableInternal`:
 *   `variables` holds every VAR_ADDED (0x3F) record, and every VAR_ADDED&VAR_IN_DELETED_TRANSITION
 *   (0x3E) record for whose (name, GUID) no 0x3F record exists; all other states (0x3D and 0x3C
 *   deleted, 0x7F header-only, …) are dead. `getVariable` returns what GetVariable would: the
 *   first 0x3F copy, else the last 0x3E copy. Names are compared as stored bytes (edk2 compares
 *   NameSize bytes). One deviation: a record with NameSize 0 (or a torn header) is never live,
 *   where edk2 would assert.
 * - `setVariable` / `deleteVariable` return a new image of the same size. Outside the store's
 *   record area nothing changes (FV header, store header, event log, FTW working and spare
 *   areas stay byte-identical). Inside it:
 *   · set, common case: the new record is written with State 0x3F at the first free offset (the
 *     end of the walk), and every older live copy of the same (name, GUID) gets
 *     State &= VAR_IN_DELETED_TRANSITION & VAR_DELETED (0x3F → 0x3C), the final state edk2's
 *     UpdateVariable leaves; no other byte changes.
 *   · set with identical attributes and data: nothing is written (edk2 returns early too).
 *   · set when the record does not fit in the free space, or when the free space is not all
 *     0xFF: the record area is compacted as edk2's `Reclaim` does (every 0x3F record in order,
 *     then the 0x3E records that have no 0x3F copy, promoted to 0x3F, all other copies of the
 *     variable being set dropped; the rest 0xFF), and the new record appended. If it still does
 *     not fit: BootctlError `E_OVMF_STORE_FULL` and no image.
 *   · delete: State &= VAR_DELETED on every live copy (0x3F → 0x3D), as SetVariable with size 0
 *     does; an absent variable is BootctlError `E_OVMF_VAR_NOT_FOUND`.
 * - Writes always use the store's own header format. Authenticated-header fields default to 0
 *   (MonotonicCount, TimeStamp, PubKeyIndex), as edk2 stores them for variables that are not
 *   time-based authenticated; callers may pass them for TAW variables. No signature is checked:
 *   offline writes bypass authentication by design.
 * - Input errors (bad name, GUID, attributes, empty data, out-of-range authenticated fields) are
 *   BootctlError `E_OVMF_VAR_…`; a corrupt image is ParseError `E_OVMF_…`. Neither leaves a
 *   partial result.
 */
import { BootctlError, ParseError, type ErrorCode } from "../../errors.ts";
import type { EfiVariable } from "../efi/efivarfs-file.ts";
import { guidToText, isGuidText } from "../efi/guids.ts";
import { decodeFirmwareVolumeHeader, type FirmwareVolumeHeader } from "./firmware-volume.ts";
import {
  classifyState, decodeRecordHeader, encodeRecord, headerAlign, headerSize, startIdAt,
  EFI_VARIABLE_APPEND_WRITE, EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS, EFI_VARIABLE_BOOTSERVICE_ACCESS,
  EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS, EFI_VARIABLE_NON_VOLATILE, EFI_VARIABLE_RUNTIME_ACCESS,
  EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS, STATE_IN_TRANSITION, VAR_ADDED, VAR_DELETED,
  VAR_IN_DELETED_TRANSITION, VARIABLE_START_ID, ZERO_TIME,
  type AuthFields, type EfiTime, type RecordFormat, type RecordState,
} from "./variable-record.ts";

/** gEfiAuthenticatedVariableGuid: store signature for AUTHENTICATED_VARIABLE_HEADER records. */
export const AUTHENTICATED_VARIABLE_GUID = "aaf32c78-947b-439a-a180-2e144ec37792";
/** gEfiVariableGuid: store signature for plain VARIABLE_HEADER records. */
export const VARIABLE_GUID = "ddcf3616-3275-4164-98b6-fe85707ffe7d";
export const VARIABLE_STORE_FORMATTED = 0x5a;
export const VARIABLE_STORE_HEALTHY = 0xfe;
export const VARIABLE_STORE_HEADER_SIZE = 28;

/** A variable as callers see it. */

/** A live variable with where it is stored. */
export interface StoredVariable extends EfiVariable {
  /** Image offset of its record header. */
  offset: number;
  state: number;
  auth?: AuthFields;
}

/** Every record header the walk met, live or not. */
export interface VarRecord {
  offset: number;
  /** Header + name + data, unpadded (what edk2 copies when it reclaims). */
  size: number;
  state: number;
  stateKind: RecordState;
  live: boolean;
  attributes: number;
  nameSize: number;
  dataSize: number;
  torn: boolean;
  guid: string;
  name: string;
  nameBytes: Buffer;
  data: Buffer;
  auth?: AuthFields;
}

export interface VarStore {
  imageSize: number;
  fv: FirmwareVolumeHeader;
  format: RecordFormat;
  signature: string;
  /** Image offset of VARIABLE_STORE_HEADER. */
  storeOffset: number;
  /** VARIABLE_STORE_HEADER.Size (header included). */
  storeSize: number;
  /** Image offset of the first record (HEADER_ALIGN(store + 28)). */
  recordsOffset: number;
  /** storeOffset + storeSize: records end before this. */
  storeEnd: number;
  /** Where the walk ended: the next record goes here. */
  freeOffset: number;
  /** True when [freeOffset, storeEnd) is all 0xFF (edk2 reclaims at boot otherwise). */
  freeSpaceClean: boolean;
  records: VarRecord[];
  /** Live variables in store order (edk2 GetNextVariableName semantics). */
  variables: StoredVariable[];
}

/** What `setVariable` takes. */
export interface VariableInput {
  name: string;
  guid: string;
  attributes: number;
  data: Uint8Array;
  /** Authenticated-header fields (authenticated stores only); zero when left out. */
  auth?: AuthFields;
}

function fail(code: ErrorCode, reason: string): never {
  throw new ParseError(code, reason, { line: 1 });
}

const hex = (n: number): string => "0x" + n.toString(16);

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function keyOf(guid: string, nameBytes: Uint8Array): string {
  return guid + "/" + Buffer.from(nameBytes.buffer, nameBytes.byteOffset, nameBytes.byteLength).toString("hex");
}

/** UTF-16LE name bytes up to the first NUL code unit (an odd last byte is ignored). */
function decodeName(nameBytes: Buffer): string {
  let end = 0;
  while (end + 1 < nameBytes.length && (nameBytes[end]! | nameBytes[end + 1]!) !== 0) end += 2;
  return nameBytes.subarray(0, end).toString("utf16le");
}

export function readVarStore(bytes: Uint8Array): VarStore {
  const image = asBuffer(bytes);
  const fv = decodeFirmwareVolumeHeader(image);
  const storeOffset = fv.headerLength;
  if (storeOffset + VARIABLE_STORE_HEADER_SIZE > fv.fvLength) {
    fail("E_OVMF_TRUNCATED", `firmware volume ends at ${hex(fv.fvLength)}, before the variable store header at ${hex(storeOffset)}`);
  }
  const signature = guidToText(image, storeOffset);
  const storeSize = image.readUInt32LE(storeOffset + 16);
  const formatByte = image[storeOffset + 20]!;
  const stateByte = image[storeOffset + 21]!;
  let format: RecordFormat;
  if (signature === AUTHENTICATED_VARIABLE_GUID) format = "authenticated";
  else if (signature === VARIABLE_GUID) format = "plain";
  else if (image.subarray(storeOffset, storeOffset + 22).every((b) => b === 0xff)) {
    fail("E_OVMF_STORE_RAW", `the variable store at ${hex(storeOffset)} is erased (all 0xFF): the firmware formats it on first boot`);
  } else {
    fail("E_OVMF_STORE_SIGNATURE", `variable store signature ${signature} at ${hex(storeOffset)} is neither the authenticated (${AUTHENTICATED_VARIABLE_GUID}) nor the plain (${VARIABLE_GUID}) one`);
  }
  if (formatByte !== VARIABLE_STORE_FORMATTED) fail("E_OVMF_STORE_FORMAT", `variable store Format ${hex(formatByte)} is not VARIABLE_STORE_FORMATTED (0x5a)`);
  if (stateByte !== VARIABLE_STORE_HEALTHY) fail("E_OVMF_STORE_STATE", `variable store State ${hex(stateByte)} is not VARIABLE_STORE_HEALTHY (0xfe)`);
  const recordsOffset = headerAlign(storeOffset + VARIABLE_STORE_HEADER_SIZE);
  const storeEnd = storeOffset + storeSize;
  if (storeSize < VARIABLE_STORE_HEADER_SIZE || storeEnd > fv.fvLength || recordsOffset > storeEnd) {
    fail("E_OVMF_STORE_SIZE", `variable store Size ${hex(storeSize)} at ${hex(storeOffset)} does not fit the firmware volume (${hex(fv.fvLength)} bytes)`);
  }

  const hsize = headerSize(format);
  const walkEnd = headerAlign(storeEnd);
  const records: VarRecord[] = [];
  let at = recordsOffset;
  while (at < walkEnd && at + 2 <= storeEnd && startIdAt(image, at) === VARIABLE_START_ID) {
    if (at + hsize > storeEnd) fail("E_OVMF_VAR_BOUNDS", `variable header at ${hex(at)} runs past the end of the store (${hex(storeEnd)})`);
    const h = decodeRecordHeader(image, at, format);
    const nameAt = at + hsize;
    const dataAt = nameAt + h.nameSize;
    const end = dataAt + h.dataSize;
    if (end > storeEnd) {
      fail("E_OVMF_VAR_BOUNDS", `variable at ${hex(at)} (NameSize ${hex(h.nameSize)}, DataSize ${hex(h.dataSize)}) runs past the end of the store (${hex(storeEnd)})`);
    }
    const nameBytes = Buffer.from(image.subarray(nameAt, dataAt));
    const record: VarRecord = {
      offset: at,
      size: end - at,
      state: h.state,
      stateKind: classifyState(h.state),
      live: false,
      attributes: h.attributes,
      nameSize: h.nameSize,
      dataSize: h.dataSize,
      torn: h.torn,
      guid: h.guid,
      name: decodeName(nameBytes),
      nameBytes,
      data: Buffer.from(image.subarray(dataAt, end)),
    };
    if (h.auth !== undefined) record.auth = h.auth;
    records.push(record);
    at = headerAlign(end);
  }
  const freeOffset = Math.min(at, storeEnd);
  const freeSpaceClean = image.subarray(freeOffset, storeEnd).every((b) => b === 0xff);

  markLive(records);
  const variables = records.filter((r) => r.live).map(toStored);
  return {
    imageSize: image.length, fv, format, signature, storeOffset, storeSize, recordsOffset, storeEnd,
    freeOffset, freeSpaceClean, records, variables,
  };
}

function canBeLive(r: VarRecord): boolean {
  return !r.torn && r.nameSize > 0 && (r.stateKind === "added" || r.stateKind === "in-deleted-transition");
}

function markLive(records: VarRecord[]): void {
  const added = new Set<string>();
  for (const r of records) if (canBeLive(r) && r.stateKind === "added") added.add(keyOf(r.guid, r.nameBytes));
  for (const r of records) {
    if (!canBeLive(r)) continue;
    r.live = r.stateKind === "added" || !added.has(keyOf(r.guid, r.nameBytes));
  }
}

function toStored(r: VarRecord): StoredVariable {
  const v: StoredVariable = { name: r.name, guid: r.guid, attributes: r.attributes, data: r.data, offset: r.offset, state: r.state };
  if (r.auth !== undefined) v.auth = r.auth;
  return v;
}

/** The live variables: name, GUID, attributes and data. */
export function listVariables(store: VarStore): EfiVariable[] {
  return store.variables.map((v) => ({ name: v.name, guid: v.guid, attributes: v.attributes, data: v.data }));
}

/** What GetVariable would return: the first 0x3F copy, else the last 0x3E copy; or undefined. */
export function getVariable(store: VarStore, name: string, guid: string): StoredVariable | undefined {
  const key = keyOf(normalizeGuid(guid), encodeName(name));
  let inTransition: VarRecord | undefined;
  for (const r of store.records) {
    if (!canBeLive(r) || keyOf(r.guid, r.nameBytes) !== key) continue;
    if (r.stateKind === "added") return toStored(r);
    inTransition = r;
  }
  return inTransition === undefined ? undefined : toStored(inTransition);
}

function inputError(code: ErrorCode, message: string): never {
  throw new BootctlError(code, message);
}

function normalizeGuid(guid: string): string {
  if (!isGuidText(guid)) inputError("E_OVMF_VAR_GUID", `not a vendor GUID: '${guid}'`);
  return guid.toLowerCase();
}

function encodeName(name: string): Buffer {
  if (name.length === 0) inputError("E_OVMF_VAR_NAME", "a variable name cannot be empty");
  if (name.includes("\0")) inputError("E_OVMF_VAR_NAME", "a variable name cannot contain NUL");
  return Buffer.from(name + "\0", "utf16le");
}

const STORABLE_ATTRIBUTES = 0x2f; // NV|BS|RT|HR|TAW

function checkAttributes(attributes: number, format: RecordFormat): void {
  if (!Number.isInteger(attributes) || attributes < 0 || attributes > 0xffffffff) {
    inputError("E_OVMF_VAR_ATTRIBUTES", `attributes ${attributes} are not a 32-bit value`);
  }
  if ((attributes & EFI_VARIABLE_APPEND_WRITE) !== 0) inputError("E_OVMF_VAR_ATTRIBUTES", "APPEND_WRITE (0x40) is a SetVariable flag, not a stored attribute");
  if ((attributes & (EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS | EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS)) !== 0) {
    inputError("E_OVMF_VAR_ATTRIBUTES", "AUTHENTICATED_WRITE_ACCESS (0x10) and ENHANCED_AUTHENTICATED_ACCESS (0x80) are not supported by edk2");
  }
  const unknown = (attributes & ~STORABLE_ATTRIBUTES) >>> 0;
  if (unknown !== 0) inputError("E_OVMF_VAR_ATTRIBUTES", `unknown attribute bits ${hex(unknown)}`);
  if ((attributes & EFI_VARIABLE_NON_VOLATILE) === 0) inputError("E_OVMF_VAR_ATTRIBUTES", "only NON_VOLATILE (0x1) variables live in the NV store");
  if ((attributes & (EFI_VARIABLE_RUNTIME_ACCESS | EFI_VARIABLE_BOOTSERVICE_ACCESS)) === EFI_VARIABLE_RUNTIME_ACCESS) {
    inputError("E_OVMF_VAR_ATTRIBUTES", "RUNTIME_ACCESS (0x4) requires BOOTSERVICE_ACCESS (0x2)");
  }
  if (format === "plain" && (attributes & EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS) !== 0) {
    inputError("E_OVMF_VAR_ATTRIBUTES", "a plain (non-authenticated) store cannot hold TIME_BASED_AUTHENTICATED_WRITE_ACCESS variables");
  }
}

function sameAuth(a: AuthFields | undefined, b: AuthFields | undefined): boolean {
  const x = a ?? ZERO_AUTH;
  const y = b ?? ZERO_AUTH;
  const keys = Object.keys(ZERO_TIME) as (keyof EfiTime)[];
  return x.monotonicCount === y.monotonicCount && x.pubKeyIndex === y.pubKeyIndex &&
    keys.every((k) => x.timeStamp[k] === y.timeStamp[k]);
}

const ZERO_AUTH: AuthFields = { monotonicCount: 0n, timeStamp: ZERO_TIME, pubKeyIndex: 0 };

/** Add or replace a variable; see the module contract for what is written where. */
export function setVariable(bytes: Uint8Array, v: VariableInput): Buffer {
  const image = asBuffer(bytes);
  const store = readVarStore(image);
  const guid = normalizeGuid(v.guid);
  const nameBytes = encodeName(v.name);
  checkAttributes(v.attributes, store.format);
  if (v.data.length === 0) inputError("E_OVMF_VAR_EMPTY", `variable ${v.name}-${guid} has no data (UEFI deletes a variable set with size 0: use deleteVariable)`);
  if (v.auth !== undefined && store.format === "plain") inputError("E_OVMF_VAR_ATTRIBUTES", "authenticated-header fields given for a plain store");
  const key = keyOf(guid, nameBytes);

  const current = getVariable(store, v.name, guid);
  if (current !== undefined && current.attributes === v.attributes && current.data.equals(v.data) &&
      (store.format === "plain" || sameAuth(current.auth, v.auth))) {
    return Buffer.from(image);
  }

  const fields = { state: VAR_ADDED, attributes: v.attributes, guid, nameBytes, data: v.data, ...(v.auth ? { auth: v.auth } : {}) };
  let record: Buffer;
  try {
    record = encodeRecord(store.format, fields);
  } catch (e) {
    // Out-of-range authenticated-header fields (Buffer write bounds).
    throw new BootctlError("E_OVMF_VAR_AUTH", `authenticated-header fields of ${v.name}-${guid} are out of range: ${(e as Error).message}`);
  }
  const out = Buffer.from(image);
  if (store.freeSpaceClean && store.freeOffset + record.length <= store.storeEnd) {
    record.copy(out, store.freeOffset);
    for (const r of store.records) {
      if (r.live && keyOf(r.guid, r.nameBytes) === key) out[r.offset + 2] = r.state & VAR_IN_DELETED_TRANSITION & VAR_DELETED;
    }
    return out;
  }
  reclaimInto(out, image, store, key, record);
  return out;
}

/** Mark a variable deleted; see the module contract. */
export function deleteVariable(bytes: Uint8Array, name: string, guid: string): Buffer {
  const image = asBuffer(bytes);
  const store = readVarStore(image);
  const key = keyOf(normalizeGuid(guid), encodeName(name));
  const copies = store.records.filter((r) => r.live && keyOf(r.guid, r.nameBytes) === key);
  if (copies.length === 0) throw new BootctlError("E_OVMF_VAR_NOT_FOUND", `no variable ${name}-${guid.toLowerCase()} in the store`);
  const out = Buffer.from(image);
  for (const r of copies) out[r.offset + 2] = r.state & VAR_DELETED;
  return out;
}

/**
 * Rewrite [recordsOffset, storeEnd) of `out` as edk2's Reclaim would, dropping every copy of `key`,
 * then append `record`. Throws E_OVMF_STORE_FULL (leaving `out` untouched) when it cannot fit.
 */
function reclaimInto(out: Buffer, image: Buffer, store: VarStore, key: string, record: Buffer): void {
  const kept: { bytes: Buffer; promote: boolean }[] = [];
  for (const r of store.records) {
    if (r.live && r.stateKind === "added" && keyOf(r.guid, r.nameBytes) !== key) kept.push({ bytes: image.subarray(r.offset, r.offset + r.size), promote: false });
  }
  for (const r of store.records) {
    if (r.live && r.state === STATE_IN_TRANSITION && keyOf(r.guid, r.nameBytes) !== key) kept.push({ bytes: image.subarray(r.offset, r.offset + r.size), promote: true });
  }
  let needed = 0;
  for (const k of kept) needed = headerAlign(needed) + k.bytes.length;
  needed = headerAlign(needed) + record.length;
  const capacity = store.storeEnd - store.recordsOffset;
  if (needed > capacity) {
    throw new BootctlError("E_OVMF_STORE_FULL", `the variable store is full: live variables and the new one need ${needed} bytes, the store holds ${capacity}`);
  }
  const area = Buffer.alloc(capacity, 0xff);
  let at = 0;
  for (const k of kept) {
    k.bytes.copy(area, at);
    if (k.promote) area[at + 2] = VAR_ADDED;
    at = headerAlign(at + k.bytes.length);
  }
  record.copy(area, at);
  area.copy(out, store.recordsOffset);
}
