/**
 * Device-path text exactly as libefivar 37 prints it (`efidp_format_device_path`, src/dp*.c of
 * rhboot/efivar tag 37 = Debian 12's libefivar1, which efibootmgr 17 and 18 link against).
 * This is the text `efibootmgr -v` shows, so its quirks are reproduced on purpose:
 * - only the first instance is printed: formatting stops at the first End node of any subtype
 *   that is not the very first node (the End-Instance test compares the type with a subtype);
 * - IPv4 prints local and remote addresses with no separator and ports only when non-zero;
 * - IPv6 always prints ports and cuts the last character of the remote address (its buffers are
 *   sized from the remote text);
 * - `HD(%d,…)` prints the partition number as a signed int; unknown ACPI and media subtypes print
 *   only half of their body in hex;
 * - fields are read at their fixed offsets whatever the node's length says (bytes past the end
 *   of the given buffer read as zero here, where C reads whatever follows).
 * Numbers are lower-case hex without padding (`0x%x`); GUIDs are lower case.
 *
 * Known gaps (print as `Msg(N,hex)` here, differently from libefivar): messaging subtypes
 * Infiniband, USB class, USB WWID, iSCSI, SAS-Ex, DNS; vendor-messaging UART flow control and SAS
 * GUIDs; the ACPI NVDIMM root. Characters outside the Basic Multilingual Plane in File() names
 * and descriptions: libefivar encodes each UTF-16 unit separately (CESU-8).
 */
import { guidToText } from "./guids.ts";

/** Reads little-endian fields of the node at `base`; beyond the buffer, bytes read as 0. */
class NodeReader {
  constructor(readonly buf: Uint8Array, readonly base: number) {}
  u8(i: number): number {
    return this.buf[this.base + i] ?? 0;
  }
  u16(i: number): number {
    return this.u8(i) | (this.u8(i + 1) << 8);
  }
  u32(i: number): number {
    return (this.u16(i) | (this.u16(i + 2) << 16)) >>> 0;
  }
  i32(i: number): number {
    return this.u32(i) | 0;
  }
  u64(i: number): bigint {
    return BigInt(this.u32(i)) | (BigInt(this.u32(i + 4)) << 32n);
  }
  u64be(i: number): bigint {
    let v = 0n;
    for (let k = 0; k < 8; k++) v = (v << 8n) | BigInt(this.u8(i + k));
    return v;
  }
  bytes(i: number, n: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < n; k++) out.push(this.u8(i + k));
    return out;
  }
  guid(i: number): string {
    return guidToText(Uint8Array.from(this.bytes(i, 16)));
  }
  /** A C string starting at `i`, at most `max` bytes (NUL ends it earlier). */
  cstr(i: number, max = Infinity): string {
    const out: number[] = [];
    for (let k = 0; k < max; k++) {
      const c = this.u8(i + k);
      if (c === 0 || this.base + i + k >= this.buf.length) break;
      out.push(c);
    }
    return Buffer.from(out).toString("latin1");
  }
  get length(): number {
    return this.u16(2);
  }
}

const hex = (n: number | bigint): string => n.toString(16);
const hexBytes = (bytes: number[], sep = ""): string => bytes.map((b) => b.toString(16).padStart(2, "0")).join(sep);
const HEX2U = (b: number): string => b.toString(16).toUpperCase().padStart(2, "0");

/** Convert UTF-16 code units to text the way libefivar's ucs2_to_utf8 does (stops at NUL). */
function ucs2UnitsToText(units: readonly number[]): string {
  let out = "";
  for (const u of units) {
    if (u === 0) break;
    out += String.fromCharCode(u);
  }
  return out;
}

const PNP = (id: number): number => (0x41d0 | (id << 16)) >>> 0;

const EDD10_GUID = "cf31fac5-c24e-11d2-85f3-00a0c93ec93b";
const MSG_VENDOR_LABELS: Record<string, string> = {
  "e0c14753-f9be-11d2-9a0c-0090273fc14d": "VenPcAnsi",
  "dfa66065-b419-11d3-9a2d-0090273fc14d": "VenVt100",
  "7baec70b-57e0-4c76-8e87-2f9e28088343": "VenVt100Plus",
  "ad15a0d6-8bec-4acf-a073-d01de77e2d88": "VenUtf8",
  "eba4e8d2-3858-41ec-a281-2647ba9660d0": "DebugPort",
};
const RAMDISK_LABELS: Record<string, string> = {
  "77ab535a-45fc-624b-5560-f7b281d1f96e": "VirtualDisk",
  "3d5abd30-4175-87ce-6d64-d2ade523c4bb": "VirtualCD",
  "5cea02c9-4d07-69d3-269f-4496fbe096f9": "PersistentVirtualDisk",
  "08018188-42cd-bb48-100f-5387d53ded3d": "PersistentVirtualCD",
};

