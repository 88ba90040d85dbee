/**
 * Boot Loader Specification entries → GRUB script, one `menuentry` per entry, in the given
 * (menu) order. Pure: entries in, text out.
 *
 * Safety rules (GRUB manual "Shell-like scripting" quoting; grub-core/commands/menuentry.c and grub-core/lib/arg.c for options; util/grub-mkconfig_lib.in `grub_quote()`; every rule checked by test/ops/grub-render.test.ts and the
 * grub-script-check / grub-emu differential tests):
 * - every value is written with grub-mkconfig's `grub_quote` (single quotes, `'` as `'\''`), so
 *   `$`, `;`, `\`, `"`, `{}`, `>`, `#` in titles, ids, paths and options stay literal;
 * - options come first, as `--opt='value'` (one word, so a value starting with `-` cannot be taken
 *   for an option), then `--`, then the title: a title like `--help` or `-h` is a title;
 * - control characters (C0, DEL) anywhere are refused (E_GRUB_CONTROL_CHARACTER);
 * - kernel options are split the way the kernel splits its command line (blanks outside double
 *   quotes) and each argument is passed without its double quotes: GRUB 2.06's `linux` command
 *   (lib/cmdline.c) rebuilds the command line, wrapping an argument that contains a space in
 *   double quotes and backslash-escaping `"`, `'` and `\`, so quotes must not be passed through.
 *
 * Boot counting (ops/grub-counting-script.ts, grub/README.md): every entry carries the two hooks
 * the counting fragment relies on, inert without it (their variables are then unset):
 * - first in its body, when the fragment set `bootctl_record` (a trial exists): the entry saves
 *   `bootctl_booted` = its own id, and when it is the trial the fragment picked, the trial's
 *   lowered tries (`bootctl_left`), in one `save_env`, before its kernel is loaded. So the record
 *   names the entry that really runs, whatever chose it (default, one-shot, a key press);
 * - after the `menuentry`: when `bootctl_pick` names this entry, `default` becomes this entry
 *   (id with `>` doubled, as GRUB's menuentry_eq reads `default`). A trial without a menu entry
 *   is never picked, and GRUB boots the fallback the fragment put in `default`.
 *
 * Paths are the entry's paths on its partition; `roots` says how GRUB finds that partition
 * (`search --fs-uuid --set=root`) and/or a prefix to put before each path (e.g. `/boot` when
 * XBOOTLDR is /boot on the file system GRUB's `$root` already points at).
 */
import { BootctlError } from "../errors.ts";
import type { BootEntry, BootEntrySource } from "../model/boot-entry.ts";
import { checkScript } from "../formats/grubcfg/parser.ts";
import { assertNoControlCharacters, grubQuote } from "../formats/grubcfg/quote.ts";
import { grubEntryId } from "../model/grub-entry-id.ts";

/** The minimal entry the renderer needs (a subset of BootEntry). */
export type RenderableEntry = Pick<BootEntry, "id" | "options" | "initrd"> &
  Partial<Pick<BootEntry, "title" | "showTitle" | "version" | "linux" | "efi" | "uki" | "devicetree" | "source" | "type">>;

export interface PartitionLocation {
  /** File system UUID GRUB searches for (`search --no-floppy --fs-uuid --set=root UUID`). */
  uuid?: string;
  /** Prefix for paths on this partition as GRUB sees them (`/boot`); default none. */
  prefix?: string;
}

export interface RenderOptions {
  roots?: Partial<Record<BootEntrySource, PartitionLocation>>;
  /** `--class` values for every entry (default `["bootctl-ts"]`). */
  classes?: string[];
  /** Header comment lines (without `#`). */
  header?: string[];
}

/** Split a kernel command line like the kernel's `next_arg()`: blanks outside double quotes separate; the quotes are dropped. */
export function splitKernelOptions(options: readonly string[]): string[] {
  const args: string[] = [];
  for (const line of options) {
    let current = "";
    let inQuote = false;
    let started = false;
    for (const c of line) {
      if (c === '"') { inQuote = !inQuote; started = true; continue; }
      if (!inQuote && /\s/.test(c)) {
        if (started) args.push(current);
        current = "";
        started = false;
        continue;
      }
      current += c;
      started = true;
    }
    if (started) args.push(current);
  }
  return args;
}

