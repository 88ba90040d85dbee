/**
 * `grubenv [FILE] list`: `name=value` per entry in file order, exactly as `grub-editenv list`
 * prints it (values unescaped; duplicates all shown). A missing file is created first (a fresh
 * 1024-byte block), as grub-editenv does (it opens the file for writing first), and said on
 * stderr (grub-editenv says nothing); not with --dry-run. With --json: one object (see
 * report.ts) whose `variables` are what GRUB's load_env sees, plus the file-system facts.
 */
import { readGrubenvFile, createGrubenvFile, type GrubenvLocation } from "../../../adapters/grubenv-file.ts";
import { createGrubenv, formatList, parseGrubenv } from "../../../formats/grubenv.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { describeBlock } from "./report.ts";

export async function runList(inv: CommandInvocation, location: GrubenvLocation): Promise<number> {
  let block = (await readGrubenvFile(location.path))?.block;
  if (!block) {
    if (inv.globals.dryRun) {
      inv.output.info(`would create ${location.path}`);
      block = parseGrubenv(createGrubenv());
    } else {
      block = (await createGrubenvFile(inv.globals.root, location.path)).after;
      inv.output.info(`created ${location.path}: there was no environment block (grub-editenv list creates it too)`);
    }
  }
  if (inv.globals.json !== "off") inv.output.printJson(await describeBlock(location, block));
  else inv.output.write(formatList(block));
  return 0;
}
