/**
 * Start-up: `bootctl-ts --version` against `node -e 0` (target ≤ 1.25x), and the early-boot
 * service (`bless-boot status` on a system without boot counting) against `node -e 0` (≤ 1.2x).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compare, type BenchRow } from "../harness.ts";

const CLI = fileURLToPath(new URL("../../../dist/cli.cjs", import.meta.url));
const SERVICE = fileURLToPath(new URL("../../../dist/service.cjs", import.meta.url));

export function rows(): BenchRow[] {
  const nodeBaseline = { label: "node -e 0", argv: [process.execPath, "-e", "0"] };
  const emptyEfivars = mkdtempSync(path.join(tmpdir(), "bootctl-ts-bench-efivars-"));
  return [
    compare({ name: "start-up", ours: { label: "bootctl-ts --version", argv: [process.execPath, CLI, "--version"] }, theirs: nodeBaseline, target: 1.25 }, 30),
    compare({
      name: "service start-up",
      ours: { label: "service.cjs bless-boot status", argv: [process.execPath, SERVICE, "bless-boot", "status", "--efivars-path", emptyEfivars, "--path", emptyEfivars] },
      theirs: nodeBaseline,
      target: 1.2,
    }, 30),
  ];
}
