/**
 * Peak memory: the largest resident set (GNU time's %M, the kernel's ru_maxrss) of bootctl-ts
 * against the real tool doing the same job, median of several runs: `list` over 2,000 entries
 * against `bootctl list`, `grubenv set` against `grub-editenv`, and start-up against `node -e 0`
 * (most of our footprint is Node's own). No target: the row shows the price of the runtime.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "../harness.ts";

const CLI = fileURLToPath(new URL("../../../dist/cli.cjs", import.meta.url));
const TIME = "/usr/bin/time";

interface Run { label: string; argv: string[]; env?: NodeJS.ProcessEnv; prepare?: () => void }

/** Peak RSS of one run, in MiB. */
function peakMiB(run: Run): number {
  run.prepare?.();
  const r = spawnSync(TIME, ["-f", "%M", ...run.argv], { encoding: "utf8", env: run.env ?? process.env, stdio: ["ignore", "ignore", "pipe"] });
  const kib = Number(/(\d+)\s*$/.exec(r.stderr)?.[1]);
  if (!Number.isFinite(kib)) throw new Error(`${run.label}: no peak memory from ${TIME}: ${r.stderr}`);
  return kib / 1024;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

function row(name: string, ours: Run, theirs: Run, runs = 5): BenchRow {
  const o = median(Array.from({ length: runs }, () => peakMiB(ours)));
  const t = median(Array.from({ length: runs }, () => peakMiB(theirs)));
  return { name, ours: ours.label, theirs: theirs.label, oursMs: o, theirsMs: t, ratio: o / t, unit: "MiB" };
}

export function rows(): BenchRow[] {
  if (!existsSync(TIME)) throw new Error(`memory bench: ${TIME} is missing: apt-get install time`);
  const dir = mkdtempSync(path.join(tmpdir(), "bootctl-ts-bench-memory-"));
  const entries = path.join(dir, "loader", "entries");
  mkdirSync(entries, { recursive: true });
  for (let i = 0; i < 2000; i++) {
    writeFileSync(path.join(entries, `6a9857a393724b7a981ebb5b8495b9ea-6.1.${i}-amd64.conf`),
      `title Debian GNU/Linux 12\nversion 6.1.${i}-amd64\nmachine-id 6a9857a393724b7a981ebb5b8495b9ea\noptions root=UUID=0f0e quiet\nlinux /6a98/6.1.${i}/linux\n`);
  }
  const mount = spawnSync("mount", ["--bind", dir, dir], { encoding: "utf8" });
  if (mount.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`memory bench: mount --bind needs root: ${mount.stderr}`);
  }
  try {
    const env = { ...process.env, SYSTEMD_RELAX_ESP_CHECKS: "1", SYSTEMD_PAGER: "", NO_COLOR: "1" };
    const pristine = path.join(dir, "pristine.env");
    const grubenv = path.join(dir, "grubenv");
    spawnSync("grub-editenv", [pristine, "create"]);
    const prepare = () => copyFileSync(pristine, grubenv);
    return [
      row("peak memory: list 2,000 entries",
        { label: "bootctl-ts list", argv: [process.execPath, CLI, "-q", `--esp-path=${dir}`, `--boot-path=${dir}`, "list"], env },
        { label: "bootctl list", argv: ["bootctl", "--no-pager", `--esp-path=${dir}`, `--boot-path=${dir}`, "list"], env }),
      row("peak memory: grubenv set",
        { label: "bootctl-ts grubenv F set k=v", argv: [process.execPath, CLI, "grubenv", grubenv, "set", "k=v"], env, prepare },
        { label: "grub-editenv F set k=v", argv: ["grub-editenv", grubenv, "set", "k=v"], prepare }),
      row("peak memory: start-up",
        { label: "bootctl-ts --version", argv: [process.execPath, CLI, "--version"] },
        { label: "node -e 0", argv: [process.execPath, "-e", "0"] }),
    ];
  } finally {
    spawnSync("umount", [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}
