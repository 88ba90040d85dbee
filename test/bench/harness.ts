/**
 * Benchmark harness: interleaved runs (each round runs every variant once, in shuffled order, so
 * background load hits all variants alike) and medians. Rows compare bootctl-ts with the real
 * tool measured in the same run, as a ratio.
 */
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";

export interface Command {
  label: string;
  /** argv[0] and arguments. */
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /** Runs before each timed run (not timed), e.g. to restore an input file. */
  prepare?: () => void;
}

export interface BenchRow {
  name: string;
  ours: string;
  theirs: string;
  oursMs: number;
  theirsMs: number;
  /** ours / theirs; lower is better. */
  ratio: number;
  /** The row's target ratio, if it has one. */
  target?: number;
  /** What oursMs/theirsMs hold: milliseconds (default) or MiB of peak resident memory. */
  unit?: "ms" | "MiB";
}

export interface BenchCase {
  name: string;
  ours: Command;
  theirs: Command;
  target?: number;
}

function once(command: Command): number {
  command.prepare?.();
  const start = performance.now();
  const r = spawnSync(command.argv[0]!, command.argv.slice(1), { stdio: "ignore", env: command.env ?? process.env });
  const elapsed = performance.now() - start;
  if (r.status === null) throw new Error(`${command.label} did not exit normally`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Time both commands `rounds` times, interleaved, after one warm-up each. */
export function compare(bench: BenchCase, rounds = 15): BenchRow {
  once(bench.ours);
  once(bench.theirs);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (Math.random() < 0.5) {
      ours.push(once(bench.ours));
      theirs.push(once(bench.theirs));
    } else {
      theirs.push(once(bench.theirs));
      ours.push(once(bench.ours));
    }
  }
  const oursMs = median(ours);
  const theirsMs = median(theirs);
  const row: BenchRow = { name: bench.name, ours: bench.ours.label, theirs: bench.theirs.label, oursMs, theirsMs, ratio: oursMs / theirsMs };
  if (bench.target !== undefined) row.target = bench.target;
  return row;
}

export type RowModule = { rows: () => Promise<BenchRow[]> | BenchRow[] };
