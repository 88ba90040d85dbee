/**
 * Parser for GRUB script, following GRUB 2.06's grammar (grub-core/script/parser.y):
 *
 *   script     := NL* (statement delimiter NL*)*
 *   statement  := command | 'function' NAME NL* '{' commands1 delimiters1 '}'
 *   command    := grubcmd | if | for | while | until
 *   grubcmd    := (NAME|WORD) argument* block?        argument := NAME | WORD | reserved word
 *   block      := '{' commands1 delimiters0 '}'
 *   commands1  := NL* command (delimiters1 command)*  delimiters1 := (';'|NL) NL*
 *   if         := 'if' commands1 delimiters1 'then' commands1 delimiters1
 *                 ('elif' … | 'else' commands1 delimiters1)? 'fi'
 *   for        := 'for' NAME 'in' argument* delimiters1 'do' commands1 delimiters1 'done'
 *   while/until:= 'while' commands1 delimiters1 'do' commands1 delimiters1 'done'
 *
 * Consequences a writer must respect (all checked against grub-script-check): functions only at
 * the top level; a block holds at least one command and is the last argument; `then`/`do`/`fi`/
 * `done`/`}` of if/loops/functions need a delimiter before them (a menuentry block does not);
 * `|`, `&`, `&&`, `||`, `;;`, `<`, `>`, `[[`, `]]` are always syntax errors; `; ;` is an error.
 * Errors are ParseError E_GRUB_SYNTAX with the line and column of the offending token.
 */
import { ParseError } from "../../errors.ts";
import type {
  BlockNode, CommandNode, ForNode, FunctionNode, IfBranch, IfNode, LoopNode, Script, SimpleCommandNode,
  Span, StatementNode, WordNode,
} from "./ast.ts";
import { END, lastLine, LexicalError, lexicalToParseError, LineMap, RESERVED_WORDS, Scanner, TOKEN_CODES, TokenList, type Token, type TokenKind } from "./lexer.ts";

const EOF = "end of input";

/** The grammar symbol of a word: the reserved word itself, else WORD (NAME is checked where it matters, see isName). */
const RESERVED_BY_LENGTH: string[][] = [];
for (const w of RESERVED_WORDS) (RESERVED_BY_LENGTH[w.length] ??= []).push(w);

/** bison's YYMAXDEPTH, and the entries on GRUB's parser stack per open construct (see `nested`). */
const BISON_MAX_DEPTH = 10000;
const BISON_BASE_DEPTH = 7;
const COST_IF = 6;
const COST_LOOP = 6;
const COST_FOR = 8;
const COST_ELSE = 9;
const COST_BLOCK = 5;

function wordSymbol(text: string, start: number, end: number): string {
  const candidates = RESERVED_BY_LENGTH[end - start];
  if (candidates) for (const w of candidates) if (text.startsWith(w, start)) return w;
  return "WORD";
}

function operatorSymbol(text: string, start: number, end: number): string {
  if (end - start === 1) {
    switch (text.charCodeAt(start)) {
      case 0x3b: return ";";
      case 0x7b: return "{";
      case 0x7d: return "}";
    }
  }
  return text.slice(start, end);
}

/** yylex.l NAME (`[[:alpha:]_][[:alnum:]_]*`): only `for` and `function` need a NAME rather than any word. */
function isName(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
    if (!alpha && (i === start || c < 0x30 || c > 0x39)) return false;
  }
  return end > start;
}

const NO_SPAN: Span = { firstToken: 0, lastToken: 0, start: 0, end: 0 };
const NO_WORD: WordNode = { token: 0, raw: "", start: 0, end: 0 };
const NO_SIMPLE: SimpleCommandNode = { kind: "simple", ...NO_SPAN, words: [], block: undefined };

