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

export function bootEntryToJson(entry: BootEntry, flags: { isDefault?: boolean | undefined; isSelected?: boolean | undefined } = {}): BootEntryJson {
  const o: BootEntryJson = { type: entry.type, source: entry.source };
  const put = (key: string, value: unknown) => {
    if (value !== undefined) o[key] = value;
  };
  const options = entry.options.length > 0 ? entry.options.join(" ") : undefined;
  put("id", entry.id);
  put("path", entry.path);
  put("root", entry.root);
  put("title", entry.title);
  put("showTitle", entryTitle(entry));
  put("sortKey", entry.sortKey);
  put("version", entry.version);
  put("machineId", entry.machineId);
  put("architecture", entry.architecture);
  put("options", options);
  put("linux", entry.linux);
  put("efi", entry.efi);
  put("uki", entry.uki);
  put("ukiUrl", entry.ukiUrl);
  put("profile", entry.profile);
  put("initrd", entry.initrd.length > 0 ? entry.initrd.slice() : undefined);
  put("devicetree", entry.devicetree);
  put("devicetreeOverlay", entry.devicetreeOverlay.length > 0 ? entry.devicetreeOverlay.slice() : undefined);
  o.isReported = entry.reportedByLoader;
  put("triesLeft", entry.tries?.left);
  put("triesDone", entry.tries?.done);
  put("isDefault", flags.isDefault);
  put("isSelected", flags.isSelected);
  o.addons = null;
  put("cmdline", options);
  return o;
}
