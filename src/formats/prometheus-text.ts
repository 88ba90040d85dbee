/**
 * The Prometheus text exposition format, version 0.0.4 (prometheus/docs
 * content/docs/instrumenting/exposition_formats.md; the textfile collector of node_exporter reads
 * the same format, collector/textfile.go): per metric family one `# HELP`, one `# TYPE`, then its
 * samples `name{label="value",…} number`. Pure.
 *
 * - Metric and label names: `[a-zA-Z_:][a-zA-Z0-9_:]*` (label names without `:`).
 * - Label values escape `\`, `"` and line feed as `\\`, `\"`, `\n`; HELP text escapes `\` and
 *   line feed.
 * - Values: Go's float syntax; we write integers and decimals, and `NaN`, `+Inf`, `-Inf`.
 */
import { BootctlError } from "../errors.ts";

export type MetricType = "gauge" | "counter" | "untyped";

export interface Sample {
  labels?: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: readonly Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function sampleLine(name: string, sample: Sample): string {
  const labels = Object.entries(sample.labels ?? {});
  for (const [label] of labels) {
    if (!LABEL_NAME.test(label) || label.startsWith("__")) throw new BootctlError("E_METRIC_NAME", `invalid Prometheus label name '${label}'`);
  }
  const set = labels.length === 0 ? "" : `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
  return `${name}${set} ${formatValue(sample.value)}`;
}

/** The families, in order, as one exposition text ending in a line feed. Families without
 * samples are left out (a HELP/TYPE without samples says nothing). */
export function formatExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new BootctlError("E_METRIC_NAME", `invalid Prometheus metric name '${f.name}'`);
    if (seen.has(f.name)) throw new BootctlError("E_METRIC_NAME", `Prometheus metric family '${f.name}' twice`);
    seen.add(f.name);
    if (f.samples.length === 0) continue;
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(sampleLine(f.name, s));
  }
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}