class Parser {
  /** Grammar symbol of the current (lookahead) token. */
  private cur = EOF;
  private curArgument = false;
  private curStart = 0;
  private curEnd = 0;
  private curKind: TokenKind = "newline";
  /** Index of the current token in the recorded token list (build mode). */
  private curIndex = 0;
  private prevIndex = 0;
  private readonly scanner: Scanner;
  private lines: LineMap | undefined;

  /**
   * `build` false: check the syntax only; nodes are placeholders of the right kind (no words, no
   * spans) and no token list is kept, which is what grub-script-check's verdict needs.
   */
  constructor(private readonly text: string, private readonly record: TokenList | undefined, private readonly build = true, from = -1) {
    try {
      this.scanner = new Scanner(text, record);
    } catch (err) {
      if (err instanceof LexicalError) throw lexicalToParseError(text, err);
      throw err;
    }
    // parseUnits (from ≥ 0) reads its first token itself, where an error counts as its unit's.
    if (from >= 0) this.scanner.seek(from);
    else this.advance();
  }

  /**
   * The script as GRUB's normal mode runs a file (grub-core/normal/main.c read_config_file): it
   * reads a line and parses one unit, the line plus the lines an open construct or quote needs
   * (grub-core/script/lexer.c grub_script_lexer_yywrap asks for more only while one is open), and
   * executes it; a unit that fails to parse (parser.y: `error` → YYABORT) is skipped and reading
   * goes on at the next line. Returns the statements of the units parsed, in order, up to the
   * first failing unit, and that error with the offset where reading goes on.
   */
  parseUnits(): { body: StatementNode[]; error: ParseError | undefined; resume: number } {
    const body: StatementNode[] = [];
    let unitStart = -1;
    try {
      this.advance();
      this.skipNewlines();
      while (this.sym() !== EOF) {
        const start = this.curStart;
        unitStart = start;
        body.push(this.sym() === "function" ? this.parseFunction() : this.parseCommand());
        if (!this.isDelimiter()) this.fail("';' or newline");
        this.advance();
        this.skipNewlines();
      }
      return { body, error: undefined, resume: this.text.length };
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      this.lines ??= new LineMap(this.text);
      // Statements that share a line with the failing one belong to its unit: none of them runs.
      let failedLine = unitStart === -1 ? Infinity : this.lines.position(unitStart).line;
      while (body.length > 0) {
        const last = body[body.length - 1]!;
        if (this.lines.position(Math.max(last.start, last.end - 1)).line !== failedLine) break;
        body.pop();
        failedLine = this.lines.position(last.start).line;
      }
      const lineStarts = err.line; // the next line begins after the err.line-th LF
      let resume = 0;
      for (let k = 0; k < lineStarts && resume !== -1; k++) { resume = this.text.indexOf("\n", resume); if (resume !== -1) resume++; }
      return { body, error: err, resume: resume === -1 ? this.text.length : resume };
    }
  }

  /** Read the next significant token (GRUB lexes on demand: lexical errors surface here). */
  private advance(): void {
    this.prevIndex = this.curIndex;
    for (;;) {
      let kind: number;
      try {
        kind = this.scanner.next();
      } catch (err) {
        if (err instanceof LexicalError) throw lexicalToParseError(this.text, err);
        throw err;
      }
      if (kind === TOKEN_CODES.BLANK || kind === TOKEN_CODES.COMMENT) continue;
      const start = this.scanner.start;
      const end = this.scanner.end;
      this.curStart = start;
      this.curEnd = end;
      this.curIndex = this.record ? this.record.length - 1 : 0;
      if (kind === END) {
        this.cur = EOF;
        this.curArgument = false;
        this.curKind = "newline";
        this.curIndex = this.record ? this.record.length : 0;
      } else if (kind === TOKEN_CODES.WORD) {
        this.cur = wordSymbol(this.text, start, end);
        this.curArgument = this.cur !== "[[" && this.cur !== "]]";
        this.curKind = "word";
      } else if (kind === TOKEN_CODES.NEWLINE) {
        this.cur = "\n";
        this.curArgument = false;
        this.curKind = "newline";
      } else {
        this.cur = operatorSymbol(this.text, start, end);
        this.curArgument = false;
        this.curKind = "operator";
      }
      return;
    }
  }

