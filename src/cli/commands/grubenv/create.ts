/** `grubenv [FILE] create`: a fresh 1024-byte block (signature, WARNING line, `#` padding),
 * replacing whatever was there, exactly as `grub-editenv create` writes it; crash-safely. */
import { createGrubenvFile, type GrubenvLocation } from "../../../adapters/grubenv-file.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { describeBlock } from "./report.ts";

export async function runCreate(inv: CommandInvocation, location: GrubenvLocation): Promise<number> {
  const dryRun = inv.globals.dryRun;
  const result = await createGrubenvFile(inv.globals.root, location.path, { dryRun });
  if (inv.globals.json !== "off") {
    inv.output.printJson({ command: "create", dryRun, created: result.created, changed: result.changed, written: result.written, ...(await describeBlock(location, result.after)) });
  } else if (dryRun) {
    inv.output.line(result.changed ? `would ${result.created ? "create" : "reset"} ${location.path}` : `no change to ${location.path}`);
  }
  return 0;
}
