/**
 * The grub.cfg concrete syntax tree. The token list (see lexer.ts) is the source of truth and
 * holds every character of the input; nodes point into it by token index, so printing a tree
 * (stringify.ts) gives back the input byte for byte and an edit can replace exactly the tokens
 * of one node (edit.ts).
 */
import type { Token, TokenList } from "./lexer.ts";

/** A word token (argument) of a command. */
export interface WordNode {
  /** Index of the word token in `Script.tokens`. */
  token: number;
  /** The word exactly as written (quotes and escapes included). */
  raw: string;
  start: number;
  end: number;
}

/** Position of a node in the token list: first and last significant token, inclusive. */
export interface Span {
  firstToken: number;
  lastToken: number;
  /** Offset of the first character of the node. */
  start: number;
  /** Offset after the last character of the node. */
  end: number;
}

/** `{ commands }` after a command's arguments (menuentry, submenu, any command). */
export interface BlockNode extends Span {
  body: CommandNode[];
}

/** A simple command: name, arguments, optional block (grubcmd in parser.y). */
export interface SimpleCommandNode extends Span {
  kind: "simple";
  words: WordNode[];
  block: BlockNode | undefined;
}

export interface IfBranch {
  condition: CommandNode[];
  body: CommandNode[];
}

/** `if … then … [elif … then …]… [else …] fi`. */
export interface IfNode extends Span {
  kind: "if";
  branches: IfBranch[];
  elseBody: CommandNode[] | undefined;
}

/** `for NAME in WORDS; do …; done`. */
export interface ForNode extends Span {
  kind: "for";
  variable: WordNode;
  items: WordNode[];
  body: CommandNode[];
}

/** `while …; do …; done` or `until …; do …; done`. */
export interface LoopNode extends Span {
  kind: "while" | "until";
  condition: CommandNode[];
  body: CommandNode[];
}

/** `function NAME { …; }` (only at the top level of a script). */
export interface FunctionNode extends Span {
  kind: "function";
  name: WordNode;
  body: CommandNode[];
}

export type CommandNode = SimpleCommandNode | IfNode | ForNode | LoopNode;
export type StatementNode = CommandNode | FunctionNode;

export interface Script {
  /** The input text. */
  text: string;
  /** Every token of the input, trivia included; their texts concatenate to `text` (built on first use). */
  readonly tokens: Token[];
  /** The same tokens, stored compactly. */
  tokenList?: TokenList;
  body: StatementNode[];
}
