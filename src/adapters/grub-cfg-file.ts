/**
 * Reading grub.cfg and the other files the grub verbs name. Paths follow the rule of every path
 * argument that names a file of the target (README, "Paths under --root"; grubenv's FILE too,
 * adapters/grubenv-file.ts): without `--root` as usual (relative ones from the working
 * directory); under `--root` they are read as a process chrooted there reads them, absolute or
 * relative to the root's `/`, and may not climb out of it; symbolic links are resolved as inside
 * a chroot. Errors name the path as the user typed it.
 */
import { access } from "node:fs/promises";
import { GRUB_SCRIPT_MAX, readBounded } from "./bounded-read.ts";
import * as path from "node:path";
import { resolveInRoot } from "./grubenv-file.ts";
import { inRoot, isInside, normaliseRoot, PathEscapeError, rootPathHint, underRoot } from "./root-path.ts";
import { describeErrno, errnoOf, FileError, hasErrno, ParseError, UsageError } from "../errors.ts";
import { parse, parseAsGrubRuns } from "../formats/grubcfg/parser.ts";
import type { Script } from "../formats/grubcfg/ast.ts";

/** Where distributions keep the GRUB configuration, in the order bootctl-ts looks (inside the root). */
export const DEFAULT_GRUB_CFG_PATHS = ["/boot/grub/grub.cfg", "/boot/grub2/grub.cfg"] as const;

export async function resolveArgumentPath(root: string, file: string): Promise<string> {
  if (file === "") throw new UsageError("empty file name");
  const base = normaliseRoot(root);
  const absolute = file.startsWith("/") || base !== "/" ? inRoot(base, file) : path.resolve(process.cwd(), file);
  if (!isInside(base, absolute)) throw new PathEscapeError(base, file);
  return resolveInRoot(base, absolute);
}

export async function readTextFile(root: string, file: string): Promise<{ path: string; text: string }> {
  const resolved = await resolveArgumentPath(root, file);
  try {
    return { path: resolved, text: (await readBounded(resolved, GRUB_SCRIPT_MAX, "a GRUB script", file)).toString("utf8") };
  } catch (err) {
    if (err instanceof FileError) throw err;
    throw new FileError("E_READ", `cannot read ${file}${underRoot(root)}: ${describeErrno(errnoOf(err))}${rootPathHint(root, file)}`, file, err);
  }
}

/** Read and parse a grub.cfg; parse errors name the file. */
export async function readGrubCfg(root: string, file: string): Promise<{ path: string; text: string; script: Script }> {
  const { path: resolved, text } = await readTextFile(root, file);
  try {
    return { path: resolved, text, script: parse(text) };
  } catch (err) {
    if (err instanceof ParseError) throw err.inFile(file);
    throw err;
  }
}

/**
 * Read a grub.cfg as GRUB runs it (formats/grubcfg/parser.ts parseAsGrubRuns): a file with syntax
 * errors, such as one cut off mid-write, gives the units GRUB executes, and one warning per
 * skipped unit naming the file and line. For what GRUB boots (predict, grub default, grub menu);
 * edits and `grub check` keep the strict parse.
 */
export async function readGrubCfgAsGrubRuns(root: string, file: string): Promise<{ path: string; text: string; script: Script; warnings: string[] }> {
  const { path: resolved, text } = await readTextFile(root, file);
  const { script, errors } = parseAsGrubRuns(text);
  const warnings = errors.map((e) => `${e.inFile(file).message}: GRUB skips this command and runs the rest of the file${e.line >= text.split("\n").length - 1 ? " (the file ends inside it: cut off?)" : ""}`);
  return { path: resolved, text, script, warnings };
}

/** The first grub.cfg that exists at a conventional place under the root, if any (image path). */
export async function findGrubCfg(root: string): Promise<string | undefined> {
  for (const candidate of DEFAULT_GRUB_CFG_PATHS) {
    try {
      await access(await resolveArgumentPath(root, candidate));
      return candidate;
    } catch (err) {
      if (!hasErrno(err, "ENOENT", "ENOTDIR")) throw new FileError("E_READ", `cannot look up ${candidate}: ${describeErrno(errnoOf(err))}`, candidate, err);
      // not here: the next place
    }
  }
  return undefined;
}
