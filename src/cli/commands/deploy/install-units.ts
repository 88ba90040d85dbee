/** `install-units`: install bootctl-ts (bundles, command, units, plugin, generators) under --root. */
import { realpathSync } from "node:fs";
import * as path from "node:path";
import { installUnits } from "../../../actions/install-units.ts";
import { UsageError } from "../../../errors.ts";
import type { InstallMode } from "../../../install/layout.ts";
import type { CommandInvocation } from "../../invocation.ts";

declare const __filename: string | undefined;

/**
 * The directory of the CLI bundle that is running: dist/ (dist/cli.cjs starts dist/cli-main.cjs
 * with the code cache) or an installed /usr/lib/bootctl-ts; both hold cli.cjs, cli-main.cjs,
 * cli-main.cache and service.cjs. Outside a bundle (tests running the sources) it is the
 * directory of the script Node was started with.
 */
function runningBundleDirectory(): string {
  const file = typeof __filename === "string" && __filename.endsWith(".cjs") ? __filename : realpathSync(process.argv[1]!);
  return path.dirname(file);
}

function modeOf(options: Record<string, unknown>): InstallMode {
  const given = options.mode;
  if (given !== undefined && (typeof given !== "string" || (given !== "admin" && given !== "vendor"))) {
    throw new UsageError(`--mode: expected admin or vendor, got '${String(given)}'`);
  }
  if (options.vendor && given === "admin") throw new UsageError("--vendor and --mode=admin exclude each other");
  return options.vendor ? "vendor" : (given ?? "admin");
}

export default async function installUnitsCommand({ options, globals, output }: CommandInvocation): Promise<number> {
  if (options.node !== undefined && typeof options.node !== "string") throw new UsageError("--node needs a path");
  const mode = modeOf(options);
  const result = await installUnits({
    root: globals.root, mode, bundleDirectory: runningBundleDirectory(), dryRun: globals.dryRun,
    ...(typeof options.node === "string" ? { node: options.node } : {}),
  });
  if (globals.json !== "off") output.printJson({ dryRun: globals.dryRun, ...result });
  else if (globals.dryRun || !output.quiet) {
    // What was installed is informational (-q silences it); what --dry-run would install is its answer.
    const unchanged = new Set(result.unchanged);
    const verb = (p: string, done: string, would: string) => (globals.dryRun ? would : unchanged.has(p) ? "unchanged" : done);
    for (const file of result.files) output.line(`${verb(file, "installed", "would install")} ${file}`);
    for (const [link, target] of Object.entries(result.links)) output.line(`${verb(link, "linked", "would link")} ${link} → ${target}`);
  }
  return 0;
}
