/** `install-units`: install dist/service.cjs and the systemd units under --root, enabled. */
import { realpathSync } from "node:fs";
import * as path from "node:path";
import { installUnits } from "../../../actions/install-units.ts";
import type { CommandInvocation } from "../../invocation.ts";

/**
 * The bundles shipped beside this CLI bundle (dist/service.cjs; dist/cli-main.cjs, the whole CLI
 * in one file: dist/cli.cjs only starts it with the code cache, which is not installed).
 */
function bundle(name: string): string {
  return path.join(path.dirname(realpathSync(process.argv[1]!)), name);
}

export default async function installUnitsCommand({ options, globals, output }: CommandInvocation): Promise<number> {
  const node = typeof options.node === "string" ? options.node : undefined;
  const result = await installUnits({ root: globals.root, serviceBundle: bundle("service.cjs"), cliBundle: bundle("cli-main.cjs"), dryRun: globals.dryRun, ...(node ? { node } : {}) });
  if (globals.json !== "off") output.printJson({ dryRun: globals.dryRun, ...result });
  else {
    const verb = globals.dryRun ? "would install" : "installed";
    for (const file of result.files) output.line(`${verb} ${file}`);
    for (const [link, target] of Object.entries(result.links)) output.line(`${globals.dryRun ? "would link" : "linked"} ${link} → ${target}`);
  }
  return 0;
}
