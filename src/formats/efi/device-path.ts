/**
 * UEFI device paths (UEFI spec 2.10 §10.3; edk2 MdePkg/Include/Protocol/DevicePath.h): a packed
 * list of nodes, each `Type u8, SubType u8, Length u16 LE` (Length counts the 4-byte header)
 * followed by the body. A path ends with End-Entire (7f/ff); End-Instance (7f/01) separates the
 * instances of a multi-instance path.
 *
 * Contract:
 * - `decodeDevicePath(bytes)` walks the nodes (binary-parser reads headers and bodies). A node
 *   whose length is below 4 or runs past the buffer, or a list that does not end with
 *   End-Entire, is a `ParseError` (E_DEVPATH_*): lengths that lie are caught, never trusted.
 * - Node kinds we know are returned typed; any other node, and any known node whose bytes are not
 *   exactly what our encoder would write (odd length, trailing bytes, unterminated string), is
 *   kept as `{kind: "raw"}` with its body untouched. So `encodeDevicePath(decodeDevicePath(x))`
 *   is byte-for-byte `x` for every input that decodes.
 * - Encoding is plain Buffer code (binary-parser has no encoder).
 */
import { Parser } from "binary-parser";
import { ParseError } from "../../errors.ts";
import { guidToBytes, guidToText } from "./guids.ts";
import { decodeUcs2zTerminated } from "./ucs2.ts";

export const DP_HARDWARE = 0x01;
export const DP_ACPI = 0x02;
export const DP_MESSAGING = 0x03;
export const DP_MEDIA = 0x04;
export const DP_BIOS_BOOT = 0x05;
export const DP_END = 0x7f;
export const DP_END_ENTIRE = 0xff;
export const DP_END_INSTANCE = 0x01;

/** EISA id of PNP0A03 (PCI root bridge): `PciRoot(uid)` in text. */
export const ACPI_PCI_ROOT_HID = 0x0a0341d0;

export type VendorNodeType = "hardware" | "messaging" | "media";

export type DevicePathNode =
  | { kind: "pci"; device: number; function: number }
  | { kind: "acpi"; hid: number; uid: number }
  | { kind: "vendor"; nodeType: VendorNodeType; guid: string; data: Buffer }
  | { kind: "sata"; hbaPort: number; portMultiplierPort: number; lun: number }
  | { kind: "nvme"; namespaceId: number; eui64: Buffer }
  | { kind: "mac"; address: Buffer; ifType: number }
  | {
      kind: "ipv4"; local: Buffer; remote: Buffer; localPort: number; remotePort: number;
      protocol: number; staticIp: number; gateway: Buffer; subnetMask: Buffer;
    }
  | {
      kind: "ipv6"; local: Buffer; remote: Buffer; localPort: number; remotePort: number;
      protocol: number; originType: number; prefixLength: number; gateway: Buffer;
    }
  | { kind: "uri"; uri: string }
  | {
      kind: "hd"; partitionNumber: number; partitionStart: bigint; partitionSize: bigint;
      /** 16 bytes: the GPT partition GUID as stored, or the MBR disk signature in bytes 0..3. */
      signature: Buffer; mbrType: number; signatureType: number;
    }
  | { kind: "file"; path: string }
  | { kind: "fvFile"; guid: string }
  | { kind: "fvVol"; guid: string }
  | { kind: "end"; subType: number }
  | { kind: "raw"; type: number; subType: number; body: Buffer };

/** HD() MBRType / SignatureType values (UEFI spec §10.3.5.1). */
export const HD_MBR_TYPE_PCAT = 1;
export const HD_MBR_TYPE_GPT = 2;
export const HD_SIGNATURE_NONE = 0;
export const HD_SIGNATURE_MBR = 1;
export const HD_SIGNATURE_GUID = 2;

const header = new Parser().uint8("type").uint8("subType").uint16le("length");

