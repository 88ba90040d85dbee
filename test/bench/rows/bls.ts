/**
 * `bootctl-ts list` over 2,000 Type #1 entries against `bootctl list` (Debian's systemd 252) on
 * the same tree, text output and `--json=short` (target ≤ 1.5x each; 252 prints a stream of
 * objects where we print an array, about the same bytes). bootctl wants a mount point: the tree is
 * bind-mounted onto itself (needs root) and unmounted afterwards.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compare, type BenchRow } from "../harness.ts";

const CLI = fileURLToPath(new URL("../../../dist/cli.cjs", import.meta.url));

function makeTree(dir: string, n: number): void {
  const entries = path.join(dir, "loader", "entries");
  mkdirSync(entries, { recursive: true });
  for (let i = 0; i < n; i++) {
    const counter = i % 7 === 0 ? `+${i % 4}-${i % 3}` : "";
    writeFileSync(path.join(entries, `6a9857a393724b7a981ebb5b8495b9ea-6.1.${i}-amd64${counter}.conf`),
      `# generated\ntitle Debian GNU/Linux 12\nversion 6.1.${i}-amd64\nmachine-id 6a9857a393724b7a981ebb5b8495b9ea\n` +
      `${i % 2 ? "sort-key debian\n" : ""}options root=UUID=0f0e quiet splash\nlinux /6a98/6.1.${i}/linux\ninitrd /6a98/6.1.${i}/initrd\n`);
  }
}

export function rows(): BenchRow[] {
  const dir = mkdtempSync(path.join(tmpdir(), "bootctl-ts-bench-bls-"));
  makeTree(dir, 2000);
  const mount = spawnSync("mount", ["--bind", dir, dir], { encoding: "utf8" });
  if (mount.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`bls bench: mount --bind needs root: ${mount.stderr}`);
  }
  try {
    const env = { ...process.env, SYSTEMD_RELAX_ESP_CHECKS: "1", SYSTEMD_PAGER: "", SYSTEMD_COLORS: "0", NO_COLOR: "1" };
    return [
      compare({
        name: "list 2,000 entries",
        ours: { label: "bootctl-ts list", argv: [process.execPath, CLI, "-q", `--esp-path=${dir}`, `--boot-path=${dir}`, "list"], env },
        theirs: { label: "bootctl list", argv: ["bootctl", "--no-pager", `--esp-path=${dir}`, `--boot-path=${dir}`, "list"], env },
        target: 1.5,
      }, 11),
      compare({
        name: "list --json 2,000 entries",
        ours: { label: "bootctl-ts list --json=short", argv: [process.execPath, CLI, "-q", `--esp-path=${dir}`, `--boot-path=${dir}`, "list", "--json=short"], env },
        theirs: { label: "bootctl list --json=short", argv: ["bootctl", "--no-pager", `--esp-path=${dir}`, `--boot-path=${dir}`, "list", "--json=short"], env },
        target: 1.5,
      }, 11),
    ];
  } finally {
    spawnSync("umount", [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}