function vendor(label: string, r: NodeReader): string {
  const bytes = r.length - 20;
  return `${label}(${r.guid(4)}${bytes > 0 ? "," + hexBytes(r.bytes(20, bytes)) : ""})`;
}

function ipv4Addr(r: NodeReader, at: number, port: number): string {
  return r.bytes(at, 4).join(".") + (port > 0 ? `:${port}` : "");
}

/** libefivar's IPv6 text: RFC 5952-ish `::` compression with its own zero-run bookkeeping. */
function ipv6Addr(r: NodeReader, at: number, port: number): string {
  const ip: number[] = [];
  for (let i = 0; i < 8; i++) ip.push(r.u16(at + i * 2));
  let largestSize = 0, largestOffset = -1, thisSize = 0, thisOffset = -1, inZero = false;
  for (let i = 0; i < 8; i++) {
    if (ip[i] !== 0 && inZero && thisSize > largestSize) {
      largestSize = thisSize;
      largestOffset = thisOffset;
      thisSize = 0;
      thisOffset = -1;
      inZero = false;
    }
    if (ip[i] === 0) {
      if (!inZero) {
        inZero = true;
        thisOffset = i;
      }
      thisSize++;
    }
  }
  if (thisSize > largestSize) {
    largestSize = thisSize;
    largestOffset = thisOffset;
  }
  if (largestSize === 1) largestOffset = -1;
  let out = "[";
  for (let i = 0; i < 8; i++) {
    if (largestOffset === i) {
      out += "::";
      i += largestSize - 1;
      continue;
    } else if (i > 0) out += ":";
    out += hex(ip[i]!);
  }
  return out + "]" + (port >= 0 ? `:${port}` : "");
}

function hardware(r: NodeReader, subType: number): string {
  switch (subType) {
    case 0x01: return `Pci(0x${hex(r.u8(5))},0x${hex(r.u8(4))})`;
    case 0x02: return `PcCard(0x${hex(r.u8(4))})`;
    case 0x03: return `MemoryMapped(${r.u32(4)},0x${hex(r.u64(8))},0x${hex(r.u64(16))})`;
    case 0x04: return r.guid(4) === EDD10_GUID ? `EDD10(0x${hex(r.u32(20))})` : vendor("VenHw", r);
    case 0x05: return `Ctrl(0x${hex(r.u32(4))})`;
    case 0x06: return `BMC(${r.u8(4)},0x${hex(r.u64(5))})`;
    default: return `HardwarePath(${subType},${hexBytes(r.bytes(4, r.length - 4))})`;
  }
}

function acpiHidEx(r: NodeReader, hidstr: string, cidstr: string | undefined, uidstr: string | undefined): string {
  return `AcpiEx(${hidstr},${cidstr ?? `0x${hex(r.u32(12))}`},${uidstr ?? `0x${hex(r.u32(8))}`})`;
}

function acpi(r: NodeReader, subType: number): string {
  if (subType === 0x03) {
    const n = Math.floor((r.length - 4) / 4);
    const adrs: string[] = [];
    for (let i = 0; i < n; i++) adrs.push(`0x${hex(r.u32(4 + i * 4))}`);
    return `AcpiAdr(${adrs.join(",")})`;
  }
  if (subType !== 0x01 && subType !== 0x02) {
    return `AcpiPath(${subType},${hexBytes(r.bytes(4, Math.floor((r.length - 4) / 2)))})`;
  }
  const hid = r.u32(4);
  if (subType === 0x02) {
    let limit = r.length - 16;
    const hidstr = r.cstr(16, Math.max(limit, 0));
    limit -= hidstr.length + 1;
    let uidstr: string | undefined;
    let cidstr: string | undefined;
    if (limit) {
      uidstr = r.cstr(16 + hidstr.length + 1, Math.max(limit, 0));
      limit -= uidstr.length + 1;
    }
    if (limit) cidstr = r.cstr(16 + hidstr.length + 1 + (uidstr?.length ?? 0) + 1);
    if (uidstr === undefined) return "";
    if (hid === PNP(0x0a03)) return `PciRoot(${uidstr})`;
    if (hid === PNP(0x0a05) || hid === PNP(0x0a06)) return `AcpiContainer(${uidstr})`;
    if (hid === PNP(0x0a08)) return `PcieRoot(${uidstr})`;
    if (hid === PNP(0x0a09)) return "EmbeddedController()";
    return acpiHidEx(r, hidstr, cidstr, uidstr);
  }
  const uid = r.u32(8);
  switch (hid) {
    case PNP(0x0a03): return `PciRoot(0x${hex(uid)})`;
    case PNP(0x0a05): case PNP(0x0a06): return "AcpiContainer()";
    case PNP(0x0a08): return `PcieRoot(0x${hex(uid)})`;
    case PNP(0x0a09): return "EmbeddedController()";
    case PNP(0x0604): return `Floppy(0x${hex(uid)})`;
    case PNP(0x0301): return `Keyboard(0x${hex(uid)})`;
    case PNP(0x0501): return `Serial(0x${hex(uid)})`;
    default: return `Acpi(0x${hex(hid).padStart(8, "0")},0x${hex(uid)})`;
  }
}

