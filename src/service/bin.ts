#!/usr/bin/env node
/**
 * The early-boot entry point (dist/service.cjs), run by the bootctl-ts systemd units:
 *
 *   service.cjs health                      run the health checks (exit 1 on a required failure)
 *   service.cjs mark-good                   mark this boot good when boot counting is in effect
 *   service.cjs on-failure                  mark this boot bad and reboot (bootloop guard applies)
 *   service.cjs bless-boot [status|good|bad|indeterminate]
 *
 * Options: --root DIR, --path DIR (a $BOOT partition; repeatable), --efivars-path DIR,
 * --metrics-file FILE (the textfile-collector file; default $BOOTCTL_TS_METRICS_FILE, else
 * /var/lib/prometheus/node-exporter/bootctl-ts.prom; empty: none).
 * It imports Node built-ins and our own modules only (no cac, chalk or fs-extra), so it starts
 * within a few milliseconds of `node` itself. Messages go to stderr, one line each (the journal
 * records them); the bless-boot status word goes to stdout.
 */
import { parseArgs } from "node:util";
import type { BlessOptions, BlessStatusResult } from "../actions/bless-boot.ts";
import type { FailureOutcome } from "../actions/boot-failure.ts";
import type { JournalMessage } from "../ops/journal.ts";
import { BootctlError } from "../errors.ts";
import { markedMessage } from "../ops/bless-boot.ts";

// Each verb loads its own code (and the Node modules it needs, such as child_process) only
// when it runs: the common early-boot path is `bless-boot`/`mark-good`.
const blessModule = () => import("../actions/bless-boot.ts");

const EFIVARS = "/sys/firmware/efi/efivars";
const USAGE = "usage: service.cjs health | mark-good | on-failure | bless-boot [status|good|bad|indeterminate] [--root DIR] [--path DIR]... [--efivars-path DIR] [--metrics-file FILE]";

function log(message: string): void {
  process.stderr.write(`bootctl-ts: ${message}\n`);
}

/**
 * A message that has a MESSAGE_ID (ops/journal.ts): to the journal as a structured entry through
 * `logger --journald` (adapters/journal.ts) when the root is the running system's, else — or when
 * that fails — the same line on stderr, as every other message. Never fatal.
 */
