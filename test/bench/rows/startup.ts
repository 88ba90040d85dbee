/** Start-up: `bootctl-ts --version` against `node -e 0` (target ≤ 1.25x). */
import { fileURLToPath } from "node:url";
import { compare, type BenchRow } from "../harness.ts";

const CLI = fileURLToPath(new URL("../../../dist/cli.cjs", import.meta.url));

export function rows(): BenchRow[] {
  return [
    compare({
      name: "start-up",
      ours: { label: "bootctl-ts --version", argv: [process.execPath, CLI, "--version"] },
      theirs: { label: "node -e 0", argv: [process.execPath, "-e", "0"] },
      target: 1.25,
    }, 30),
  ];
}
