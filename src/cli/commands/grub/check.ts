/** `grub check FILE`: grub-script-check's verdict (exit 0 valid, 1 with the error). */
import { UsageError } from "../../../errors.ts";
import { checkScript } from "../../../formats/grubcfg/parser.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { readTextFile } from "./files.ts";

export async function runCheck(inv: CommandInvocation): Promise<number> {
  const file = inv.args[0] ?? (typeof inv.options.grubCfg === "string" ? inv.options.grubCfg : undefined);
  if (file === undefined || inv.args.length > 1) throw new UsageError("grub check takes one FILE");
  const { text } = await readTextFile(inv.globals.root, file);
  const error = checkScript(text);
  if (inv.globals.json !== "off") {
    inv.output.printJson(error ? { valid: false, code: error.code, line: error.line, column: error.column ?? null, message: error.reason } : { valid: true });
  } else if (error) {
    throw error.inFile(file);
  }
  return error ? 1 : 0;
}
