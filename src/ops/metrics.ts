/**
 * The boot-assessment metrics (pure): what the service writes for node_exporter's textfile
 * collector after every assessment, and what `status --format=prometheus` prints. Names follow
 * Prometheus' naming practices (prometheus/docs content/docs/practices/naming.md): a
 * `bootctl_ts_` prefix, base units (seconds), `_total` for the counter, `_timestamp_seconds` for
 * Unix times; the state as a set of 0/1 samples, one per state (OpenMetrics' StateSet shape).
 */
import type { MetricFamily } from "../formats/prometheus-text.ts";

export const ASSESSMENT_STATES = ["clean", "indeterminate", "dirty", "good", "bad"] as const;

export interface HealthCheckFact {
  name: string;
  kind: string;
  ok: boolean;
  durationMs: number;
}

export interface MetricFacts {
  /** bless-boot status word; undefined when it could not be determined. */
  state: string | undefined;
  loader: "systemd-boot" | "grub" | "none";
  /** Tries left of the booted entry, when it is counted. */
  triesLeft: number | undefined;
  rollbacksTotal: number;
  /** Unix time in seconds of the last rollback, when there is one. */
  lastRollback: number | undefined;
  /** This boot's health report (/run/bootctl-ts/health.json), when there is one. */
  health: { verdict: string; checks: HealthCheckFact[] } | undefined;
  /** When the facts were gathered (Unix seconds). */
  time: number;
}

export function metricFamilies(f: MetricFacts): MetricFamily[] {
  const health = f.health;
  return [
    {
      name: "bootctl_ts_boot_assessment_state", type: "gauge",
      help: "Boot-assessment state of this boot (systemd-bless-boot status words): 1 for the current state, 0 for the others.",
      samples: f.state === undefined ? [] : ASSESSMENT_STATES.map((state) => ({ labels: { state, loader: f.loader }, value: state === f.state ? 1 : 0 })),
    },
    {
      name: "bootctl_ts_boot_tries_left", type: "gauge",
      help: "Boot tries left of the booted entry (only while it is counted).",
      samples: f.triesLeft === undefined ? [] : [{ value: f.triesLeft }],
    },
    {
      name: "bootctl_ts_rollbacks_total", type: "counter",
      help: "Times the boot loader fell back from a failed trial (/var/lib/bootctl-ts/rollbacks.json).",
      samples: [{ value: f.rollbacksTotal }],
    },
    {
      name: "bootctl_ts_last_rollback_timestamp_seconds", type: "gauge",
      help: "Unix time the last rollback was seen.",
      samples: f.lastRollback === undefined ? [] : [{ value: f.lastRollback }],
    },
    {
      name: "bootctl_ts_health_verdict_green", type: "gauge",
      help: "1 when every required health check of this boot passed, 0 when one failed.",
      samples: health ? [{ value: health.verdict === "green" ? 1 : 0 }] : [],
    },
    {
      name: "bootctl_ts_health_check_success", type: "gauge",
      help: "1 when the health check passed, 0 when it failed.",
      samples: (health?.checks ?? []).map((c) => ({ labels: { check: c.name, kind: c.kind }, value: c.ok ? 1 : 0 })),
    },
    {
      name: "bootctl_ts_health_check_duration_seconds", type: "gauge",
      help: "How long the health check ran.",
      samples: (health?.checks ?? []).map((c) => ({ labels: { check: c.name, kind: c.kind }, value: c.durationMs / 1000 })),
    },
    {
      name: "bootctl_ts_assessment_timestamp_seconds", type: "gauge",
      help: "Unix time these metrics were written.",
      samples: [{ value: f.time }],
    },
  ];
}

/** The health facts of a report (`health --json`); undefined when it is not one. */
export function healthFactsOf(report: unknown): MetricFacts["health"] {
  if (typeof report !== "object" || report === null) return undefined;
  const { verdict, checks, hooks } = report as { verdict?: unknown; checks?: unknown; hooks?: unknown };
  if (verdict !== "green" && verdict !== "red") return undefined;
  const facts: HealthCheckFact[] = [];
  const seen = new Set<string>();
  for (const c of [...(Array.isArray(checks) ? checks : []), ...(Array.isArray(hooks) ? hooks : [])]) {
    if (typeof c !== "object" || c === null) continue;
    const { name, kind, ok, durationMs } = c as Record<string, unknown>;
    if (typeof name !== "string" || typeof kind !== "string" || typeof ok !== "boolean") continue;
    // One sample per label set: a name twice (the same check in two layers) keeps the first.
    if (seen.has(`${kind}\0${name}`)) continue;
    seen.add(`${kind}\0${name}`);
    facts.push({ name, kind, ok, durationMs: typeof durationMs === "number" && Number.isFinite(durationMs) && durationMs >= 0 ? durationMs : 0 });
  }
  return { verdict, checks: facts };
}