  /** The grammar symbol of the lookahead token. */
  private sym(): string {
    return this.cur;
  }

  private tokenIndex(): number {
    return this.curIndex;
  }

  private fail(expected?: string): never {
    const atEnd = this.cur === EOF || this.curStart === this.curEnd;
    const what = atEnd ? EOF : this.curKind === "newline" ? "newline" : `'${this.text.slice(this.curStart, this.curEnd)}'`;
    this.lines ??= new LineMap(this.text);
    const reason = `syntax error: unexpected ${what}` + (expected ? `, expected ${expected}` : "");
    // At the end of input grub-script-check blames the last line it read.
    if (what === EOF) throw new ParseError("E_GRUB_SYNTAX", reason, { line: lastLine(this.text, this.lines) });
    // GRUB reads a word that spans lines (quotes, `\`-LF) to its end before it sees the error,
    // and reports that line; the column is then left out and the start is named instead.
    const begin = this.lines.position(this.curStart);
    const last = this.lines.position(Math.max(this.curStart, this.curEnd - 1));
    if (last.line === begin.line) throw new ParseError("E_GRUB_SYNTAX", reason, begin);
    throw new ParseError("E_GRUB_SYNTAX", `${reason} (word starts at line ${begin.line}, column ${begin.column})`, { line: last.line });
  }

  /**
   * GRUB's parser is a bison LALR parser with a stack of YYMAXDEPTH (10,000) entries; nesting
   * deeper than that is "memory exhausted", a syntax error at the line being read. Each open
   * construct holds a fixed number of stack entries while its body is parsed (measured against
   * grub-script-check 2.06: 1,665 nested `if`/`while`/`until`, 1,249 `for`, 1,110 `else`, 1,998
   * `menuentry`/`submenu` blocks). Tracking the same sum keeps our verdict equal to GRUB's and
   * keeps deep input from exhausting our own stack.
   */
  private stackDepth = BISON_BASE_DEPTH;

  /** Open a construct holding `cost` stack entries; call `leave` with the same cost after its body.
   * (Not a callback wrapper: every JavaScript frame per level counts at 1,665 levels.) A parse
   * error abandons the parser, so an unbalanced count after a throw does not matter. */
  private enter(cost: number, reportedAtNextWord = false): void {
    this.stackDepth += cost;
    if (this.stackDepth > BISON_MAX_DEPTH) {
      this.lines ??= new LineMap(this.text);
      // After `{` GRUB overflows while shifting the newline, and blames the line of the next word.
      let at = this.curStart;
      if (reportedAtNextWord) while (at < this.text.length && /\s/.test(this.text[at]!)) at++;
      throw new ParseError("E_GRUB_SYNTAX", "syntax error: memory exhausted (nesting too deep for GRUB's parser)", { line: this.lines.position(Math.min(at, Math.max(this.text.length - 1, 0))).line });
    }
  }

  private leave(cost: number): void {
    this.stackDepth -= cost;
  }

  private expect(symbol: string, expected = `'${symbol}'`): void {
    if (this.cur !== symbol) this.fail(expected);
    this.advance();
  }

  private skipNewlines(): void {
    while (this.cur === "\n") this.advance();
  }

  private isDelimiter(): boolean {
    return this.cur === ";" || this.cur === "\n";
  }

  private isArgument(): boolean {
    return this.curArgument;
  }

  private word(): WordNode {
    if (!this.build) { this.advance(); return NO_WORD; }
    const node: WordNode = { token: this.curIndex, raw: this.text.slice(this.curStart, this.curEnd), start: this.curStart, end: this.curEnd };
    this.advance();
    return node;
  }

