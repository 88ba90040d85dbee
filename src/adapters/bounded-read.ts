/**
 * Reading a whole file with a size cap: every file bootctl-ts reads whole goes through here (or
 * through boot-entries.ts's own bounded reads for the menu), so that a huge or endless file fails
 * fast with one clear error (E_FILE_TOO_LARGE) instead of filling memory: the size is checked on
 * the open file before anything is read, and the read stops one byte past the cap for files whose
 * size the kernel does not report (procfs, sysfs, pipes).
 *
 * The caps are far above what the tools that write these files produce, and at or above what the
 * readers that consume them accept:
 * - grub.cfg and other GRUB scripts: 32 MiB (a grub-mkconfig menu of 5,000 entries is about
 *   2 MiB; GRUB reads the file line by line into memory at boot);
 * - grubenv: 1 MiB (grub-editenv makes 1024-byte blocks; GRUB reads the block whole);
 * - text configuration (loader.conf, os-release, machine-id, /etc/kernel/*): 1 MiB, as systemd's
 *   bootspec.c reads loader.conf and entries (`read_full_file_full(…, 4 MiB, …)` is its general
 *   limit; entries are capped at 1 MiB by boot-entries.ts);
 * - an EFI variable: 1 MiB (firmware variable stores are a few hundred KiB in all);
 * - a unified kernel image: 512 MiB (boot-entries.ts's UKI_FILE_MAX).
 * Errors other than the size (ENOENT, EACCES, …) are thrown as Node's errors, unchanged, so that
 * callers keep deciding what a missing file means.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
import { cleanUpAfter, FileError } from "../errors.ts";

const MiB = 1024 * 1024;
export const GRUB_SCRIPT_MAX = 32 * MiB;
export const GRUBENV_MAX = 1 * MiB;
export const TEXT_CONFIG_MAX = 1 * MiB;
export const EFI_VARIABLE_MAX = 1 * MiB;
export const UKI_MAX = 512 * MiB;

function sizeText(bytes: number): string {
  return bytes >= MiB && bytes % MiB === 0 ? `${bytes / MiB} MiB` : bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** The error for a file over its cap; `size` is undefined when only the read showed it. */
export function tooLarge(shown: string, what: string, max: number, size: number | undefined): FileError {
  const actual = size === undefined ? `more than the limit of ${sizeText(max)}` : `${sizeText(size)} (the limit is ${sizeText(max)})`;
  return new FileError("E_FILE_TOO_LARGE", `${shown} is too large for ${what}: ${actual}`, shown);
}

const CHUNK = 64 * 1024;

/**
 * The whole file, at most `max` bytes, or E_FILE_TOO_LARGE naming `shown` (the path as the user
 * gave it; default `file`) and `what` ("a grub.cfg", "a grubenv", …).
 */
export async function readBounded(file: string, max: number, what: string, shown: string = file): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOCTTY);
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${file}'`), { code: "EISDIR" });
    if (st.isFile() && st.size > max) throw tooLarge(shown, what, max, st.size);
    // Regular files: their size, plus one byte to see growth past the cap. Others: in chunks.
    let buf = Buffer.allocUnsafe(Math.min(max + 1, st.isFile() && st.size > 0 ? st.size + 1 : CHUNK));
    let got = 0;
    for (;;) {
      if (got === buf.length) {
        if (got > max) break;
        const bigger = Buffer.allocUnsafe(Math.min(max + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, got);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, got, buf.length - got, null);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got > max) throw tooLarge(shown, what, max, undefined);
    await handle.close();
    return buf.subarray(0, got);
  } catch (err) {
    await cleanUpAfter(err, () => handle.close());
    throw err;
  }
}

/** `readBounded`, synchronously (EFI variables are read on the start-up path without promises). */
export function readBoundedSync(file: string, max: number, what: string, shown: string = file): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOCTTY);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${file}'`), { code: "EISDIR" });
    if (st.isFile() && st.size > max) throw tooLarge(shown, what, max, st.size);
    let buf = Buffer.allocUnsafe(Math.min(max + 1, st.isFile() && st.size > 0 ? st.size + 1 : CHUNK));
    let got = 0;
    for (;;) {
      if (got === buf.length) {
        if (got > max) break;
        const bigger = Buffer.allocUnsafe(Math.min(max + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, got);
        buf = bigger;
      }
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
    }
    if (got > max) throw tooLarge(shown, what, max, undefined);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** The section names whose data a UKI reader looks at (formats/pe/uki.ts); the rest is not read. */
const UKI_TEXT_SECTIONS = new Set([".osrel", ".cmdline", ".uname", ".profile"]);
/** Headers: the DOS header, e_lfanew, the COFF and optional headers and the section table are
 * read from the first HEAD bytes (systemd's pe_load_headers() reads them with small preads too). */
const UKI_HEAD = 64 * 1024;

/**
 * A unified kernel image read by its headers: a buffer of the file's size (at most `max`) in which
 * only the headers and the data of the text sections (.osrel, .cmdline, .uname, .profile; each
 * capped by formats/pe/uki.ts at 4 MiB) are filled in; the kernel, initrd and other payloads are
 * never read (they stay zero pages: the buffer is allocated zeroed, which the kernel maps lazily).
 * `parseHeaders` is formats/pe/pe-sections.ts readPeHeaders (passed in: adapters do not import
 * codecs here). Offsets and sizes can then be checked against the file's real length, and
 * readUki() finds the text it needs.
 */
export async function readUkiByHeaders<H extends { sectionTableOffset: number; sections: readonly { name: string; pointerToRawData: number; virtualSize: number; sizeOfRawData: number }[] }>(
  file: string, max: number, parseHeaders: (head: Buffer) => H,
): Promise<{ bytes: Buffer; headers: H }> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOCTTY);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw Object.assign(new Error(`not a regular file: ${file}`), { code: "EINVAL" });
    if (st.size > max) throw tooLarge(file, "a unified kernel image", max, st.size);
    const bytes = Buffer.alloc(st.size);
    const fill = async (start: number, length: number): Promise<void> => {
      const end = Math.min(st.size, start + length);
      let at = start;
      while (at < end) {
        const { bytesRead } = await handle.read(bytes, at, end - at, at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
    };
    await fill(0, UKI_HEAD);
    let headers: H;
    try {
      headers = parseHeaders(bytes);
    } catch (err) {
      // Headers further in than the first 64 KiB (a large e_lfanew): read up to 16 MiB and retry.
      if (st.size <= UKI_HEAD) throw err;
      await fill(UKI_HEAD, 16 * MiB - UKI_HEAD);
      headers = parseHeaders(bytes);
    }
    const tableEnd = headers.sectionTableOffset + 40 * headers.sections.length;
    if (tableEnd > UKI_HEAD) {
      await fill(UKI_HEAD, tableEnd - UKI_HEAD);
      headers = parseHeaders(bytes);
    }
    for (const s of headers.sections) {
      if (!UKI_TEXT_SECTIONS.has(s.name)) continue;
      await fill(s.pointerToRawData, Math.min(Math.max(s.virtualSize, s.sizeOfRawData), 4 * MiB + 1));
    }
    await handle.close();
    return { bytes, headers };
  } catch (err) {
    await cleanUpAfter(err, () => handle.close());
    throw err;
  }
}