async function tellJournal(options: BlessOptions, m: JournalMessage): Promise<void> {
  if ((options.root ?? "/") === "/" && process.env.BOOTCTL_TS_JOURNAL !== "0") {
    try {
      const [{ journalEntry }, { sendJournalEntry }] = await Promise.all([import("../ops/journal.ts"), import("../adapters/journal.ts")]);
      if (sendJournalEntry(journalEntry(m))) return;
    } catch (err) {
      // An entry that cannot be made (a field name) still gets its line below, with the reason.
      log(`cannot send to the journal: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  log(m.message);
}

/** The journal fields that name the booted entry (the status before acting). */
function entryFields(status: BlessStatusResult | undefined): Record<string, string | number | undefined> {
  if (!status) return {};
  if (status.loader === "grub") return { ENTRY: status.grub?.trial, LOADER: "grub", TRIES_LEFT: status.grub?.tries };
  const base = status.path === undefined ? undefined : status.path.slice(status.path.lastIndexOf("/") + 1);
  return { ENTRY: base?.replace(/\+\d+(-\d+)?(?=\.[^.]*$|$)/, ""), ENTRY_FILE: base, LOADER: status.loader, TRIES_LEFT: status.left, TRIES_DONE: status.done };
}

async function blessVerb(verb: string, options: BlessOptions): Promise<number> {
  const { blessBoot, blessStatusOf } = await blessModule();
  if (verb === "status") {
    process.stdout.write(`${(await blessStatusOf(options)).state}\n`);
    return 0;
  }
  if (verb !== "good" && verb !== "bad" && verb !== "indeterminate") {
    log(`unknown bless-boot verb '${verb}'`);
    return 2;
  }
  // The entry's fields for the journal; blessBoot below reports a state it cannot read.
  let before: BlessStatusResult | undefined;
  try {
    before = await blessStatusOf(options);
  } catch (err) {
    if (!(err instanceof BootctlError)) throw err;
  }
  const plan = await blessBoot(verb, options);
  for (const note of plan.notes) log(note);
  if (plan.outcome === "already") return 0;
  const message = markedMessage(plan);
  if (verb === "indeterminate") log(message);
  else await tellJournal(options, { kind: verb === "good" ? "blessed" : "markedBad", message, fields: entryFields(before) });
  return 0;
}

/**
 * Whether the loader fell back from a failed trial at this boot: new rollbacks go into
 * /var/lib/bootctl-ts/rollbacks.json (actions/rollback.ts). Never fatal: the boot is assessed
 * whether or not the record can be kept.
 */
async function noteRollbacks(options: BlessOptions): Promise<BlessStatusResult | undefined> {
  let status: BlessStatusResult | undefined;
  try {
    const { blessStatusOf } = await blessModule();
    status = await blessStatusOf(options);
    const { recordRollbacks } = await import("../actions/rollback.ts");
    for (const r of await recordRollbacks(status, options)) {
      const message = `fell back from ${r.from} to ${r.to ?? "another entry"}${r.tries !== null ? ` after ${r.tries} ${r.tries === 1 ? "try" : "tries"}` : ""}: ${r.reason}`;
      await tellJournal(options, { kind: "fellBack", message, fields: { ENTRY: r.from, BOOTED: r.to ?? undefined, LOADER: r.loader, TRIES_DONE: r.tries ?? undefined, REASON: r.reason, FAILED_CHECKS: r.failedChecks?.join(" ") } });
    }
  } catch (err) {
    log(`cannot keep the rollback record: ${err instanceof Error ? err.message : String(err)}`);
  }
  return status;
}

/**
 * The metrics file for node_exporter's textfile collector, after every assessment
 * (actions/metrics.ts; `--metrics-file`, else $BOOTCTL_TS_METRICS_FILE, else node_exporter's
 * Debian directory). Never fatal.
 */
async function writeMetrics(options: BlessOptions, file: string | undefined): Promise<void> {
  try {
    const { writeMetricsFile } = await import("../actions/metrics.ts");
    await writeMetricsFile(options, file);
  } catch (err) {
    log(`cannot write the metrics file: ${err instanceof Error ? err.message : String(err)}`);
  }
}

declare const __BOOTCTL_TS_VERSION__: string | undefined;
const VERSION = typeof __BOOTCTL_TS_VERSION__ === "string" ? __BOOTCTL_TS_VERSION__ : "0.0.0-dev";

/** node:util's parse errors (unknown option, missing value) carry these codes: usage errors. */
const USAGE_ERROR_CODES = new Set(["ERR_PARSE_ARGS_UNKNOWN_OPTION", "ERR_PARSE_ARGS_INVALID_OPTION_VALUE", "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL"]);

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        path: { type: "string", multiple: true }, root: { type: "string" }, "efivars-path": { type: "string" }, "metrics-file": { type: "string" },
        help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "V" },
      },
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== "string" || !USAGE_ERROR_CODES.has(code)) throw err;
    // Node's message names the option and adds advice about "--"; the first sentence is the fact.
    log(`${(err as Error).message.split(/\.\s/)[0]!.replace(/\.$/, "")}; ${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`bootctl-ts ${VERSION}\n`);
    return 0;
  }
  const efivarsPath = values["efivars-path"];
  const options: BlessOptions = { root: values.root ?? "/", partitions: values.path ?? [], efivarsPath: efivarsPath ?? EFIVARS, efivarsPathExplicit: efivarsPath !== undefined };
  const [command, ...rest] = positionals;
  const metricsFile = values["metrics-file"];
  switch (command) {
    case "bless-boot": {
      if (rest.length > 1) break;
      const verb = rest[0] ?? "status";
      // `status` is the start-up bench's path: it assesses nothing, so it writes no metrics.
      if (verb === "status") return blessVerb(verb, options);
      try {
        return await blessVerb(verb, options);
      } finally {
        await writeMetrics(options, metricsFile);
      }
    }
    case "mark-good": {
      if (rest.length > 0) break;
      await noteRollbacks(options);
      try {
        return await blessVerb("good", options);
      } catch (err) {
        if (err instanceof BootctlError && err.code === "E_NOT_COUNTING") {
          log("not booted with boot counting in effect; nothing to mark");
          return 0;
        }
        throw err;
      } finally {
        await writeMetrics(options, metricsFile);
      }
    }
    case "health": {
      if (rest.length > 0) break;
      const { describeCheck, describeSkipped, runHealthChecks } = await import("../actions/health.ts");
      const report = await runHealthChecks({ root: options.root ?? "/" });
      for (const r of [...report.checks, ...report.hooks]) {
        if (r.ok || r.kind === "green" || r.kind === "red") {
          log(describeCheck(r));
          continue;
        }
        const result = r.timedOut ? "timed out" : r.signal !== null ? `killed by ${r.signal}` : `exit status ${r.status}`;
        await tellJournal(options, { kind: "healthCheckFailed", message: describeCheck(r), fields: { CHECK: r.name, CHECK_KIND: r.kind, CHECK_PATH: r.path, CHECK_RESULT: result, DURATION_MS: Math.round(r.durationMs) } });
      }
      for (const s of report.skipped) log(describeSkipped(s));
      log(`health verdict: ${report.verdict}`);
      return report.verdict === "green" ? 0 : 1;
    }
    case "on-failure": {
      if (rest.length > 0) break;
      const status = await noteRollbacks(options);
      const { handleBootFailure } = await import("../actions/boot-failure.ts");
      // The messages and metrics go out before a reboot can stop this process.
      let reported = false;
      const tell = async (outcome: FailureOutcome) => {
        reported = true;
        const fields = { ...entryFields(status), REASON: outcome.reason, FAILED_CHECKS: outcome.failedChecks.join(" ") || undefined, REBOOT: outcome.reboot ? 1 : 0 };
        if (outcome.guard) await tellJournal(options, { kind: "guardStopped", message: outcome.reason, fields });
        else if (outcome.markBad) await tellJournal(options, { kind: "markedBad", message: outcome.reason, fields });
        else log(outcome.reason);
      };
      const outcome = await handleBootFailure({ ...options, beforeReboot: async (o) => { await tell(o); await writeMetrics(options, metricsFile); } });
      if (!reported) await tell(outcome);
      if (outcome.recordError !== undefined) log(`cannot note the failure for the rollback record: ${outcome.recordError}`);
      if (!outcome.rebooted) await writeMetrics(options, metricsFile);
      return 0;
    }
  }
  log(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (status) => { process.exitCode = status; },
  (err: unknown) => {
    if (err instanceof BootctlError) log(err.message);
    else log(`internal error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = err instanceof BootctlError ? err.exitCode : 1;
  },
);
