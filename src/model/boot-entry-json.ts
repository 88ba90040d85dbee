/**
 * An entry as `bootctl list --json` prints it: systemd's `boot_entry_to_json()` (newest
 * src/shared/bootspec.c), same field names, order and omissions:
 * `type`, `source`, then `id`, `path`, `root`, `title`, `showTitle`, `sortKey`, `version`,
 * `machineId`, `architecture`, `options` (lines joined by one space), `linux`, `efi`, `uki`,
 * `ukiUrl`, `profile`, `initrd` (non-empty array), `devicetree`, `devicetreeOverlay` (non-empty
 * array) only when set; `isReported` always; `triesLeft`/`triesDone` only when the file name has
 * them; `isDefault`/`isSelected` only when a default/selected entry exists; `addons` (null: add-ons
 * are not loaded) and `cmdline` (the options, when any).
 *
 * systemd 252 prints only `id` … `devicetreeOverlay` (without `uki`, `ukiUrl`, `profile`) and the
 * tries, and prints a stream of objects instead of an array.
 */
import { entryTitle, type BootEntry } from "./boot-entry.ts";

export type BootEntryJson = Record<string, unknown>;

// Named stores only (no `o[key] = …` helper): V8 turns an object that gets more than a dozen
// properties through keyed stores into a dictionary, which builds and stringifies slowly.
export function bootEntryToJson(entry: BootEntry, flags: { isDefault?: boolean | undefined; isSelected?: boolean | undefined } = {}): BootEntryJson {
  const o: BootEntryJson = { type: entry.type, source: entry.source };
  const options = entry.options.length > 0 ? entry.options.join(" ") : undefined;
  o.id = entry.id;
  o.path = entry.path;
  o.root = entry.root;
  if (entry.title !== undefined) o.title = entry.title;
  o.showTitle = entryTitle(entry);
  if (entry.sortKey !== undefined) o.sortKey = entry.sortKey;
  if (entry.version !== undefined) o.version = entry.version;
  if (entry.machineId !== undefined) o.machineId = entry.machineId;
  if (entry.architecture !== undefined) o.architecture = entry.architecture;
  if (options !== undefined) o.options = options;
  if (entry.linux !== undefined) o.linux = entry.linux;
  if (entry.efi !== undefined) o.efi = entry.efi;
  if (entry.uki !== undefined) o.uki = entry.uki;
  if (entry.ukiUrl !== undefined) o.ukiUrl = entry.ukiUrl;
  if (entry.profile !== undefined) o.profile = entry.profile;
  if (entry.initrd.length > 0) o.initrd = entry.initrd.slice();
  if (entry.devicetree !== undefined) o.devicetree = entry.devicetree;
  if (entry.devicetreeOverlay.length > 0) o.devicetreeOverlay = entry.devicetreeOverlay.slice();
  o.isReported = entry.reportedByLoader;
  if (entry.tries?.left !== undefined) o.triesLeft = entry.tries.left;
  if (entry.tries?.done !== undefined) o.triesDone = entry.tries.done;
  if (flags.isDefault !== undefined) o.isDefault = flags.isDefault;
  if (flags.isSelected !== undefined) o.isSelected = flags.isSelected;
  o.addons = null;
  if (options !== undefined) o.cmdline = options;
  return o;
}
