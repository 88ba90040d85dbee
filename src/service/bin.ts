#!/usr/bin/env node
/**
 * The early-boot entry point (dist/service.cjs), run by the bootctl-ts systemd units:
 *
 *   service.cjs bless-boot [status|good|bad|indeterminate] [--path DIR]... [--root DIR] [--efivars-path DIR]
 *
 * It imports Node built-ins and our own modules only (no cac, chalk or fs-extra), so it starts
 * within a few milliseconds of `node` itself. Messages go to stderr, one line each, which the
 * journal records; the status word goes to stdout.
 */
import { parseArgs } from "node:util";
import { blessBoot, blessStatusOf } from "../actions/bless-boot.ts";
import { BootctlError } from "../errors.ts";

const EFIVARS = "/sys/firmware/efi/efivars";

function log(message: string): void {
  process.stderr.write(`bootctl-ts: ${message}\n`);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      path: { type: "string", multiple: true },
      root: { type: "string" },
      "efivars-path": { type: "string" },
    },
  });
  const [command, verb = "status", ...extra] = positionals;
  if (command !== "bless-boot" || extra.length > 0) {
    log("usage: service.cjs bless-boot [status|good|bad|indeterminate] [--path DIR]... [--root DIR] [--efivars-path DIR]");
    return 2;
  }
  const options = { root: values.root ?? "/", partitions: values.path ?? [], efivarsPath: values["efivars-path"] ?? EFIVARS };
  if (verb === "status") {
    process.stdout.write(`${(await blessStatusOf(options)).state}\n`);
    return 0;
  }
  if (verb !== "good" && verb !== "bad" && verb !== "indeterminate") {
    log(`unknown bless-boot verb '${verb}'`);
    return 2;
  }
  const plan = await blessBoot(verb, options);
  for (const note of plan.notes) log(note);
  if (plan.outcome !== "already") log(`Marked boot as '${verb}'. (Boot attempt counter is at ${plan.done}.)`);
  return 0;
}

main(process.argv.slice(2)).then(
  (status) => { process.exitCode = status; },
  (err: unknown) => {
    if (err instanceof BootctlError) log(err.message);
    else log(`internal error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = err instanceof BootctlError ? err.exitCode : 1;
  },
);