function messaging(r: NodeReader, subType: number): string {
  switch (subType) {
    case 0x01: return `Ata(${r.u8(4)},${r.u8(5)},${r.u16(6)})`;
    case 0x02: return `SCSI(${r.u16(4)},${r.u16(6)})`;
    case 0x03: return `Fibre(${hex(r.u64(8))},${hex(r.u64(16))})`;
    case 0x15: return `Fibre(${hex(r.u64be(8))},${hex(r.u64be(16))})`;
    case 0x04: return `I1394(0x${hex(r.u64(8))})`;
    case 0x05: return `USB(${r.u8(4)},${r.u8(5)})`;
    case 0x06: return `I2O(${r.i32(4)})`;
    case 0x0b: {
      const ifType = r.u8(36);
      return `MAC(${hexBytes(r.bytes(4, ifType < 2 ? 6 : 32))},${ifType})`;
    }
    case 0x0c:
      return `IPv4(${ipv4Addr(r, 4, r.u16(12))}${ipv4Addr(r, 8, r.u16(14))},${hex(r.u16(16))},${hex(r.u8(18))})`;
    case 0x0a: {
      const label = MSG_VENDOR_LABELS[r.guid(4)];
      if (label === undefined) return vendor("VenMsg", r);
      return `${label}(${r.length > 20 ? hexBytes(r.bytes(20, r.length - 20)) : ""})`;
    }
    case 0x0d: {
      const local = ipv6Addr(r, 4, r.u16(36));
      const remote = ipv6Addr(r, 20, r.u16(38));
      // Both texts go through buffers sized from the remote text's length (see file comment).
      const size = remote.length;
      return `IPv6(${local.slice(0, Math.max(size - 1, 0))}<->${remote.slice(0, Math.max(size - 1, 0))},${hex(r.u16(40))},${hex(r.u8(42))})`;
    }
    case 0x0e: {
      const baud = r.u64(8);
      const dataBits = r.u8(16);
      const parity = r.u8(17);
      const stopBits = r.u8(18);
      const parityText = parity > 5 ? String(parity) : "DNEOMS"[parity]!;
      const stopText = stopBits > 3 ? String(stopBits) : ["D", "1", "1.5", "2"][stopBits]!;
      return `Uart(${baud === 0n ? 115200 : baud},${dataBits === 0 ? 8 : dataBits},${parityText},${stopText})`;
    }
    case 0x11: return `Unit(${r.u8(4)})`;
    case 0x12: return `Sata(${r.u16(4)},${r.u16(6)},${r.u16(8)})`;
    case 0x14: return `Vlan(${r.u16(4)})`;
    case 0x17:
      return `NVMe(0x${hex(r.u32(4))},${r.bytes(8, 8).map(HEX2U).join("-")})`;
    case 0x18: return `Uri(${r.cstr(4, Math.max(r.length - 4, 0))})`;
    case 0x19: return `UFS(${r.u8(4)},0x${r.u8(5).toString(16).padStart(2, "0")})`;
    case 0x1a: return `SD(${r.u8(4)})`;
    case 0x1b: return `Bluetooth(${hexBytes(r.bytes(4, 6), ":")})`;
    case 0x1c: return `Wi-Fi(${hexBytes(r.bytes(4, 32), ":")})`;
    case 0x1d: return `eMMC(${r.u8(4)})`;
    case 0x1e: return `BluetoothLE(${hexBytes(r.bytes(4, 6), ":")},${r.u8(10)})`;
    case 0x20: return `NVDIMM(${r.guid(4)})`;
    default: return `Msg(${subType},${hexBytes(r.bytes(4, r.length - 4))})`;
  }
}