const bodies = {
  pci: new Parser().uint8("function").uint8("device"),
  acpi: new Parser().uint32le("hid").uint32le("uid"),
  vendor: new Parser().buffer("guid", { length: 16 }).buffer("data", { readUntil: "eof" }),
  sata: new Parser().uint16le("hbaPort").uint16le("portMultiplierPort").uint16le("lun"),
  nvme: new Parser().uint32le("namespaceId").buffer("eui64", { length: 8 }),
  mac: new Parser().buffer("address", { length: 32 }).uint8("ifType"),
  ipv4: new Parser()
    .buffer("local", { length: 4 }).buffer("remote", { length: 4 })
    .uint16le("localPort").uint16le("remotePort").uint16le("protocol").uint8("staticIp")
    .buffer("gateway", { length: 4 }).buffer("subnetMask", { length: 4 }),
  ipv6: new Parser()
    .buffer("local", { length: 16 }).buffer("remote", { length: 16 })
    .uint16le("localPort").uint16le("remotePort").uint16le("protocol").uint8("originType")
    .uint8("prefixLength").buffer("gateway", { length: 16 }),
  hd: new Parser()
    .uint32le("partitionNumber").uint64le("partitionStart").uint64le("partitionSize")
    .buffer("signature", { length: 16 }).uint8("mbrType").uint8("signatureType"),
  guid: new Parser().buffer("guid", { length: 16 }),
  // UTF-16LE up to and including the first NUL code unit (binary-parser has no UTF-16 string type).
};

/** Fixed body sizes of the typed nodes (node length minus the 4-byte header). */
const FIXED_BODY: Record<string, number> = {
  pci: 2, acpi: 8, sata: 6, nvme: 12, mac: 33, ipv4: 23, ipv6: 56, hd: 38, fvFile: 16, fvVol: 16, end: 0,
};

function kindOf(type: number, subType: number): DevicePathNode["kind"] {
  switch ((type << 8) | subType) {
    case 0x0101: return "pci";
    case 0x0104: return "vendor";
    case 0x0201: return "acpi";
    case 0x030a: return "vendor";
    case 0x030b: return "mac";
    case 0x030c: return "ipv4";
    case 0x030d: return "ipv6";
    case 0x0312: return "sata";
    case 0x0317: return "nvme";
    case 0x0318: return "uri";
    case 0x0401: return "hd";
    case 0x0403: return "vendor";
    case 0x0404: return "file";
    case 0x0406: return "fvFile";
    case 0x0407: return "fvVol";
    case 0x7f01: case 0x7fff: return "end";
    default: return "raw";
  }
}

const VENDOR_TYPES: Record<number, VendorNodeType> = { [DP_HARDWARE]: "hardware", [DP_MESSAGING]: "messaging", [DP_MEDIA]: "media" };

function typedNode(type: number, subType: number, body: Buffer): DevicePathNode | undefined {
  const kind = kindOf(type, subType);
  const fixed = FIXED_BODY[kind];
  if (fixed !== undefined && body.length !== fixed) return undefined;
  switch (kind) {
    case "pci": {
      const r = bodies.pci.parse(body);
      return { kind, device: r.device, function: r.function };
    }
    case "acpi": {
      const r = bodies.acpi.parse(body);
      return { kind, hid: r.hid, uid: r.uid };
    }
    case "vendor": {
      if (body.length < 16) return undefined;
      const r = bodies.vendor.parse(body);
      return { kind, nodeType: VENDOR_TYPES[type]!, guid: guidToText(r.guid), data: Buffer.from(r.data) };
    }
    case "sata": {
      const r = bodies.sata.parse(body);
      return { kind, hbaPort: r.hbaPort, portMultiplierPort: r.portMultiplierPort, lun: r.lun };
    }
    case "nvme": {
      const r = bodies.nvme.parse(body);
      return { kind, namespaceId: r.namespaceId, eui64: Buffer.from(r.eui64) };
    }
    case "mac": {
      const r = bodies.mac.parse(body);
      return { kind, address: Buffer.from(r.address), ifType: r.ifType };
    }
    case "ipv4": {
      const r = bodies.ipv4.parse(body);
      return {
        kind, local: Buffer.from(r.local), remote: Buffer.from(r.remote), localPort: r.localPort, remotePort: r.remotePort,
        protocol: r.protocol, staticIp: r.staticIp, gateway: Buffer.from(r.gateway), subnetMask: Buffer.from(r.subnetMask),
      };
    }
    case "ipv6": {
      const r = bodies.ipv6.parse(body);
      return {
        kind, local: Buffer.from(r.local), remote: Buffer.from(r.remote), localPort: r.localPort, remotePort: r.remotePort,
        protocol: r.protocol, originType: r.originType, prefixLength: r.prefixLength, gateway: Buffer.from(r.gateway),
      };
    }
    case "uri":
      return { kind, uri: body.toString("utf8") };
    case "hd": {
      const r = bodies.hd.parse(body);
      return {
        kind, partitionNumber: r.partitionNumber, partitionStart: r.partitionStart, partitionSize: r.partitionSize,
        signature: Buffer.from(r.signature), mbrType: r.mbrType, signatureType: r.signatureType,
      };
    }
    case "file": {
      if (body.length < 2 || body.length % 2 !== 0) return undefined;
      const file = decodeUcs2zTerminated(body);
      return file === undefined ? undefined : { kind, path: file }; // undefined: no NUL terminator
    }
    case "fvFile":
    case "fvVol":
      return { kind, guid: guidToText(bodies.guid.parse(body).guid) };
    case "end":
      return { kind, subType };
    default:
      return undefined;
  }
}