function path(entry: RenderableEntry, p: string, roots: RenderOptions["roots"]): string {
  const prefix = roots?.[entry.source ?? "esp"]?.prefix ?? "";
  const joined = prefix.replace(/\/+$/, "") + (p.startsWith("/") ? p : "/" + p);
  return grubQuote(joined, `path of entry ${entry.id}`);
}

/** The title GRUB shows for an entry (systemd's shown title, else title, else id). */
export function renderTitle(entry: RenderableEntry): string {
  return entry.showTitle ?? entry.title ?? entry.id;
}

/** One `menuentry` command for `entry`, ending with a newline. */
export function renderEntry(entry: RenderableEntry, options: RenderOptions = {}): string {
  const title = renderTitle(entry);
  assertNoControlCharacters(title, `title of entry ${entry.id}`);
  const menuId = grubEntryId(entry.id);
  const quotedId = grubQuote(menuId, "entry id");
  const words = ["menuentry", `--id=${quotedId}`];
  for (const c of options.classes ?? ["bootctl-ts"]) words.push(`--class=${grubQuote(c, "class")}`);
  words.push("--", grubQuote(title, `title of entry ${entry.id}`), "{");
  const body: string[] = [
    'if [ -n "${bootctl_record}" ]; then',
    `\tset bootctl_booted=${quotedId}`,
    `\tif [ "\${bootctl_pick}" = ${quotedId} ]; then set bootctl_tries="\${bootctl_left}"; fi`,
    '\tsave_env -f "${bootctl_record}" bootctl_booted bootctl_tries',
    "fi",
  ];
  const location = options.roots?.[entry.source ?? "esp"];
  if (location?.uuid !== undefined) body.push(`search --no-floppy --fs-uuid --set=root ${grubQuote(location.uuid, "file system UUID")}`);
  const kernelArgs = splitKernelOptions(entry.options).map((a) => grubQuote(a, `options of entry ${entry.id}`));
  const efi = entry.linux === undefined ? (entry.uki ?? entry.efi) : undefined;
  if (entry.linux !== undefined) {
    body.push(["linux", path(entry, entry.linux, options.roots), ...kernelArgs].join(" "));
    if (entry.initrd.length > 0) body.push(["initrd", ...entry.initrd.map((i) => path(entry, i, options.roots))].join(" "));
    if (entry.devicetree !== undefined) body.push(`devicetree ${path(entry, entry.devicetree, options.roots)}`);
  } else if (efi !== undefined) {
    body.push(["chainloader", path(entry, efi, options.roots), ...kernelArgs].join(" "));
  } else {
    throw new BootctlError("E_GRUB_RENDER_NO_KERNEL", `entry ${entry.id} has neither linux nor efi/uki: GRUB cannot boot it`);
  }
  const pick = `if [ "\${bootctl_pick}" = ${quotedId} ]; then set default=${grubQuote(menuId.replace(/>/g, ">>"), "entry id")}; fi\n`;
  return `${words.join(" ")}\n${body.map((l) => "\t" + l + "\n").join("")}}\n${pick}`;
}

/**
 * The whole script for `entries`. The result is checked with our grub-script-check port before
 * it is returned (a failure would be a bug: E_GRUB_RENDER_INVALID).
 */
export function renderGrubScript(entries: readonly RenderableEntry[], options: RenderOptions = {}): string {
  const header = (options.header ?? ["Generated by bootctl-ts from Boot Loader Specification entries. Do not edit."])
    .map((l) => { assertNoControlCharacters(l, "header"); return `# ${l}\n`; }).join("");
  const text = header + entries.map((e) => renderEntry(e, options)).join("");
  if (entries.length > 0) {
    const error = checkScript(text);
    if (error) throw new BootctlError("E_GRUB_RENDER_INVALID", `rendered script does not parse: ${error.message}`);
  }
  return text;
}