function fileName(r: NodeReader): string {
  const limit = Math.floor((r.length - 4) / 2);
  const units: number[] = [];
  for (let i = 0; i < limit - 1; i++) units.push(r.u16(4 + i * 2));
  return ucs2UnitsToText(units);
}

function media(r: NodeReader, subType: number): string {
  switch (subType) {
    case 0x01: {
      const head = `HD(${r.i32(4)},`;
      const tail = `,0x${hex(r.u64(8))},0x${hex(r.u64(16))})`;
      const sigType = r.u8(41);
      if (sigType === 1) return `${head}MBR,0x${hex(r.u32(24))}${tail}`;
      if (sigType === 2) return `${head}GPT,${r.guid(24)}${tail}`;
      return `${head}${sigType},${hexBytes(r.bytes(24, 16))}${tail}`;
    }
    case 0x02: return `CDROM(${r.i32(4)},0x${hex(r.u64(8))},0x${hex(r.u64(16))})`;
    case 0x03: return vendor("VenMedia", r);
    case 0x04: return `File(${fileName(r)})`;
    case 0x05: return `Media(${r.guid(4)})`;
    case 0x06: return `FvFile(${r.guid(4)})`;
    case 0x07: return `FvVol(${r.guid(4)})`;
    case 0x08: return `Offset(0x${hex(r.u64(8))},0x${hex(r.u64(16))})`;
    case 0x09: {
      const guid = r.guid(20);
      const label = RAMDISK_LABELS[guid];
      const head = `0x${hex(r.u64(4))},0x${hex(r.u64(12))},${r.u16(36)}`;
      return label !== undefined ? `${label}(${head})` : `Ramdisk(${head},${guid})`;
    }
    default: return `MediaPath(${subType},${hexBytes(r.bytes(4, Math.floor((r.length - 4) / 2)))})`;
  }
}

function biosBoot(r: NodeReader, subType: number): string {
  if (subType !== 0x01) return `BbsPath(${subType},${hexBytes(r.bytes(4, r.length - 4))})`;
  const types = ["", "Floppy", "HD", "CDROM", "PCMCIA", "USB", "Network", ""];
  const deviceType = r.u16(4);
  const description = r.cstr(8);
  const status = hex(r.u16(6));
  return deviceType > 0 && deviceType < 7 ? `BBS(${types[deviceType]},${description},0x${status})` : `BBS(${deviceType},${description},0x${status})`;
}

/** The text of one node (libefivar's per-type formatters). */
function formatNode(buf: Uint8Array, offset: number): string {
  const r = new NodeReader(buf, offset);
  const type = r.u8(0);
  const subType = r.u8(1);
  switch (type) {
    case 0x01: return hardware(r, subType);
    case 0x02: return acpi(r, subType);
    case 0x03: return messaging(r, subType);
    case 0x04: return media(r, subType);
    case 0x05: return biosBoot(r, subType);
    case 0x7f: return subType === 0x01 ? "," : "";
    default: return `Path(${type},${subType},${hexBytes(r.bytes(4, r.length - 4))})`;
  }
}

/**
 * `efidp_format_device_path(buf, size, dp, limit)`: the text of the device path starting at
 * `offset`, reading at most `limit` bytes. `undefined` where libefivar returns an error (the
 * first node does not fit, or a node other than End-Entire has a length below 4), which makes
 * efibootmgr exit with "Could not parse device path".
 */
export function formatDevicePath(buf: Uint8Array, offset: number, limit: number): string | undefined {
  let out = "";
  let first = true;
  let at = offset;
  while (limit !== 0) {
    const r = new NodeReader(buf, at);
    const length = r.length;
    const nodeSize = length < 4 ? -1 : length;
    if (limit >= 0 && (limit < 4 || nodeSize > limit)) return out.length > 0 ? out : undefined;
    const type = r.u8(0);
    const subType = r.u8(1);
    if (first) first = false;
    else if (type === 0x7f) return out;
    else out += "/";
    if (nodeSize < 0 && type !== 0x7f) return undefined;
    out += formatNode(buf, at);
    limit -= nodeSize;
    if (type === 0x7f && subType === 0xff) continue; // efidp_next_node() stays on End-Entire
    if (nodeSize < 0) return undefined;
    at += nodeSize;
  }
  return out;
}

/** Text of a whole device path buffer (our own paths, e.g. after encoding). */
export function devicePathText(bytes: Uint8Array): string {
  return formatDevicePath(bytes, 0, bytes.length) ?? "";
}
