/**
 * Health checks: which checks run, and the verdict (pure).
 *
 * Layout (greenboot's, with our names): `/usr/lib/bootctl-ts/checks/<kind>.d/` (vendor) and
 * `/etc/bootctl-ts/checks/<kind>.d/` (admin) for kind `required`, `wanted`, `green`, `red`. As with
 * systemd drop-ins, a file in /etc replaces the vendor file of the same name; checks run in
 * name order. Every check runs (greenboot stops at the first required failure, which its users
 * asked to change: greenboot#52): the report lists every failure.
 * Verdict: any required check failed → `red`; otherwise `green` (failed wanted checks are
 * reported as warnings). A file that is not executable is not run and does not count for the
 * verdict; it is reported as skipped.
 *
 * Time limits: every check runs under the global limit (`health --timeout`, default 120 s); a
 * check's drop-ins `<kind>.d/NAME.d/*.conf` ([Check] TimeoutSec=, formats/health/check-drop-in.ts)
 * set a limit of its own, which the global limit caps. Drop-ins are read from both directories,
 * merged by file name as systemd merges unit drop-ins (a file in /etc replaces the vendor file of
 * the same name, a link to /dev/null masks it), and applied in file-name order, so the last
 * TimeoutSec= wins; they apply to the check of that name whichever directory its executable is in.
 *
 * Checks as systemd units: the units that CHECKS_TARGET requires (Requires=, Requisite=, BindsTo=:
 * `RequiredBy=` in their [Install] section) count as required checks, those it only wants
 * (`WantedBy=`) as wanted checks; their results are read from the service manager
 * (`unitResultOf`) and join the report and the verdict like the executables.
 */

export type CheckKind = "required" | "wanted";
export type HookKind = "green" | "red";

export const CHECK_DIRECTORIES = ["/usr/lib/bootctl-ts/checks", "/etc/bootctl-ts/checks"] as const;

/** The target that check units hook into; bootctl-ts-health.service is ordered after it. */
export const CHECKS_TARGET = "bootctl-ts-checks.target";

/** Where the service writes the report of every boot (the same JSON as `health --json`). */
export const HEALTH_REPORT_PATH = "/run/bootctl-ts/health.json";

/** The default (and cap) of every check's time limit, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 120_000;

/** A check's limit: its own TimeoutSec= (ms; Infinity for none), capped by the global limit. */
export function effectiveTimeoutMs(globalMs: number, ownMs: number | undefined): number {
  return ownMs === undefined ? globalMs : Math.min(globalMs, ownMs);
}

export interface CheckFile {
  kind: CheckKind | HookKind;
  name: string;
  /** Image path of the executable (inside the root). */
  path: string;
  /** A regular file without an execute bit: listed (it overrides by name), never run. */
  notExecutable?: boolean;
}

/** A file of a check or hook directory that is not run, and why. */
export interface SkippedCheck {
  kind: CheckKind | HookKind;
  name: string;
  path: string;
  reason: "not executable";
}

