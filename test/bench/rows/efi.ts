/** `bootctl-ts efi list -v` against `efibootmgr -v` (17) on the same efivarfs-format directory. */
import { fileURLToPath } from "node:url";
import { compare, type BenchRow } from "../harness.ts";

const CLI = fileURLToPath(new URL("../../../dist/cli.cjs", import.meta.url));
const VARS = fileURLToPath(new URL("../../../fixtures/efivars/ovmf-after-boot", import.meta.url));

export function rows(): BenchRow[] {
  return [
    compare({
      name: "efi list -v",
      ours: { label: "bootctl-ts efi list -v", argv: [process.execPath, CLI, "--efivars-path", VARS, "efi", "list", "-v"] },
      theirs: { label: "efibootmgr -v", argv: ["efibootmgr", "-v"], env: { ...process.env, EFIVARFS_PATH: VARS + "/" } },
    }, 20),
  ];
}
