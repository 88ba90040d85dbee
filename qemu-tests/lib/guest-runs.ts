/**
 * The bootctl-ts runs a guest made in one boot, read back from its serial markers: each `cli`,
 * `svc` or `clicut` step prints CLI_BEGIN (program and arguments), its output as CLI_OUT lines and
 * CLI_RC (guest/init.sh run_node_program). A run cut by the power-cut hook has no CLI_RC.
 */
import type { BootResult } from "./qemu.ts";

export interface GuestRun {
  /** "cli.cjs" or "service.cjs". */
  program: string;
  args: string[];
  output: string[];
  /** Exit status; undefined when the run never ended (power cut). */
  status: number | undefined;
}

export function guestRuns(result: BootResult): GuestRun[] {
  const runs: GuestRun[] = [];
  let current: GuestRun | undefined;
  for (const m of result.markers) {
    if (m.key === "CLI_BEGIN") {
      const words = m.value.replace(/ up=[0-9.]+$/, "").split(" ");
      current = { program: words[0] ?? "", args: words.slice(1), output: [], status: undefined };
      runs.push(current);
    } else if (m.key === "CLI_OUT" && current) {
      current.output.push(m.value);
    } else if (m.key === "CLI_RC" && current) {
      current.status = Number(m.value);
      current = undefined;
    }
  }
  return runs;
}

/** The run whose arguments start with `prefix` (the first such run unless `index` says otherwise). */
export function guestRun(result: BootResult, prefix: readonly string[], index = 0): GuestRun | undefined {
  return guestRuns(result).filter((r) => prefix.every((p, i) => r.args[i] === p))[index];
}

/** Parses the single JSON document a `--json=short` run printed (other lines are messages). */
export function runJson<T>(run: GuestRun): T {
  const line = run.output.find((l) => l.startsWith("{") || l.startsWith("["));
  if (line === undefined) throw new Error(`no JSON in the output of ${run.program} ${run.args.join(" ")}: ${run.output.join(" | ")}`);
  return JSON.parse(line) as T;
}

/** One line for transcripts. */
export function describeRun(run: GuestRun): string {
  return `${run.program} ${run.args.join(" ")} → ${run.status ?? "no exit (cut)"}${run.output.length ? `: ${run.output.join(" | ")}` : ""}`;
}
