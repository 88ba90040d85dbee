/**
 * A writer for the cpio "newc" format (SVR4 without CRC, magic 070701), the format the Linux kernel
 * unpacks as an initramfs (Documentation/driver-api/early-userspace/buffer-format.rst). Written
 * here rather than by staging a tree for `cpio -o`: device nodes need no root (no mknod), and the
 * archive is byte-for-byte reproducible (all times 0, owner root).
 *
 * Each member: a 110-byte ASCII header of 13 eight-digit hex fields after the magic, the NUL-
 * terminated name padded so header+name is a multiple of 4, then the data padded to a multiple of 4.
 * The archive ends with a member named TRAILER!!!.
 */
export type CpioMember =
  | { kind: "dir"; path: string; mode?: number }
  | { kind: "file"; path: string; data: Buffer | string; mode?: number }
  | { kind: "symlink"; path: string; target: string }
  | { kind: "chardev"; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`cpio field out of range: ${n}`);
  return n.toString(16).padStart(8, "0");
}

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

function header(ino: number, mode: number, nlink: number, size: number, rdev: [number, number], nameSize: number): string {
  //   magic   ino       mode       uid      gid      nlink       mtime    filesize  devmajor devminor rdevmajor    rdevminor    namesize        check
  return "070701" + hex8(ino) + hex8(mode) + hex8(0) + hex8(0) + hex8(nlink) + hex8(0) + hex8(size) + hex8(0) + hex8(0) + hex8(rdev[0]) + hex8(rdev[1]) + hex8(nameSize) + hex8(0);
}

function member(ino: number, name: string, mode: number, nlink: number, data: Buffer, rdev: [number, number] = [0, 0]): Buffer {
  const nameBytes = Buffer.from(name + "\0", "utf8");
  const head = Buffer.from(header(ino, mode, nlink, data.length, rdev, nameBytes.length), "ascii");
  return Buffer.concat([head, nameBytes, pad4(head.length + nameBytes.length), data, pad4(data.length)]);
}

/** The archive for `members`, in the order given (parents must precede their children). */
export function writeNewc(members: readonly CpioMember[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const m of members) {
    const name = m.path.replace(/^\/+/, "");
    if (name === "") throw new RangeError("cpio member with an empty path");
    switch (m.kind) {
      case "dir":
        parts.push(member(ino++, name, S_IFDIR | (m.mode ?? 0o755), 2, Buffer.alloc(0)));
        break;
      case "file":
        parts.push(member(ino++, name, S_IFREG | (m.mode ?? 0o644), 1, typeof m.data === "string" ? Buffer.from(m.data, "utf8") : m.data));
        break;
      case "symlink":
        parts.push(member(ino++, name, S_IFLNK | 0o777, 1, Buffer.from(m.target, "utf8")));
        break;
      case "chardev":
        parts.push(member(ino++, name, S_IFCHR | (m.mode ?? 0o600), 1, Buffer.alloc(0), [m.major, m.minor]));
        break;
    }
  }
  parts.push(member(0, "TRAILER!!!", 0, 1, Buffer.alloc(0)));
  return Buffer.concat(parts);
}
