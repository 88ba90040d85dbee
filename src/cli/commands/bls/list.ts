/**
 * `bootctl-ts list`: the boot menu in boot order, like `bootctl list` (systemd
 * src/bootctl/bootctl-status.c `verb_list()`, src/shared/bootspec.c `show_boot_entries()`).
 * JSON: an array (`[]` when empty) of `bootEntryToJson()` objects. Text: one block per entry
 * as `show_boot_entry()` prints it; an empty menu prints "No boot loader entries found." to stderr.
 * Paths are printed whole, the partition's root (grey) joined to the path on it with one slash,
 * as systemd 252's `source:` line (current systemd joins them with two: `/efi//loader/…`).
 */
import { FilePresence } from "../../../adapters/file-presence.ts";
import { describeErrno } from "../../../errors.ts";
import { bootEntryToJson } from "../../../model/boot-entry-json.ts";
import { entryTitle, type BootEntry } from "../../../model/boot-entry.ts";
import type { CommandInvocation } from "../../invocation.ts";
import type { Output } from "../../output.ts";
import { loadMenu } from "../../../actions/boot-menu.ts";

const TYPE_DESCRIPTION: Record<BootEntry["type"], string> = {
  type1: "Boot Loader Specification Type #1 (.conf)",
  type2: "Boot Loader Specification Type #2 (UKI, .efi)",
  loader: "Reported by Boot Loader",
  auto: "Automatic",
};

const SOURCE_DESCRIPTION: Record<BootEntry["source"], string> = {
  esp: "EFI System Partition",
  xbootldr: "Extended Boot Loader Partition",
};

/** `show_boot_entry()`'s field labels: the name right-aligned in 13 columns, then ":". */
function label(field: string): string {
  return field.padStart(13) + ":";
}

/** The label of the second and later files of a list (initrd, devicetree-overlay): blank. */
const CONTINUATION_LABEL = " ".repeat(14);
const LINUX_LABEL = label("linux");
const EFI_LABEL = label("efi");
const UKI_LABEL = label("uki");
const INITRD_LABEL = label("initrd");
const DEVICETREE_LABEL = label("devicetree");
const DEVICETREE_OVERLAY_LABEL = label("devicetree-overlay");

/**
 * One file line, with the line break before it; a missing file is shown in red with
 * `strerror()` of `access()`'s errno.
 */
function fileLine(fieldLabel: string, root: string, p: string, output: Output, files: FilePresence): string {
  const errno = files.missing(root, p);
  const shown = errno === undefined ? p : `${output.style.red(p)} (${strerror(errno)})`;
  return `\n${fieldLabel} ${output.style.gray(root)}${p.startsWith("/") ? "" : "/"}${shown}`;
}

/** Continuation lines of a multi-line value (a UKI's .cmdline may have line breaks) under the value. */
function indentContinuation(text: string): string {
  return text.includes("\n") ? text.split(/\r?\n/).join("\n              ") : text;
}

const strerrorTexts = new Map<string, string>();

/** `strerror()` wording: the sentence-case form of our errno descriptions. */
function strerror(errno: string): string {
  let text = strerrorTexts.get(errno);
  if (text === undefined) {
    const described = describeErrno(errno);
    text = described.charAt(0).toUpperCase() + described.slice(1);
    strerrorTexts.set(errno, text);
  }
  return text;
}

/** One entry as `show_boot_entry()` prints it: its lines joined by line breaks (none at the end). */
export function formatEntry(e: BootEntry, isDefault: boolean, isSelected: boolean, output: Output, files: FilePresence): string {
  const s = output.style;
  let out = `         type: ${TYPE_DESCRIPTION[e.type]}\n        title: ${s.bold(entryTitle(e))}`;
  if (isDefault) out += ` ${s.green("(default)")}`;
  if (isSelected) out += ` ${s.magenta("(selected)")}`;
  if (e.type === "loader") out += ` ${s.red("(reported/absent)")}`;
  else if (!e.reportedByLoader && e.type !== "auto") out += ` ${s.green("(not reported/new)")}`;
  out += `\n           id: ${e.id}${e.idWithoutProfile !== undefined && e.idWithoutProfile !== e.id ? ` (without profile: ${e.idWithoutProfile})` : ""}`;
  if (e.root !== "" && e.path.startsWith(e.root + "/")) {
    out += `\n       source: ${s.gray(e.root)}${e.path.slice(e.root.length)} (on the ${SOURCE_DESCRIPTION[e.source]})`;
  } else {
    out += `\n       source: ${e.path} (on the ${SOURCE_DESCRIPTION[e.source]})`;
  }
  if (e.tries) out += `\n        tries: ${e.tries.left} left${e.tries.done === undefined ? "" : `; ${e.tries.done} done`}`;
  if (e.sortKey !== undefined) out += `\n     sort-key: ${e.sortKey}`;
  if (e.version !== undefined) out += `\n      version: ${e.version}`;
  if (e.machineId !== undefined) out += `\n   machine-id: ${e.machineId}`;
  if (e.architecture !== undefined) out += `\n architecture: ${e.architecture}`;
  if (e.linux !== undefined) out += fileLine(LINUX_LABEL, e.root, e.linux, output, files);
  if (e.efi !== undefined) out += fileLine(EFI_LABEL, e.root, e.efi, output, files);
  if (e.uki !== undefined) out += fileLine(UKI_LABEL, e.root, e.uki, output, files);
  if (e.ukiUrl !== undefined) out += `\n      uki-url: ${e.ukiUrl}`;
  if (e.profile !== undefined) out += `\n      profile: ${e.profile}`;
  for (let i = 0; i < e.initrd.length; i++) out += fileLine(i === 0 ? INITRD_LABEL : CONTINUATION_LABEL, e.root, e.initrd[i]!, output, files);
  if (e.options.length > 0) out += `\n      options: ${indentContinuation(e.options.join(" "))}`;
  if (e.devicetree !== undefined) out += fileLine(DEVICETREE_LABEL, e.root, e.devicetree, output, files);
  for (let i = 0; i < e.devicetreeOverlay.length; i++) {
    out += fileLine(i === 0 ? DEVICETREE_OVERLAY_LABEL : CONTINUATION_LABEL, e.root, e.devicetreeOverlay[i]!, output, files);
  }
  return out;
}

export default async function list({ globals, output }: CommandInvocation): Promise<number> {
  const menu = await loadMenu(globals, "grub");
  for (const w of menu.warnings) output.warn(w);
  const defaultIndex = menu.defaultEntry?.index ?? -1;
  if (output.json !== "off") {
    output.printJson(menu.entries.map((e, i) => bootEntryToJson(e, {
      isDefault: defaultIndex >= 0 ? i === defaultIndex : undefined,
      isSelected: menu.selectedIndex >= 0 ? i === menu.selectedIndex : undefined,
    })));
    return 0;
  }
  if (menu.entries.length === 0) {
    output.info("No boot loader entries found.");
    if (!menu.partitions.esp && !menu.partitions.xbootldr) output.info("No ESP or XBOOTLDR partition: a GRUB system; its own menu is 'bootctl-ts grub menu'.");
    return 0;
  }
  const files = new FilePresence();
  // One string per entry, one join: entries are separated by an empty line.
  const blocks = new Array<string>(menu.entries.length);
  for (let i = 0; i < blocks.length; i++) blocks[i] = formatEntry(menu.entries[i]!, i === defaultIndex, i === menu.selectedIndex, output, files);
  output.line(blocks.join("\n\n"));
  return 0;
}
