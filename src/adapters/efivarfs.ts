/**
 * Reading EFI variables from an efivarfs directory (`/sys/firmware/efi/efivars`, or any directory
 * of efivarfs-format files given with `--efivars-path`). Minimal reader; writing and the
 * immutable-flag handling belong with the EFI variables work.
 */
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { FileError, ParseError, describeErrno, errnoOf } from "../errors.ts";
import { decodeEfivarfsFile, efivarFileName, type EfiVariableValue } from "../formats/efi/efivarfs-file.ts";
import { decodeUcs2z } from "../formats/efi/ucs2.ts";

/** Read one variable; `undefined` when it does not exist. */
export async function readEfiVariable(efivarsDir: string, name: string, guid: string): Promise<EfiVariableValue | undefined> {
  const file = path.join(efivarsDir, efivarFileName(name, guid));
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === "ENOENT") return undefined;
    throw new FileError("E_EFIVAR_READ", `cannot read EFI variable ${name}: ${describeErrno(errno)}`, file, err);
  }
  try {
    return decodeEfivarfsFile(bytes);
  } catch (err) {
    throw err instanceof ParseError ? err.inFile(file) : err;
  }
}

/** Read a NUL-terminated UTF-16LE string variable; `undefined` when absent. */
export async function readEfiString(efivarsDir: string, name: string, guid: string): Promise<string | undefined> {
  const value = await readEfiVariable(efivarsDir, name, guid);
  return value === undefined ? undefined : decodeUcs2z(value.data);
}
