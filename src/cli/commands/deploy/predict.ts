/** `predict [--fail N|--fail-all]`: what the boot loader will do, attempt by attempt. */
import { UsageError } from "../../../errors.ts";
import { predict } from "../../../actions/predict.ts";
import type { FailurePlan } from "../../../ops/predict-systemd-boot.ts";
import type { CommandInvocation } from "../../invocation.ts";

function failurePlan(options: Record<string, unknown>): FailurePlan {
  if (options.fail !== undefined && options.failAll) throw new UsageError("--fail and --fail-all exclude each other");
  if (options.fail === undefined) return { kind: "counted" };
  const text = String(options.fail);
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`--fail: expected a non-negative integer, got '${text}'`);
  return { kind: "first", count: Number(text) };
}

function loaderOption(value: unknown): "grub" | "systemd-boot" | undefined {
  if (value === undefined) return undefined;
  if (value === "grub" || value === "systemd-boot") return value;
  throw new UsageError(`--loader: expected systemd-boot or grub, got '${String(value)}'`);
}

export default async function predictCommand({ options, globals, output }: CommandInvocation): Promise<number> {
  const result = await predict({
    root: globals.root, espPath: globals.espPath, bootPath: globals.bootPath,
    efivarsPath: globals.efivarsPath, efivarsPathExplicit: globals.efivarsPathExplicit,
    failures: failurePlan(options),
    loader: loaderOption(options.loader),
  });
  for (const warning of result.warnings) output.warn(warning);
  if (globals.json !== "off") {
    output.printJson(result);
    return 0;
  }
  const s = output.style;
  for (const a of result.attempts) {
    const rename = result.loader === "grub"
      ? (a.tries ? `bootctl_tries → ${a.tries.left}` : a.reason === "oneshot-variable" ? "next_entry (once)" : "no counter")
      : a.fileBefore === a.fileAfter ? a.fileBefore : `${a.fileBefore} → ${a.fileAfter}`;
    // "boots fine" only for an entry known to boot (model/known-good.ts); any other success is
    // the failure plan's assumption.
    const outcome = a.outcome === "failure" ? s.red("fails")
      : a.standing === "good" ? s.green("boots fine")
      : s.yellow(`boots as assumed, not known to boot (${a.standingReason})`);
    output.line(`attempt ${a.attempt}: ${s.bold(a.title)}${a.fallback ? s.yellow(" (fallback)") : ""}  ${rename}  ${outcome}`);
  }
  output.line(result.summary);
  return 0;
}