/** One node: its header fields and body, as found at `offset` (no validation of the kind). */
export interface RawNode {
  type: number;
  subType: number;
  /** Offset of the node in the buffer that was walked. */
  offset: number;
  /** The node's bytes, header included. */
  bytes: Buffer;
}

/**
 * Split `bytes` into nodes, checking every length. Throws ParseError E_DEVPATH_TRUNCATED /
 * E_DEVPATH_NODE_LENGTH when a header or a length does not fit.
 */
export function walkDevicePath(bytes: Uint8Array): RawNode[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const nodes: RawNode[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (buf.length - offset < 4) {
      throw new ParseError("E_DEVPATH_TRUNCATED", `device path node header at byte ${offset} is cut off (${buf.length - offset} of 4 bytes)`, { line: 1 });
    }
    const h = header.parse(buf.subarray(offset, offset + 4));
    if (h.length < 4) {
      throw new ParseError("E_DEVPATH_NODE_LENGTH", `device path node at byte ${offset} claims length ${h.length}, less than its 4-byte header`, { line: 1 });
    }
    if (h.length > buf.length - offset) {
      throw new ParseError("E_DEVPATH_NODE_LENGTH", `device path node at byte ${offset} claims length ${h.length}, but only ${buf.length - offset} bytes remain`, { line: 1 });
    }
    nodes.push({ type: h.type, subType: h.subType, offset, bytes: buf.subarray(offset, offset + h.length) });
    offset += h.length;
  }
  return nodes;
}

/** Decode one node from its bytes (header included); unknown or non-canonical nodes stay raw. */
export function decodeNode(raw: RawNode): DevicePathNode {
  const body = raw.bytes.subarray(4);
  const typed = typedNode(raw.type, raw.subType, body);
  if (typed !== undefined && encodeNode(typed).equals(raw.bytes)) return typed;
  return { kind: "raw", type: raw.type, subType: raw.subType, body: Buffer.from(body) };
}

/**
 * Decode a device path (or a FilePathList: several paths back to back). The bytes must be used up
 * exactly by whole nodes and the last node must be End-Entire.
 */
export function decodeDevicePath(bytes: Uint8Array): DevicePathNode[] {
  const raw = walkDevicePath(bytes);
  const last = raw[raw.length - 1];
  if (!last || last.type !== DP_END || last.subType !== DP_END_ENTIRE) {
    throw new ParseError("E_DEVPATH_NO_END", "device path does not end with an End-Entire node (7f ff 04 00)", { line: 1 });
  }
  return raw.map(decodeNode);
}

function nodeBytes(type: number, subType: number, body: Uint8Array): Buffer {
  const length = 4 + body.length;
  if (length > 0xffff) throw new RangeError(`device path node too long (${length} bytes)`);
  const out = Buffer.alloc(length);
  out.writeUInt8(type, 0);
  out.writeUInt8(subType, 1);
  out.writeUInt16LE(length, 2);
  out.set(body, 4);
  return out;
}

function fixedBytes(buf: Buffer, length: number, what: string): Buffer {
  if (buf.length !== length) throw new RangeError(`${what} must be ${length} bytes, got ${buf.length}`);
  return buf;
}

