/**
 * `grub check FILE`: grub-script-check's verdict (exit 0 valid, 1 with the error).
 *
 * A NUL byte: grub-script-check (util/grub-script-check.c) reads each line with getline(3) and
 * hands it on as a C string, so a line ends for it at its first NUL and the rest of that line is
 * never seen (GRUB at boot does the same: grub_file_getline() builds a C string). `grub check`
 * checks what they see: the text of each line up to its first NUL. The other verbs that read a
 * grub.cfg refuse a NUL (formats/grubcfg/lexer.ts): they would otherwise act on text GRUB ignores.
 */
import { UsageError } from "../../../errors.ts";
import { checkScript } from "../../../formats/grubcfg/parser.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { readTextFile } from "./files.ts";

export async function runCheck(inv: CommandInvocation): Promise<number> {
  const file = inv.args[0] ?? (typeof inv.options.grubCfg === "string" ? inv.options.grubCfg : undefined);
  if (file === undefined || inv.args.length > 1) throw new UsageError("grub check takes one FILE");
  const { text } = await readTextFile(inv.globals.root, file);
  const error = checkScript(asGrubSeesIt(text));
  if (inv.globals.json !== "off") {
    inv.output.printJson(error ? { valid: false, code: error.code, line: error.line, column: error.column ?? null, message: error.reason } : { valid: true });
  } else if (error) {
    throw error.inFile(file);
  }
  return error ? 1 : 0;
}

/** Each line cut at its first NUL, as grub-script-check's getline + C string reads it. */
export function asGrubSeesIt(text: string): string {
  return text.includes("\0") ? text.replace(/\0[^\n]*/g, "") : text;
}