  /** The span from `firstToken` to the last consumed token. */
  private span(firstToken: number): Span {
    if (!this.build) return NO_SPAN;
    const list = this.record!;
    const lastToken = this.prevIndex;
    return { firstToken, lastToken, start: list.start(firstToken), end: list.end(lastToken) };
  }

  parseScript(): StatementNode[] {
    const body: StatementNode[] = [];
    this.skipNewlines();
    while (this.sym() !== EOF) {
      body.push(this.sym() === "function" ? this.parseFunction() : this.parseCommand());
      if (!this.isDelimiter()) this.fail("';' or newline");
      this.advance();
      this.skipNewlines();
    }
    return body;
  }

  private parseCommand(): CommandNode {
    switch (this.sym()) {
      case "if": return this.parseIf();
      case "for": return this.parseFor();
      case "while": case "until": return this.parseLoop();
      case "WORD": return this.parseSimple();
      default: return this.fail("a command");
    }
  }

  /**
   * commands1 followed by delimiters (delimiters1 when `delimiterRequired`, else delimiters0) and
   * one of `terminators` (not consumed).
   */
  private parseCommandList(terminators: readonly string[], delimiterRequired: boolean): CommandNode[] {
    this.skipNewlines();
    const list: CommandNode[] = [this.parseCommand()];
    for (;;) {
      if (this.isDelimiter()) {
        this.advance();
        this.skipNewlines();
        if (terminators.includes(this.sym())) return list;
        const command = this.parseCommand();
        if (this.build) list.push(command);
      } else if (!delimiterRequired && terminators.includes(this.sym())) {
        return list;
      } else {
        this.fail(delimiterRequired ? "';' or newline" : `';', newline or ${terminators.map((t) => `'${t}'`).join(" or ")}`);
      }
    }
  }

  private parseSimple(): SimpleCommandNode {
    if (!this.build) {
      this.advance();
      while (this.curArgument) this.advance();
      if (this.cur === "{") {
        this.advance();
        this.enter(COST_BLOCK, true);
        this.parseCommandList(["}"], false);
        this.leave(COST_BLOCK);
        this.expect("}");
      }
      return NO_SIMPLE;
    }
    const first = this.tokenIndex();
    const words: WordNode[] = [this.word()];
    if (this.build) while (this.isArgument()) words.push(this.word());
    else while (this.isArgument()) this.advance();
    let block: BlockNode | undefined;
    if (this.sym() === "{") {
      const open = this.tokenIndex();
      this.advance();
      this.enter(COST_BLOCK, true);
      const body = this.parseCommandList(["}"], false);
      this.leave(COST_BLOCK);
      this.expect("}");
      block = { ...this.span(open), body };
    }
    return { kind: "simple", ...this.span(first), words, block };
  }

  private parseIf(): IfNode {
    const first = this.tokenIndex();
    const branches: IfBranch[] = [];
    let elseBody: CommandNode[] | undefined;
    this.advance(); // if
    for (;;) {
      this.enter(COST_IF);
      const condition = this.parseCommandList(["then"], true);
      this.leave(COST_IF);
      this.expect("then");
      this.enter(COST_IF);
      const body = this.parseCommandList(["elif", "else", "fi"], true);
      this.leave(COST_IF);
      branches.push({ condition, body });
      const s = this.sym();
      this.advance();
      if (s === "elif") continue;
      if (s === "else") {
        this.enter(COST_ELSE);
        elseBody = this.parseCommandList(["fi"], true);
        this.leave(COST_ELSE);
        this.expect("fi");
      }
      break;
    }
    return { kind: "if", ...this.span(first), branches, elseBody };
  }

  private parseFor(): ForNode {
    const first = this.tokenIndex();
    this.advance(); // for
    if (this.cur !== "WORD" || !isName(this.text, this.curStart, this.curEnd)) this.fail("a variable name");
    const variable = this.word();
    this.expect("in");
    const items: WordNode[] = [];
    while (this.isArgument()) items.push(this.word());
    if (!this.isDelimiter()) this.fail("';' or newline");
    this.advance();
    this.skipNewlines();
    this.expect("do");
    this.enter(COST_FOR);
    const body = this.parseCommandList(["done"], true);
    this.leave(COST_FOR);
    this.expect("done");
    return { kind: "for", ...this.span(first), variable, items, body };
  }

