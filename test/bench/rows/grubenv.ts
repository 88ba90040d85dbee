/**
 * `bootctl-ts grubenv F set k=v` against `grub-editenv F set k=v`, on the same file (a fresh
 * `grub-editenv create` block restored before every run), measured in the same run. Both fsync;
 * ours also renames and fsyncs the directory (crash safety).
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compare, type BenchRow } from "../harness.ts";

const CLI = fileURLToPath(new URL("../../../dist/cli.cjs", import.meta.url));

export function rows(): BenchRow[] {
  const dir = mkdtempSync(path.join(tmpdir(), "bootctl-ts-bench-grubenv-"));
  try {
    const pristine = path.join(dir, "pristine.env");
    const file = path.join(dir, "grubenv");
    execFileSync("grub-editenv", [pristine, "create"]);
    execFileSync("grub-editenv", [pristine, "set", "saved_entry=0", "boot_success=1"]);
    const prepare = () => copyFileSync(pristine, file);
    const env = { ...process.env, NO_COLOR: "1" };
    return [
      compare({
        name: "grubenv set",
        ours: { label: "bootctl-ts grubenv F set k=v", argv: [process.execPath, CLI, "grubenv", file, "set", "k=v"], env, prepare },
        theirs: { label: "grub-editenv F set k=v", argv: ["grub-editenv", file, "set", "k=v"], prepare },
      }, 20),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
