/**
 * Whose EFI variables describe the target: the one rule every verb follows before it reads a
 * Boot Loader Interface variable (LoaderInfo, LoaderEntryDefault, LoaderBootCountPath, …) for a
 * target tree.
 *
 * The host's variables (/sys/firmware/efi/efivars) describe the system that is running: the
 * firmware and the boot loader that started it. A tree under `--root` other than `/` (an image,
 * a chroot) is another system, whose loader may not be the host's: its variables are not read
 * unless a directory of them is given explicitly (`--efivars-path`, e.g. an image's OVMF
 * variable store exported for tests). bootctl does the same: it refuses or skips EFI variables
 * with `--root`/`--image`.
 *
 * "Given explicitly": `efivarsPathExplicit` when the caller says (the CLI always passes the
 * default path, and whether `--efivars-path` was on the command line); otherwise a library caller
 * that passes an `efivarsPath` means it.
 */
import * as path from "node:path";
import { DEFAULT_EFIVARS_DIR } from "./efivarfs.ts";

export interface EfivarsSource {
  /** The target's root (`--root`); `/` by default. */
  root?: string | undefined;
  efivarsPath?: string | undefined;
  efivarsPathExplicit?: boolean | undefined;
}

/** True when `root` is the running system's own root. */
export function isHostRoot(root: string | undefined): boolean {
  return root === undefined || root === "" || path.resolve(root) === "/";
}

/** The directory whose variables describe the target, or undefined when none does. */
export function targetEfivarsPath(source: EfivarsSource): string | undefined {
  const explicit = source.efivarsPathExplicit ?? source.efivarsPath !== undefined;
  if (explicit) return source.efivarsPath ?? DEFAULT_EFIVARS_DIR;
  return isHostRoot(source.root) ? (source.efivarsPath ?? DEFAULT_EFIVARS_DIR) : undefined;
}
