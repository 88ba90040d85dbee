/**
 * The boot menu a grub.cfg declares: `menuentry` and `submenu` commands, their options and
 * nesting (grub-core/commands/menuentry.c, option parsing as grub-core/lib/arg.c does it):
 * - options may appear anywhere among the arguments, `--opt=value` or `--opt value` (a value
 *   never starts with `-`); long names match exactly; `--` ends the options; an unknown dash
 *   argument is positional (GRUB_COMMAND_ACCEPT_DASH);
 * - `-h`/`--help`/`-u`/`--usage` print help and define no entry;
 * - the first positional argument is the title, the others become `$2…` of the body;
 * - `--id` defaults to the title; users: `--users` list, `--unrestricted` anyone, else superusers;
 * - entries and submenus share one numbering per menu level, from 0.
 *
 * `readMenu` is the static view: it walks the script without running it, so entries inside an
 * `if` are all listed (marked `conditional`) and titles keep their variables as written (`$A_OK`).
 * An argument made only of unquoted variables (`$menuentry_id_option`, which Debian's and
 * Ubuntu's 10_linux set to `--id`) is expanded with `lookup` and split into fields as GRUB does
 * (grub-core/script/execute.c), so it can be an option; model/grub-menu.ts supplies the values
 * the script sets before its entries.
 * What GRUB really shows for a given grubenv is computed by src/model/grub-default.ts.
 */
import type { CommandNode, Script, SimpleCommandNode, StatementNode, WordNode } from "./ast.ts";
import { displayValue, expandWord, isBareVariables, literalValue, wordParts, type Lookup } from "./word.ts";

export interface MenuentryOptions {
  title: string | undefined;
  id: string | undefined;
  classes: string[];
  users: string | undefined;
  unrestricted: boolean;
  hotkey: string | undefined;
  /** Positional arguments after the title (`$2`, `$3`, … in the body). */
  extraArgs: string[];
  /** `-h`/`--help`/`-u`/`--usage` was given: GRUB prints usage and defines nothing. */
  help: boolean;
  /** Index in the argument list of the title, or -1. */
  titleIndex: number;
}

const VALUE_OPTIONS = new Set(["class", "users", "hotkey", "id", "source"]);

/** Parse menuentry/submenu arguments (values already expanded), without the block. */
export function parseMenuentryArgs(args: readonly string[]): MenuentryOptions {
  const o: MenuentryOptions = {
    title: undefined, id: undefined, classes: [], users: undefined, unrestricted: false, hotkey: undefined, extraArgs: [], help: false, titleIndex: -1,
  };
  const positional: string[] = [];
  const positionalIndex: number[] = [];
  let optionsDone = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (optionsDone || !arg.startsWith("-") || arg === "-") { positional.push(arg); positionalIndex.push(i); continue; }
    if (arg === "--") { optionsDone = true; continue; }
    if (!arg.startsWith("--")) {
      // Short options: only -h and -u exist for menuentry; others are positional.
      if (arg === "-h" || arg === "-u") o.help = true;
      else { positional.push(arg); positionalIndex.push(i); }
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (name === "help" || name === "usage") { o.help = true; continue; }
    if (name === "unrestricted") { o.unrestricted = true; continue; }
    if (!VALUE_OPTIONS.has(name)) { positional.push(arg); positionalIndex.push(i); continue; }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1]!.startsWith("-")) value = args[++i];
    if (value === undefined) continue;
    if (name === "class") o.classes.push(value);
    else if (name === "users") o.users = value;
    else if (name === "hotkey") o.hotkey = value;
    else if (name === "id") o.id = value;
  }
  o.title = positional[0];
  o.titleIndex = positionalIndex[0] ?? -1;
  o.extraArgs = positional.slice(1);
  return o;
}

/** What a `menuentry`/`submenu` command declares, and where it sits in the menu tree. */
export interface MenuEntryFields {
  type: "entry" | "submenu";
  title: string;
  /** `--id`, or the title when there is none (what `default`/`chosen` match). */
  id: string;
  /** True when `--id` was given. */
  hasId: boolean;
  classes: string[];
  /** `--users` value; undefined when absent. */
  users: string | undefined;
  unrestricted: boolean;
  hotkey: string | undefined;
  extraArgs: string[];
  /** Index of the entry within its menu level, for each level from the top. */
  indexPath: number[];
  titlePath: string[];
}