/** Merge listings, later layers overriding earlier ones by name; result in name order. */
export function mergeLayers(layers: readonly (readonly CheckFile[])[]): CheckFile[] {
  const byName = new Map<string, CheckFile>();
  for (const layer of layers) for (const file of layer) byName.set(file.name, file);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * How a check ended, in systemd's words for a service's Result= (systemd.exec(5) / org.freedesktop.systemd1(5)):
 * `success`, `exit-code` (non-zero exit), `signal` (killed by a signal it was not sent by us),
 * `timeout` (killed at its time limit, with its whole process group); for executables also
 * `spawn-error` (could not be started); for units, also any other Result= systemd reports
 * (`core-dump`, `watchdog`, `resources`, …), `not-loaded` (LoadState is not `loaded`),
 * `not-started` (inactive and never started), `not-finished` (still activating), `condition`
 * (skipped by an unmet Condition…=, which systemd does not count as a failure: ok).
 */
export type CheckOutcome = string;

export interface CheckResult {
  kind: CheckKind | HookKind;
  name: string;
  /** Image path of the executable, or of the unit's file (FragmentPath=) for a unit. */
  path: string;
  /** `executable` from a check directory, `unit` wanted or required by CHECKS_TARGET. */
  source: "executable" | "unit";
  result: CheckOutcome;
  /** The time limit it ran under (ms; null: none of ours, for units and for "infinity" with no cap). */
  timeoutMs: number | null;
  /** Set when one of its drop-ins was refused (FILE:LINE: reason): it ran under the global limit. */
  configError?: string;
  /** Exit status, or null when killed. */
  status: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The last lines the check printed (stdout and stderr), for the report. */
  output: string;
  ok: boolean;
}

export type Verdict = "green" | "red";

export function verdictOf(results: readonly CheckResult[]): Verdict {
  return results.some((r) => r.kind === "required" && !r.ok) ? "red" : "green";
}

/** The properties `unitResultOf` reads (`systemctl show -p`). */
export const UNIT_PROPERTIES = [
  "Id", "LoadState", "ActiveState", "SubState", "Result", "ExecMainCode", "ExecMainStatus", "FragmentPath",
  "ConditionResult", "InactiveExitTimestampMonotonic", "ActiveEnterTimestampMonotonic", "InactiveEnterTimestampMonotonic",
] as const;
/** The target's dependency properties: the first three make a unit required, Wants= wanted. */
export const TARGET_PROPERTIES = ["Id", "LoadState", "Requires", "Requisite", "BindsTo", "Wants"] as const;

/** waitid(2) si_code values systemd shows as ExecMainCode= (CLD_EXITED, CLD_KILLED, CLD_DUMPED). */
const CLD_KILLED = "2";
const CLD_DUMPED = "3";

/**
 * A check unit's result from its `systemctl show` properties. `signalName` turns a signal number
 * into its name (the caller passes node:os's table: this module stays pure).
 */
export function unitResultOf(kind: CheckKind, p: Readonly<Record<string, string>>, signalName: (n: number) => string | null): CheckResult {
  const name = p.Id ?? "";
  const active = p.ActiveState ?? "";
  const usec = (k: string) => {
    const n = Number(p[k] ?? "0");
    return Number.isFinite(n) ? n : 0;
  };
  const started = usec("InactiveExitTimestampMonotonic");
  const ended = Math.max(usec("ActiveEnterTimestampMonotonic"), usec("InactiveEnterTimestampMonotonic"));
  const durationMs = started > 0 && ended > started ? Math.round((ended - started) / 1000) : 0;
  const code = p.ExecMainCode ?? "0";
  const statusNumber = Number(p.ExecMainStatus ?? "");
  const killed = code === CLD_KILLED || code === CLD_DUMPED;
  const systemdResult = p.Result ?? "";
  let result: CheckOutcome;
  let ok = false;
  if (p.LoadState !== "loaded") result = "not-loaded";
  else if (active === "failed") result = systemdResult && systemdResult !== "success" ? systemdResult : "exit-code";
  else if (active === "activating" || active === "deactivating") result = "not-finished";
  else if (active === "inactive" && started === 0) {
    result = p.ConditionResult === "no" ? "condition" : "not-started";
    ok = result === "condition";
  } else {
    result = systemdResult || "success";
    ok = result === "success";
  }
  const state = `${p.LoadState ?? "?"}/${active || "?"}${p.SubState ? `/${p.SubState}` : ""}`;
  return {
    kind, name, path: p.FragmentPath ?? "", source: "unit", result, timeoutMs: null,
    status: !killed && code !== "0" && Number.isInteger(statusNumber) ? statusNumber : null,
    signal: killed && Number.isInteger(statusNumber) ? signalName(statusNumber) : null,
    timedOut: result === "timeout", durationMs, output: ok ? "" : `unit ${state}, Result=${systemdResult || "?"}`, ok,
  };
}
