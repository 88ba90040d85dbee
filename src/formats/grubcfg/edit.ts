/**
 * Surgical edits of a grub.cfg text. Each edit replaces only the characters of the tokens it is
 * about (a variable's word, an entry's command and its own line, a title word) and leaves every
 * other byte as it was; the result is parsed again, so an edit never produces a script GRUB
 * cannot read (E_GRUB_SYNTAX would be a bug here, not in the input).
 *
 * Selecting an entry: by index path (`[1, 0]`, as in `default=1>0`), by id or by title (id first).
 */
import { BootctlError, ParseError } from "../../errors.ts";
import type { CommandNode, Script, SimpleCommandNode, StatementNode } from "./ast.ts";
import { flattenMenu, readMenu, type MenuNode } from "./menu.ts";
import { parse } from "./parser.ts";
import { grubQuote, grubWord } from "./quote.ts";
import { literalValue } from "./word.ts";

export type EntrySelector = { indexPath: readonly number[] } | { id: string } | { title: string };

export interface Assignment {
  /** The command node (`set name=…` or `name=…`). */
  command: SimpleCommandNode;
  /** Index in `command.words` of the `name=value` word. */
  wordIndex: number;
  /** False when inside an if, loop, block or function body. */
  topLevel: boolean;
}

interface Splice {
  start: number;
  end: number;
  insert: string;
}

function apply(text: string, splice: Splice): string {
  const out = text.slice(0, splice.start) + splice.insert + text.slice(splice.end);
  try {
    parse(out); // an edit must leave a valid script
  } catch (err) {
    if (err instanceof ParseError) {
      throw new BootctlError("E_GRUB_EDIT_INVALID", `the edit would leave a script GRUB cannot parse (${err.message}); e.g. a block or if-branch must keep one command`);
    }
    throw err;
  }
  return out;
}

/** Every assignment to `name`: `set name=…` arguments and bare `name=…` commands, in source order. */
export function findAssignments(script: Script, name: string): Assignment[] {
  const found: Assignment[] = [];
  const prefix = `${name}=`;
  const visit = (nodes: readonly (StatementNode | CommandNode)[], topLevel: boolean): void => {
    for (const node of nodes) {
      if (node.kind === "simple") {
        const first = literalValue(node.words[0]!.raw);
        if (first === "set") {
          node.words.forEach((w, i) => {
            if (i > 0 && w.raw.startsWith(prefix)) found.push({ command: node, wordIndex: i, topLevel });
          });
        } else if (node.words[0]!.raw.startsWith(prefix)) {
          found.push({ command: node, wordIndex: 0, topLevel });
        }
        if (node.block) visit(node.block.body, false);
      } else if (node.kind === "if") {
        for (const b of node.branches) { visit(b.condition, false); visit(b.body, false); }
        if (node.elseBody) visit(node.elseBody, false);
      } else if (node.kind === "for" || node.kind === "while" || node.kind === "until") {
        if (node.kind !== "for") visit(node.condition, false);
        visit(node.body, false);
      } else {
        visit(node.body, false);
      }
    }
  };
  visit(script.body, true);
  return found;
}

