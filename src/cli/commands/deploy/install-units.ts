/** `install-units`: install dist/service.cjs and the systemd units under --root, enabled. */
import { existsSync, realpathSync } from "node:fs";
import * as path from "node:path";
import { installUnits } from "../../../actions/install-units.ts";
import { BootctlError } from "../../../errors.ts";
import type { CommandInvocation } from "../../invocation.ts";

declare const __filename: string | undefined;

/**
 * The CLI bundle that is running: the whole CLI in one file (dist/cli-main.cjs, which dist/cli.cjs
 * only starts with the code cache, or the installed copy /usr/lib/bootctl-ts/cli.cjs).
 * Outside a bundle (tests running the sources) it is the script Node was started with.
 */
function runningBundle(): string {
  return typeof __filename === "string" && __filename.endsWith(".cjs") ? __filename : realpathSync(process.argv[1]!);
}

export default async function installUnitsCommand({ options, globals, output }: CommandInvocation): Promise<number> {
  const node = typeof options.node === "string" ? options.node : undefined;
  const cliBundle = runningBundle();
  const serviceBundle = path.join(path.dirname(cliBundle), "service.cjs");
  // Both sources first: a missing one must not leave the service installed without its links.
  for (const file of [serviceBundle, cliBundle]) {
    if (!existsSync(file)) throw new BootctlError("E_NOT_FOUND", `cannot install units: ${file} is missing (run 'npm run build')`);
  }
  const result = await installUnits({ root: globals.root, serviceBundle, cliBundle, dryRun: globals.dryRun, ...(node ? { node } : {}) });
  if (globals.json !== "off") output.printJson({ dryRun: globals.dryRun, ...result });
  else {
    const verb = globals.dryRun ? "would install" : "installed";
    for (const file of result.files) output.line(`${verb} ${file}`);
    for (const [link, target] of Object.entries(result.links)) output.line(`${globals.dryRun ? "would link" : "linked"} ${link} → ${target}`);
  }
  return 0;
}