export interface MenuNode extends MenuEntryFields {
  /** Inside an `if`, loop or function: whether GRUB shows it depends on run time. */
  conditional: boolean;
  /** True when the title or id contains variables (shown here as `${name}`). */
  dynamic: boolean;
  /** Offsets of the whole command in the source. */
  start: number;
  end: number;
  /** The command node (for edits). */
  node: SimpleCommandNode;
  /** The word that holds the title. */
  titleWord: WordNode;
  children: MenuNode[];
}

export interface StaticMenu {
  entries: MenuNode[];
  /** Commands that add entries at run time: blscfg / bls_import, source, configfile, … with their line offsets. */
  dynamicSources: { command: string; start: number }[];
}

const DYNAMIC_COMMANDS = new Set(["blscfg", "bls_import", "source", "configfile", "extract_entries_source", "extract_entries_configfile"]);

/**
 * The arguments of a menuentry/submenu for the static view: words that are only unquoted
 * variables known to `lookup` expand to their fields; every other word keeps its variables as written.
 */
function staticArgs(words: readonly WordNode[], lookup: Lookup): string[] {
  const out: string[] = [];
  for (const w of words) {
    if (isBareVariables(w.raw) && wordParts(w.raw).every((p) => p.kind === "var" && lookup(p.name) !== undefined)) out.push(...expandWord(w.raw, lookup));
    else out.push(displayValue(w.raw));
  }
  return out;
}

/** Index in `words` of the argument that holds the title: the `titleIndex`-th argument after expansion. */
function titleWordIndex(words: readonly WordNode[], lookup: Lookup, titleIndex: number): number {
  let k = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const n = isBareVariables(w.raw) && wordParts(w.raw).every((p) => p.kind === "var" && lookup(p.name) !== undefined) ? expandWord(w.raw, lookup).length : 1;
    if (titleIndex < k + n) return i;
    k += n;
  }
  return 0;
}

/** The static menu tree of a parsed script. `lookup` gives the values of variables that make up whole arguments (see staticArgs). */
export function readMenu(script: Script, lookup: Lookup = () => undefined): StaticMenu {
  const dynamicSources: { command: string; start: number }[] = [];

  const walk = (nodes: readonly (StatementNode | CommandNode)[], parentIndex: number[], parentTitles: string[], conditional: boolean, out: MenuNode[]): void => {
    for (const node of nodes) {
      switch (node.kind) {
        case "simple": {
          const name = literalValue(node.words[0]!.raw);
          if (name === "menuentry" || name === "submenu") {
            const words = node.words.slice(1);
            const dynamic = words.some((w) => literalValue(w.raw) === undefined);
            const o = parseMenuentryArgs(staticArgs(words, lookup));
            if (o.help || o.title === undefined || node.block === undefined) break;
            const indexPath = [...parentIndex, out.length];
            const titlePath = [...parentTitles, o.title];
            const entry: MenuNode = {
              type: name === "submenu" ? "submenu" : "entry",
              title: o.title, id: o.id ?? o.title, hasId: o.id !== undefined, classes: o.classes, users: o.users,
              unrestricted: o.unrestricted, hotkey: o.hotkey, extraArgs: o.extraArgs, indexPath, titlePath,
              conditional, dynamic, start: node.start, end: node.end, node, titleWord: words[titleWordIndex(words, lookup, o.titleIndex)]!, children: [],
            };
            out.push(entry);
            if (name === "submenu") walk(node.block.body, indexPath, titlePath, conditional, entry.children);
          } else if (name !== undefined && DYNAMIC_COMMANDS.has(name)) {
            dynamicSources.push({ command: name, start: node.start });
          }
          break;
        }
        case "if":
          for (const b of node.branches) { walk(b.condition, parentIndex, parentTitles, true, out); walk(b.body, parentIndex, parentTitles, true, out); }
          if (node.elseBody) walk(node.elseBody, parentIndex, parentTitles, true, out);
          break;
        case "for": case "while": case "until":
          walk(node.body, parentIndex, parentTitles, true, out);
          break;
        case "function":
          walk(node.body, parentIndex, parentTitles, true, out);
          break;
      }
    }
  };

  const entries: MenuNode[] = [];
  walk(script.body, [], [], false, entries);
  return { entries, dynamicSources };
}

/** Depth-first list of every node of a menu tree. */
export function flattenMenu(entries: readonly MenuNode[]): MenuNode[] {
  const out: MenuNode[] = [];
  const visit = (list: readonly MenuNode[]) => { for (const e of list) { out.push(e); visit(e.children); } };
  visit(entries);
  return out;
}