/** Quote `value` in the style of the word it replaces when that is safe, else with grub_quote. */
function assignmentWord(name: string, value: string, oldRaw: string | undefined): string {
  const oldValue = oldRaw?.slice(name.length + 1) ?? "";
  if (oldValue.startsWith('"') && /^[^"$\\`\u0000-\u001f\u007f]*$/.test(value)) return `${name}="${value}"`;
  return `${name}=${grubWord(value, `value of ${name}`)}`;
}

export interface SetVariableOptions {
  /** Which assignment to rewrite (offset of its command, from findAssignments). */
  at?: number;
}

/**
 * Set variable `name` to `value` in the script:
 * - `at` given: rewrite that assignment;
 * - else the last top-level assignment, or the only assignment there is;
 * - else, when there is none, add `set name='value'` as a new line before the first menu entry
 *   (or at the end);
 * - several assignments, all inside conditions: E_GRUB_EDIT_AMBIGUOUS (pick one with `at`).
 */
export function setVariable(text: string, name: string, value: string, options: SetVariableOptions = {}): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new BootctlError("E_GRUB_EDIT_NAME", `invalid variable name '${name}'`);
  const script = parse(text);
  const all = findAssignments(script, name);
  let target: Assignment | undefined;
  if (options.at !== undefined) {
    target = all.find((a) => a.command.start === options.at);
    if (!target) throw new BootctlError("E_GRUB_EDIT_NOT_FOUND", `no assignment to ${name} at offset ${options.at}`);
  } else {
    const top = all.filter((a) => a.topLevel);
    target = top[top.length - 1] ?? (all.length === 1 ? all[0] : undefined);
    if (!target && all.length > 1) {
      throw new BootctlError("E_GRUB_EDIT_AMBIGUOUS", `${name} is assigned in ${all.length} conditional places; choose one`);
    }
  }
  if (target) {
    const word = target.command.words[target.wordIndex]!;
    return apply(text, { start: word.start, end: word.end, insert: assignmentWord(name, value, word.raw) });
  }
  const line = `set ${assignmentWord(name, value, undefined)}\n`;
  const first = readMenu(script).entries[0];
  const at = first ? lineStart(text, first.start) : text.length;
  const prefix = at === text.length && text !== "" && !text.endsWith("\n") ? "\n" : "";
  return apply(text, { start: at, end: at, insert: prefix + line });
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** Find a menu entry or submenu. Throws E_GRUB_ENTRY_NOT_FOUND. */
export function findEntry(script: Script, selector: EntrySelector): MenuNode {
  const all = flattenMenu(readMenu(script).entries);
  let found: MenuNode | undefined;
  if ("indexPath" in selector) found = all.find((e) => e.indexPath.join(">") === selector.indexPath.join(">"));
  else if ("id" in selector) found = all.find((e) => e.hasId && e.id === selector.id) ?? all.find((e) => e.id === selector.id);
  else found = all.find((e) => e.title === selector.title);
  if (!found) throw new BootctlError("E_GRUB_ENTRY_NOT_FOUND", `no menu entry ${JSON.stringify(selector)}`);
  return found;
}

/** Rename an entry: only its title word changes (written with grub_quote). */
export function renameEntry(text: string, selector: EntrySelector, title: string): string {
  const entry = findEntry(parse(text), selector);
  const word = entry.titleWord;
  return apply(text, { start: word.start, end: word.end, insert: grubQuote(title, "title") });
}

/**
 * Remove an entry (menuentry or submenu with its block). When the command has its lines to
 * itself, those whole lines go (indentation and the final newline included); otherwise only the
 * command and the `;` that ends it.
 */
export function removeEntry(text: string, selector: EntrySelector): string {
  const script = parse(text);
  const entry = findEntry(script, selector);
  const startLine = lineStart(text, entry.start);
  const before = text.slice(startLine, entry.start);
  const nl = text.indexOf("\n", entry.end);
  const lineEnd = nl === -1 ? text.length : nl + 1;
  const after = text.slice(entry.end, lineEnd);
  if (/^[ \t]*$/.test(before) && /^[ \t]*\n?$/.test(after)) {
    return apply(text, { start: startLine, end: lineEnd, insert: "" });
  }
  const semi = /^[ \t]*;[ \t]*/.exec(text.slice(entry.end));
  return apply(text, { start: entry.start, end: entry.end + (semi ? semi[0].length : 0), insert: "" });
}

export interface InsertPosition {
  /** Insert before or after this entry (same menu level); default: after the last top-level entry. */
  before?: EntrySelector;
  after?: EntrySelector;
}

/**
 * Insert a menu entry (GRUB script text of one `menuentry … { … }` command, e.g. from
 * ops/grub-render.ts) as its own lines, indented like the entry it is placed next to.
 */
export function addEntry(text: string, entryScript: string, position: InsertPosition = {}): string {
  const piece = parse(entryScript);
  if (piece.body.length !== 1 || piece.body[0]!.kind !== "simple" || !["menuentry", "submenu"].includes(literalValue(piece.body[0]!.words[0]!.raw) ?? "")) {
    throw new BootctlError("E_GRUB_EDIT_ENTRY", "the text to insert must be exactly one menuentry or submenu command");
  }
  const script = parse(text);
  const anchor = position.before ?? position.after;
  let at: number;
  let indent = "";
  if (anchor) {
    const entry = findEntry(script, anchor);
    const start = lineStart(text, entry.start);
    indent = /^[ \t]*/.exec(text.slice(start))![0];
    if (position.before) at = start;
    else {
      const nl = text.indexOf("\n", entry.end);
      at = nl === -1 ? text.length : nl + 1;
    }
  } else {
    const top = readMenu(script).entries;
    const last = top[top.length - 1];
    if (last) {
      const nl = text.indexOf("\n", last.end);
      at = nl === -1 ? text.length : nl + 1;
      indent = /^[ \t]*/.exec(text.slice(lineStart(text, last.start)))![0];
    } else at = text.length;
  }
  const body = entryScript.replace(/\n$/, "").split("\n").map((l) => (l === "" ? l : indent + l)).join("\n") + "\n";
  const prefix = at === text.length && text !== "" && !text.endsWith("\n") ? "\n" : "";
  return apply(text, { start: at, end: at, insert: prefix + body });
}
