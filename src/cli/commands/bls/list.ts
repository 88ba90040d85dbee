/**
 * `bootctl-ts list`: the boot menu in boot order, like `bootctl list` (systemd
 * src/bootctl/bootctl-status.c `verb_list()`, src/shared/bootspec.c `show_boot_entries()`).
 * JSON: an array (`[]` when empty) of `bootEntryToJson()` objects. Text: one block per entry
 * as `show_boot_entry()` prints it; an empty menu prints "No boot loader entries found." to stderr.
 */
import { FilePresence } from "../../../adapters/file-presence.ts";
import { describeErrno } from "../../../errors.ts";
import { bootEntryToJson } from "../../../model/boot-entry-json.ts";
import { entryTitle, type BootEntry } from "../../../model/boot-entry.ts";
import type { CommandInvocation } from "../../invocation.ts";
import type { Output } from "../../output.ts";
import { loadMenu } from "./menu.ts";

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

/** One file line; a missing file is shown in red with `strerror()` of `access()`'s errno. */
function fileLine(out: string[], field: string | undefined, root: string, p: string, output: Output, files: FilePresence): void {
  const label = (field ?? "").padStart(13) + (field ? ":" : " ");
  const errno = files.missing(root, p);
  const shown = errno === undefined ? p : `${output.style.red(p)} (${strerror(errno)})`;
  out.push(`${label} ${output.style.gray(root + "/")}${shown}`);
}

/** Continuation lines of a multi-line value (a UKI's .cmdline may have line breaks) under the value. */
function indentContinuation(text: string): string {
  return text.includes("\n") ? text.split(/\r?\n/).join("\n              ") : text;
}

/** `strerror()` wording: the sentence-case form of our errno descriptions. */
function strerror(errno: string): string {
  const text = describeErrno(errno);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One entry as `show_boot_entry()` prints it, its lines appended to `out`. */
export function formatEntry(e: BootEntry, isDefault: boolean, isSelected: boolean, output: Output, files: FilePresence, out: string[] = []): string[] {
  const s = output.style;
  out.push(`         type: ${TYPE_DESCRIPTION[e.type]}`);
  let title = `        title: ${s.bold(entryTitle(e))}`;
  if (isDefault) title += ` ${s.green("(default)")}`;
  if (isSelected) title += ` ${s.magenta("(selected)")}`;
  if (e.type === "loader") title += ` ${s.red("(reported/absent)")}`;
  else if (!e.reportedByLoader && e.type !== "auto") title += ` ${s.green("(not reported/new)")}`;
  out.push(title);
  out.push(`           id: ${e.id}${e.idWithoutProfile !== undefined && e.idWithoutProfile !== e.id ? ` (without profile: ${e.idWithoutProfile})` : ""}`);
  if (e.root !== "" && e.path.startsWith(e.root + "/")) {
    out.push(`       source: ${s.gray(e.root + "/")}/${e.path.slice(e.root.length + 1)} (on the ${SOURCE_DESCRIPTION[e.source]})`);
  } else {
    out.push(`       source: ${e.path} (on the ${SOURCE_DESCRIPTION[e.source]})`);
  }
  if (e.tries) out.push(`        tries: ${e.tries.left} left${e.tries.done === undefined ? "" : `; ${e.tries.done} done`}`);
  if (e.sortKey !== undefined) out.push(`     sort-key: ${e.sortKey}`);
  if (e.version !== undefined) out.push(`      version: ${e.version}`);
  if (e.machineId !== undefined) out.push(`   machine-id: ${e.machineId}`);
  if (e.architecture !== undefined) out.push(` architecture: ${e.architecture}`);
  if (e.linux !== undefined) fileLine(out, "linux", e.root, e.linux, output, files);
  if (e.efi !== undefined) fileLine(out, "efi", e.root, e.efi, output, files);
  if (e.uki !== undefined) fileLine(out, "uki", e.root, e.uki, output, files);
  if (e.ukiUrl !== undefined) out.push(`      uki-url: ${e.ukiUrl}`);
  if (e.profile !== undefined) out.push(`      profile: ${e.profile}`);
  e.initrd.forEach((p, i) => fileLine(out, i === 0 ? "initrd" : undefined, e.root, p, output, files));
  if (e.options.length > 0) out.push(`      options: ${indentContinuation(e.options.join(" "))}`);
  if (e.devicetree !== undefined) fileLine(out, "devicetree", e.root, e.devicetree, output, files);
  e.devicetreeOverlay.forEach((p, i) => fileLine(out, i === 0 ? "devicetree-overlay" : undefined, e.root, p, output, files));
  return out;
}

export default async function list({ globals, output }: CommandInvocation): Promise<number> {
  const menu = await loadMenu(globals, output);
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
    return 0;
  }
  const files = new FilePresence();
  // One array of lines, one join: entries are separated by an empty line.
  const lines: string[] = [];
  menu.entries.forEach((e, i) => {
    if (i > 0) lines.push("");
    formatEntry(e, i === defaultIndex, i === menu.selectedIndex, output, files, lines);
  });
  output.line(lines.join("\n"));
  return 0;
}
