/** The JSON shape every `grubenv --json` command prints, and the dry-run change lines. */
import { detectGrubenvFilesystem, type GrubenvFilesystemFacts, type GrubenvLocation } from "../../../adapters/grubenv-file.ts";
import { freeBytes, isBroken, listEntries, loadEnvView, type GrubenvBlock, type GrubenvEntry } from "../../../formats/grubenv.ts";

export interface GrubenvJson {
  path: string;
  imagePath: string;
  size: number;
  /** Bytes of `#` padding left for new variables. */
  free: number;
  /** GRUB's editor finds no free space (every `set` fails). */
  broken: boolean;
  /** What GRUB's load_env ends up with (the last duplicate wins). */
  variables: Record<string, string>;
  /** Every entry in file order, duplicates included (what `list` prints). */
  entries: GrubenvEntry[];
  filesystem: GrubenvFilesystemFacts;
}

export async function describeBlock(location: GrubenvLocation, block: GrubenvBlock): Promise<GrubenvJson> {
  return {
    path: location.path,
    imagePath: location.imagePath,
    size: block.size,
    free: freeBytes(block),
    broken: isBroken(block),
    variables: Object.fromEntries(loadEnvView(block)),
    entries: listEntries(block),
    filesystem: await detectGrubenvFilesystem(location.path),
  };
}

/** What changes in GRUB's view (load_env) from `before` to `after`, one line each. */
export function describeChanges(before: GrubenvBlock | undefined, after: GrubenvBlock): string[] {
  const old = before ? loadEnvView(before) : new Map<string, string>();
  const now = loadEnvView(after);
  const lines: string[] = [];
  for (const [name, value] of now) {
    if (!old.has(name)) lines.push(`set ${name}=${JSON.stringify(value)}`);
    else if (old.get(name) !== value) lines.push(`set ${name}=${JSON.stringify(value)} (was ${JSON.stringify(old.get(name))})`);
  }
  for (const name of old.keys()) if (!now.has(name)) lines.push(`unset ${name}`);
  return lines;
}