/** Encode one node. Throws RangeError for values that do not fit their fields. */
export function encodeNode(node: DevicePathNode): Buffer {
  switch (node.kind) {
    case "pci":
      return nodeBytes(DP_HARDWARE, 0x01, Buffer.from([node.function, node.device]));
    case "acpi": {
      const b = Buffer.alloc(8);
      b.writeUInt32LE(node.hid >>> 0, 0);
      b.writeUInt32LE(node.uid >>> 0, 4);
      return nodeBytes(DP_ACPI, 0x01, b);
    }
    case "vendor": {
      const type = node.nodeType === "hardware" ? DP_HARDWARE : node.nodeType === "messaging" ? DP_MESSAGING : DP_MEDIA;
      const subType = node.nodeType === "hardware" ? 0x04 : node.nodeType === "messaging" ? 0x0a : 0x03;
      return nodeBytes(type, subType, Buffer.concat([guidToBytes(node.guid), node.data]));
    }
    case "sata": {
      const b = Buffer.alloc(6);
      b.writeUInt16LE(node.hbaPort, 0);
      b.writeUInt16LE(node.portMultiplierPort, 2);
      b.writeUInt16LE(node.lun, 4);
      return nodeBytes(DP_MESSAGING, 0x12, b);
    }
    case "nvme": {
      const b = Buffer.alloc(12);
      b.writeUInt32LE(node.namespaceId >>> 0, 0);
      fixedBytes(node.eui64, 8, "NVMe EUI-64").copy(b, 4);
      return nodeBytes(DP_MESSAGING, 0x17, b);
    }
    case "mac":
      return nodeBytes(DP_MESSAGING, 0x0b, Buffer.concat([fixedBytes(node.address, 32, "MAC address field"), Buffer.from([node.ifType])]));
    case "ipv4": {
      const b = Buffer.alloc(23);
      fixedBytes(node.local, 4, "IPv4 address").copy(b, 0);
      fixedBytes(node.remote, 4, "IPv4 address").copy(b, 4);
      b.writeUInt16LE(node.localPort, 8);
      b.writeUInt16LE(node.remotePort, 10);
      b.writeUInt16LE(node.protocol, 12);
      b.writeUInt8(node.staticIp, 14);
      fixedBytes(node.gateway, 4, "IPv4 gateway").copy(b, 15);
      fixedBytes(node.subnetMask, 4, "IPv4 subnet mask").copy(b, 19);
      return nodeBytes(DP_MESSAGING, 0x0c, b);
    }
    case "ipv6": {
      const b = Buffer.alloc(56);
      fixedBytes(node.local, 16, "IPv6 address").copy(b, 0);
      fixedBytes(node.remote, 16, "IPv6 address").copy(b, 16);
      b.writeUInt16LE(node.localPort, 32);
      b.writeUInt16LE(node.remotePort, 34);
      b.writeUInt16LE(node.protocol, 36);
      b.writeUInt8(node.originType, 38);
      b.writeUInt8(node.prefixLength, 39);
      fixedBytes(node.gateway, 16, "IPv6 gateway").copy(b, 40);
      return nodeBytes(DP_MESSAGING, 0x0d, b);
    }
    case "uri":
      return nodeBytes(DP_MESSAGING, 0x18, Buffer.from(node.uri, "utf8"));
    case "hd": {
      const b = Buffer.alloc(38);
      b.writeUInt32LE(node.partitionNumber >>> 0, 0);
      b.writeBigUInt64LE(node.partitionStart, 4);
      b.writeBigUInt64LE(node.partitionSize, 12);
      fixedBytes(node.signature, 16, "HD signature").copy(b, 20);
      b.writeUInt8(node.mbrType, 36);
      b.writeUInt8(node.signatureType, 37);
      return nodeBytes(DP_MEDIA, 0x01, b);
    }
    case "file":
      return nodeBytes(DP_MEDIA, 0x04, Buffer.from(node.path + "\0", "utf16le"));
    case "fvFile":
      return nodeBytes(DP_MEDIA, 0x06, guidToBytes(node.guid));
    case "fvVol":
      return nodeBytes(DP_MEDIA, 0x07, guidToBytes(node.guid));
    case "end":
      return nodeBytes(DP_END, node.subType, Buffer.alloc(0));
    case "raw":
      return nodeBytes(node.type, node.subType, node.body);
  }
}

/** Encode nodes back to back (add the End-Entire node yourself, or use `withEnd`). */
export function encodeDevicePath(nodes: readonly DevicePathNode[]): Buffer {
  return Buffer.concat(nodes.map(encodeNode));
}

/** `nodes` followed by End-Entire. */
export function withEnd(nodes: readonly DevicePathNode[]): DevicePathNode[] {
  return [...nodes, { kind: "end", subType: DP_END_ENTIRE }];
}

/** An HD() node for a GPT partition (what `efibootmgr -c` and `bootctl install` write). */
export function gptHardDriveNode(partitionNumber: number, startLba: bigint, sizeLba: bigint, partitionGuid: string): DevicePathNode {
  return {
    kind: "hd", partitionNumber, partitionStart: startLba, partitionSize: sizeLba,
    signature: guidToBytes(partitionGuid), mbrType: HD_MBR_TYPE_GPT, signatureType: HD_SIGNATURE_GUID,
  };
}