  private parseLoop(): LoopNode {
    const first = this.tokenIndex();
    const kind = this.sym() as "while" | "until";
    this.advance();
    this.enter(COST_LOOP);
    const condition = this.parseCommandList(["do"], true);
    this.leave(COST_LOOP);
    this.expect("do");
    this.enter(COST_LOOP);
    const body = this.parseCommandList(["done"], true);
    this.leave(COST_LOOP);
    this.expect("done");
    return { kind, ...this.span(first), condition, body };
  }

  private parseFunction(): FunctionNode {
    const first = this.tokenIndex();
    this.advance(); // function
    if (this.cur !== "WORD" || !isName(this.text, this.curStart, this.curEnd)) this.fail("a function name");
    const name = this.word();
    this.skipNewlines();
    this.expect("{");
    this.enter(COST_BLOCK, true);
    const body = this.parseCommandList(["}"], true);
    this.leave(COST_BLOCK);
    this.expect("}");
    return { kind: "function", ...this.span(first), name, body };
  }
}

/** Syntax check only (no tree): the top-level statements as placeholders of the right kind. */
function checkSyntax(text: string): StatementNode[] {
  return new Parser(text, undefined, false).parseScript();
}

/** Parse GRUB script into a lossless tree. Throws ParseError (E_GRUB_SYNTAX) on a syntax error. */
export function parse(text: string): Script {
  const tokens = new TokenList(text);
  const body = new Parser(text, tokens).parseScript();
  let materialized: Token[] | undefined;
  return {
    text,
    tokenList: tokens,
    get tokens() { return (materialized ??= tokens.toArray()); },
    body,
  };
}

export interface GrubRunScript {
  /** The statements GRUB executes, in order (token indices are per unit: not for editing). */
  script: Script;
  /** The syntax errors of the units GRUB skips (a file cut off mid-write ends with one). */
  errors: ParseError[];
}

/**
 * What GRUB executes of a file with syntax errors (Parser.parseUnits): every unit that parses,
 * the failing ones skipped with their errors. A valid file gives the same tree as `parse`.
 */
export function parseAsGrubRuns(text: string): GrubRunScript {
  const body: StatementNode[] = [];
  const errors: ParseError[] = [];
  const lists: TokenList[] = [];
  for (let from = 0; ;) {
    const list = new TokenList(text);
    const r = new Parser(text, list, true, from).parseUnits();
    lists.push(list);
    body.push(...r.body);
    if (!r.error) break;
    errors.push(r.error);
    if (r.resume <= from || r.resume >= text.length) break;
    from = r.resume;
  }
  let materialized: Token[] | undefined;
  const script: Script = { text, get tokens() { return (materialized ??= lists.flatMap((l) => l.toArray())); }, body };
  if (errors.length === 0) script.tokenList = lists[0]!;
  return { script, errors };
}

/** True when a parsed script contains a command outside function definitions (grub-script-check's "contains no commands" rule). */
export function hasCommands(script: Script): boolean {
  return script.body.some((s) => s.kind !== "function");
}

/**
 * What `grub-script-check` decides for `text`: undefined when it accepts, else the ParseError.
 * Besides syntax it refuses a script with no command outside functions (E_GRUB_NO_COMMANDS).
 */
export function checkScript(text: string): ParseError | undefined {
  let body: StatementNode[];
  try {
    body = checkSyntax(text);
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  if (!body.some((s) => s.kind !== "function")) {
    return new ParseError("E_GRUB_NO_COMMANDS", "script contains no commands and will do nothing", { line: 1 });
  }
  return undefined;
}
