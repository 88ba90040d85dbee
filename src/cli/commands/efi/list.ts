/**
 * `efi list [-v] [--json]`: the boot manager variables exactly as Debian 12's efibootmgr 17
 * prints them (`efibootmgr`, `efibootmgr -v`); see formats/efi/efibootmgr-listing.ts.
 */
import { BootctlError, UsageError } from "../../../errors.ts";
import { listEfiVariables, requireEfivarsDir } from "../../../adapters/efivarfs.ts";
import { renderEfibootmgrListing } from "../../../formats/efi/efibootmgr-listing.ts";
import { bootManagerState } from "../../../ops/efi-list.ts";
import type { CommandInvocation } from "../../invocation.ts";

export default async function efiList({ args, options, globals, output }: CommandInvocation): Promise<number> {
  if (args.length > 1) throw new UsageError("efi list takes no arguments");
  const dir = await requireEfivarsDir(globals.efivarsPath, globals.efivarsPathExplicit);
  const variables = await listEfiVariables(dir);
  if (globals.json !== "off") {
    output.printJson(bootManagerState(variables));
    return 0;
  }
  const listing = renderEfibootmgrListing(variables, { verbose: options.verbose === true });
  for (const w of listing.warnings) output.warn(w);
  output.write(listing.stdout);
  // Like efibootmgr, an option it cannot parse ends the listing mid-line.
  if (listing.failure !== undefined) {
    throw new BootctlError("E_EFI_BAD_LOADOPT", listing.failure);
  }
  return 0;
}
