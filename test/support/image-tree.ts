/**
 * The smallest image tree the CLI tests install kernels into: machine-id, os-release, an entry
 * token, an empty ESP at /efi with loader/entries, and a kernel file at ROOT/vmlinuz. Returns the
 * global options that point the CLI at it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export interface ImageOs {
  /** os-release ID, also the entry token. */
  id: string;
  prettyName: string;
}

export function writeImageTree(root: string, os: ImageOs): string[] {
  mkdirSync(path.join(root, "etc/kernel"), { recursive: true });
  mkdirSync(path.join(root, "efi/loader/entries"), { recursive: true });
  writeFileSync(path.join(root, "etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
  writeFileSync(path.join(root, "etc/os-release"), `ID=${os.id}\nPRETTY_NAME="${os.prettyName}"\n`);
  writeFileSync(path.join(root, "etc/kernel/entry-token"), `${os.id}\n`);
  writeFileSync(path.join(root, "vmlinuz"), "kernel\n");
  return ["--root", root, "--esp-path", "/efi"];
}
