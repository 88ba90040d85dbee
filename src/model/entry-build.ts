/**
 * Building menu entries from parsed files (pure): Type #1 from an entry's fields
 * (`boot_entry_load_type1()`), Type #2 from a UKI's sections (`boot_entry_load_unified()`),
 * both in src/shared/bootspec.c. The adapter does the reading; this decides what systemd would
 * show, or why it would skip the file.
 */
import { BootctlError } from "../errors.ts";
import type { EntryFields } from "../formats/bls/entry.ts";
import { parseOsRelease, pickNameVersionSortKey } from "../formats/bls/os-release.ts";
import type { UkiImage, UkiSections } from "../formats/pe/uki.ts";
import { extractTries } from "./boot-counter.ts";
import type { BootEntry, BootEntrySource } from "./boot-entry.ts";
import { isValidEntryName } from "./entry-name.ts";

export class EntryRefusedError extends BootctlError {
  constructor(message: string) {
    super("E_BLS_ENTRY_REFUSED", message);
  }
}

function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/**
 * The id part of a Type #1 entry: counter stripped, name validated, `.conf` required
 * (case-insensitive). Throws EntryRefusedError / CounterRangeError like systemd refuses.
 */
export function type1Identity(fileName: string): Pick<BootEntry, "id" | "idOld" | "tries"> {
  const { stripped, counter } = extractTries(fileName);
  if (!isValidEntryName(stripped)) throw new EntryRefusedError(`Invalid loader entry name: ${fileName}`);
  if (!stripped.toLowerCase().endsWith(".conf")) throw new EntryRefusedError(`Invalid loader entry file suffix: ${fileName}`);
  return { id: stripped, idOld: stripped.slice(0, -".conf".length), tries: counter };
}

/** The entry of a Type #1 file. The entry takes `fields`' arrays as they are (no copies). */
export function type1Entry(fileName: string, dir: string, root: string, source: BootEntrySource, fields: EntryFields): BootEntry {
  const identity = type1Identity(fileName);
  const entry: BootEntry = {
    type: "type1",
    source,
    id: identity.id,
    path: joinPath(dir, fileName),
    root,
    options: fields.options,
    initrd: fields.initrd,
    devicetreeOverlay: fields.devicetreeOverlay,
    extra: fields.extra,
    tries: identity.tries,
    reportedByLoader: false,
  };
  // Present keys only, in one fixed order (entries of one menu then share their shapes).
  if (identity.idOld !== undefined) entry.idOld = identity.idOld;
  if (fields.title !== undefined) entry.title = fields.title;
  if (fields.sortKey !== undefined) entry.sortKey = fields.sortKey;
  if (fields.version !== undefined) entry.version = fields.version;
  if (fields.machineId !== undefined) entry.machineId = fields.machineId;
  if (fields.architecture !== undefined) entry.architecture = fields.architecture;
  if (fields.linux !== undefined) entry.linux = fields.linux;
  if (fields.efi !== undefined) entry.efi = fields.efi;
  if (fields.uki !== undefined) entry.uki = fields.uki;
  if (fields.ukiUrl !== undefined) entry.ukiUrl = fields.ukiUrl;
  if (fields.devicetree !== undefined) entry.devicetree = fields.devicetree;
  if (fields.profile !== undefined) entry.profile = fields.profile;
  return entry;
}

export interface Type2Result {
  entries: BootEntry[];
  /** Profiles systemd would skip, with the reason. */
  skipped: { profile: number; reason: string }[];
}

/**
 * The menu entries of one UKI: a single entry, or one per profile (`@<profile ID>` or `@N`;
 * profile @0 without an ID keeps the plain id). `relativePath` is the file's path below `root`.
 */
export function type2Entries(fileName: string, relativePath: string, root: string, source: BootEntrySource, uki: UkiImage): Type2Result {
  const { stripped, counter } = extractTries(fileName);
  if (!isValidEntryName(stripped)) throw new EntryRefusedError(`Invalid loader entry name: ${stripped}`);
  const parts: UkiSections[] = uki.profiles.length === 0 ? [uki.base] : uki.profiles;
  const result: Type2Result = { entries: [], skipped: [] };
  const kernel = "/" + relativePath.replace(/^\/+/, "");
  parts.forEach((part, profile) => {
    if (part.error) {
      result.skipped.push({ profile, reason: part.error.reason });
      return;
    }
    const os = parseOsRelease(part.osrel ?? "");
    const picked = pickNameVersionSortKey(os);
    if (!picked) {
      result.skipped.push({ profile, reason: "Missing fields in os-release data from unified kernel image, refusing." });
      return;
    }
    let profileId: string | undefined;
    let profileTitle: string | undefined;
    if (part.profile !== undefined) {
      const meta = parseOsRelease(part.profile);
      profileId = meta.ID;
      profileTitle = meta.TITLE;
    }
    const entry: BootEntry = {
      type: "type2",
      source,
      id: stripped,
      path: joinPath(root, relativePath.replace(/^\/+/, "")),
      root,
      linux: kernel,
      options: part.cmdline === undefined ? [] : [part.cmdline],
      initrd: [],
      devicetreeOverlay: [],
      extra: [],
      tries: counter,
      reportedByLoader: false,
      profile,
    };
    if (profileId !== undefined || profile > 0) {
      entry.idWithoutProfile = stripped;
      entry.id = profileId !== undefined ? `${stripped}@${profileId}` : `${stripped}@${profile}`;
    }
    if (os.ID !== undefined && os.VERSION_ID !== undefined) entry.idOld = `${os.ID}-${os.VERSION_ID}`;
    entry.title = profileTitle !== undefined ? `${picked.name} (${profileTitle})`
      : profileId !== undefined ? `${picked.name} (${profileId})`
      : profile > 0 ? `${picked.name} (@${profile})`
      : picked.name;
    if (picked.sortKey !== undefined) entry.sortKey = picked.sortKey;
    if (picked.version !== undefined) entry.version = picked.version;
    result.entries.push(entry);
  });
  return result;
}
