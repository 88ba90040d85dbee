/**
 * Lexer for GRUB script (grub.cfg) as GRUB 2.06 reads it (grub-core/script/yylex.l, lexer.c,
 * util/grub-script-check.c). Lossless: every token is a slice of the input, trivia included, so
 * concatenating the `text` of all tokens gives back the input exactly.
 *
 * How GRUB's flex scanner is reproduced (longest match, earlier rule wins a tie):
 * - GRUB feeds the scanner one line at a time and appends `\n` to a last line that lacks it;
 *   grub-script-check turns TAB and CR into spaces first. Here TAB and CR are blanks, and a text
 *   that does not end in LF gets a zero-width `newline` token at the end.
 * - `#` at the start of a token is a comment up to the end of the line. (The flex rule
 *   `#.*$` counts its trailing-context LF, so it always ties or beats a word, and wins ties.)
 *   Inside a word `#` is an ordinary character (`a#b`).
 * - WORD = (CHAR | "…" | '…' | \x | $VAR | ${VAR} | $"…")+ where CHAR is anything but
 *   `{ } | & $ ; < >`, blanks, LF, quotes and backslash. Quotes and `\x` may span lines (GRUB's
 *   MULTILINE / POS_MULTILINE rules read the next line); a quote still open, or a `\`-LF, at the
 *   end of the input is an error (grub-script-check: "Syntax error").
 * - A word whose whole text is a reserved word (`if`, `then`, … `function`, `[[`, `]]`) is that
 *   reserved token; the parser decides where it is allowed.
 * - `$` that does not start a variable (`$NAME`, `${NAME}`, `$DIGITS`, `$?`, `$#`, `$*`, `$@`, their
 *   braced forms) or a `$"…"` string is an error, also inside double quotes (yylex.l VAR state).
 * - Operators `|| && ;; | & ; < > { }` are tokens; only `;`, `{`, `}` and LF appear in the grammar.
 * - NUL bytes are refused: GRUB silently drops the rest of such a line, which a lossless editor
 *   cannot represent honestly.
 */
import { ParseError } from "../../errors.ts";

export type TokenKind = "blank" | "comment" | "newline" | "word" | "operator";

export interface Token {
  kind: TokenKind;
  /** Exact slice of the input (empty only for the synthetic final newline). */
  text: string;
  /** Offset of the first character in the input. */
  start: number;
  /** Offset after the last character. */
  end: number;
}

const KINDS: readonly TokenKind[] = ["blank", "comment", "newline", "word", "operator"];
const BLANK = 0, COMMENT = 1, NEWLINE = 2, WORD = 3, OPERATOR = 4;

/**
 * The tokens of a text, stored compactly (kind, start and end per token in typed arrays; a
 * grub.cfg of several MB has hundreds of thousands of tokens). `at(i)` and `toArray()` give
 * Token objects.
 */
export class TokenList {
  length = 0;
  private kinds: Uint8Array;
  private starts: Uint32Array;
  private ends: Uint32Array;

  constructor(readonly text: string) {
    const capacity = Math.max(64, text.length >> 2); // grub.cfg averages 5-6 characters per token
    this.kinds = new Uint8Array(capacity);
    this.starts = new Uint32Array(capacity);
    this.ends = new Uint32Array(capacity);
  }

  push(kind: number, start: number, end: number): void {
    if (this.length === this.kinds.length) {
      const grow = <T extends Uint8Array | Uint32Array>(a: T, make: (n: number) => T): T => { const b = make(a.length * 2); b.set(a); return b; };
      this.kinds = grow(this.kinds, (n) => new Uint8Array(n));
      this.starts = grow(this.starts, (n) => new Uint32Array(n));
      this.ends = grow(this.ends, (n) => new Uint32Array(n));
    }
    this.kinds[this.length] = kind;
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length++;
  }

  kindCode(i: number): number { return this.kinds[i]!; }
  kind(i: number): TokenKind { return KINDS[this.kinds[i]!]!; }
  start(i: number): number { return this.starts[i]!; }
  end(i: number): number { return this.ends[i]!; }
  tokenText(i: number): string { return this.text.slice(this.starts[i]!, this.ends[i]!); }
  at(i: number): Token { return { kind: this.kind(i), text: this.tokenText(i), start: this.start(i), end: this.end(i) }; }
  toArray(): Token[] {
    const out: Token[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.at(i);
    return out;
  }
}

export const TOKEN_CODES = { BLANK, COMMENT, NEWLINE, WORD, OPERATOR } as const;

/** Reserved words of yylex.l: a token whose whole text is one of these is not a plain word. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "select", "then",
  "until", "while", "function", "[[", "]]",
]);

const VAR_TAIL = String.raw`(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?#*@]|\{(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?#*@])\})`;
const DQSTR = String.raw`"(?:\\[\s\S]|[^\\"])*"`;
const WORD_RE = new RegExp(
  String.raw`(?:[^{}|&$;<> \t\r\n'"\\]|${DQSTR}|'[^']*'|\\[\s\S]|\$${VAR_TAIL}|\$${DQSTR})+`,
  "y",
);
const VAR_TAIL_RE = new RegExp(VAR_TAIL, "y");

/** Maps offsets to 1-based line and column. */
export class LineMap {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  /** 1-based line and column of `offset`. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }

  get lineCount(): number {
    return this.starts.length;
  }
}

export function syntaxError(text: string, offset: number, reason: string, lines?: LineMap): ParseError {
  const map = lines ?? new LineMap(text);
  return new ParseError("E_GRUB_SYNTAX", reason, map.position(offset));
}

function describeChar(c: string): string {
  return c === "\n" ? "newline" : `'${c}'`;
}

/**
 * Check the `$` uses inside the double-quoted parts of a word (yylex.l DQUOTE state: `\$ \\ \"
 * \LF` are escapes, any other backslash is literal by itself, `$` must start a variable).
 * Returns the offset of the first bad `$`, or -1.
 */
function badDollarInQuotes(text: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) { i += 2; continue; }
    if (c === 0x27 /* ' */) { const close = text.indexOf("'", i + 1); i = close + 1; continue; }
    if (c === 0x24 /* $ */ && text.charCodeAt(i + 1) !== 0x22) { i += 1; continue; } // $VAR, validated by WORD_RE
    if (c === 0x22 /* " */ || c === 0x24) {
      const i18n = c === 0x24;
      i += i18n ? 2 : 1;
      while (i < end) {
        const d = text.charCodeAt(i);
        if (d === 0x22) { i += 1; break; }
        if (d === 0x5c) {
          const n = text.charCodeAt(i + 1);
          i += n === 0x24 || n === 0x5c || n === 0x22 || n === 0x0a ? 2 : 1;
          continue;
        }
        if (d === 0x24 && !i18n) {
          VAR_TAIL_RE.lastIndex = i + 1;
          if (!VAR_TAIL_RE.test(text)) return i;
          i = VAR_TAIL_RE.lastIndex;
          continue;
        }
        i += 1;
      }
      continue;
    }
    i += 1;
  }
  return -1;
}

/** Tokenize GRUB script. Throws ParseError (E_GRUB_SYNTAX) at the first lexical error. */
export function tokenize(text: string): Token[] {
  const { tokens, error } = scan(text);
  if (error) throw error;
  return tokens.toArray();
}

export interface ScanResult {
  /** The tokens before the first lexical error (all of them when there is none). */
  tokens: TokenList;
  /** The first lexical error; the parser raises it only if it reads that far (like GRUB). */
  error: ParseError | undefined;
}

export class LexicalError {
  constructor(readonly offset: number, readonly reason: string, readonly atEnd: boolean) {}
}

/** A lexical error as a ParseError, positioned where grub-script-check reports it (see `scan`). */
export function lexicalToParseError(text: string, err: LexicalError): ParseError {
  const lines = new LineMap(text);
  if (!err.atEnd) return syntaxError(text, err.offset, err.reason, lines);
  const opened = lines.position(err.offset);
  const reason = `${err.reason} (opened at line ${opened.line}, column ${opened.column})`;
  return new ParseError("E_GRUB_SYNTAX", reason, { line: lastLine(text, lines) });
}

/**
 * Tokenize as far as possible. Errors are positioned where grub-script-check reports them:
 * at the offending character, or for a quote or continuation left open at the end of the
 * input, at the last line (GRUB only notices when it runs out of lines); the reason then
 * names where the quote was opened.
 */
export function scan(text: string): ScanResult {
  const tokens = new TokenList(text);
  const scanner = new Scanner(text, tokens);
  try {
    while (scanner.next() !== END);
    return { tokens, error: undefined };
  } catch (err) {
    if (!(err instanceof LexicalError)) throw err;
    return { tokens, error: lexicalToParseError(text, err) };
  }
}

/** The 1-based number of the last line GRUB reads (a final LF does not start another line). */
export function lastLine(text: string, lines: LineMap): number {
  return Math.max(1, text.endsWith("\n") ? lines.lineCount - 1 : lines.lineCount);
}

/** ASCII characters that end a run of plain word characters: blanks, LF, operators, `$`, quotes, `\`. */
const NOT_PLAIN = new Uint8Array(128);
for (const c of " \t\r\n|&;<>{}$'\"\\") NOT_PLAIN[c.charCodeAt(0)] = 1;

function fail(offset: number, reason: string, atEnd = false): never {
  throw new LexicalError(offset, reason, atEnd);
}

/** `Scanner.next()` at the end of the input. */
export const END = -1;

/**
 * The lexer as a pull scanner: `next()` reads one token (its kind code; `start`/`end` give its
 * place) and records it in `record` when given. The parser pulls tokens as it needs them, as
 * GRUB's parser does, so a lexical error counts only once the parser reads that far.
 * Throws LexicalError (convert with `lexicalToParseError`).
 */
export class Scanner {
  start = 0;
  end = 0;
  private i = 0;
  private nextQuote = -1;
  private finalNewline: boolean;

  constructor(readonly text: string, private readonly record?: TokenList) {
    const nul = text.indexOf("\0");
    if (nul !== -1) throw new LexicalError(nul, "NUL byte in script", false);
    this.finalNewline = text.length > 0 && text.charCodeAt(text.length - 1) !== 0x0a;
  }

  /** Continue scanning at `offset` (the start of a line): GRUB reading a file on after a failed command. */
  seek(offset: number): void {
    this.i = offset;
  }

  private emit(kind: number, start: number, end: number): number {
    this.start = start;
    this.end = end;
    this.i = end;
    this.record?.push(kind, start, end);
    return kind;
  }

  next(): number {
    const text = this.text;
    const n = text.length;
    if (!this.record) {
      // Nothing is recorded: step over blanks and comments here (the parser ignores them).
      let j = this.i;
      for (;;) {
        const d = text.charCodeAt(j);
        if (d === 0x20 || d === 0x09 || d === 0x0d) j++;
        else if (d === 0x23) { const e = text.indexOf("\n", j); j = e === -1 ? n : e; }
        else break;
      }
      this.i = j;
    }
    const i = this.i;
    if (i >= n) {
      if (!this.finalNewline) return END;
      this.finalNewline = false;
      return this.emit(NEWLINE, n, n);
    }
    const code = text.charCodeAt(i);
    switch (code) {
      case 0x20: case 0x09: case 0x0d: { // blanks (grub-script-check turns TAB and CR into spaces)
        let end = i + 1;
        for (let d = text.charCodeAt(end); d === 0x20 || d === 0x09 || d === 0x0d; d = text.charCodeAt(++end));
        return this.emit(BLANK, i, end);
      }
      case 0x0a:
        return this.emit(NEWLINE, i, i + 1);
      case 0x23: { // # at a token start: comment to the end of the line
        let end = text.indexOf("\n", i);
        if (end === -1) end = n;
        return this.emit(COMMENT, i, end);
      }
      case 0x7c: case 0x26: case 0x3b: case 0x3c: case 0x3e: case 0x7b: case 0x7d: { // | & ; < > { }
        const next = text.charCodeAt(i + 1);
        const two = (code === 0x7c && next === 0x7c) || (code === 0x26 && next === 0x26) || (code === 0x3b && next === 0x3b);
        return this.emit(OPERATOR, i, two ? i + 2 : i + 1);
      }
    }
    // Fast path: a run of plain CHARs ending at a blank, newline or operator is a whole word.
    let plain = i;
    for (let d = code; plain < n; d = text.charCodeAt(++plain)) if (d < 128 && NOT_PLAIN[d] === 1) break;
    if (plain > i) {
      const d = plain < n ? text.charCodeAt(plain) : 0x0a;
      if (d !== 0x24 && d !== 0x27 && d !== 0x22 && d !== 0x5c) return this.emit(WORD, i, plain);
    }
    const c = text[i]!;
    WORD_RE.lastIndex = i;
    const matched = WORD_RE.test(text);
    const end = matched ? WORD_RE.lastIndex : i;
    // What stopped the word: an open quote that never closes (MULTILINE reaching the end of input).
    const stop = text[end];
    if (stop === '"' || stop === "'" || (stop === "$" && text[end + 1] === '"')) {
      fail(end, `unterminated ${stop === "'" ? "single" : "double"}-quoted string`, true);
    }
    // A lone `\` at the end of the input, or a word ending in `\`-LF with nothing after it:
    // POS_MULTILINE asks for another line that does not exist.
    if (stop === "\\" || (end === n && text.charCodeAt(end - 1) === 0x0a)) fail(end === n ? end - 1 : end, "line continuation at end of input", true);
    if (!matched) fail(i, c === "$" ? "'$' does not start a variable name" : `unexpected ${describeChar(c)}`);
    if (this.nextQuote < i) this.nextQuote = text.indexOf('"', i) >>> 0; // -1 becomes 2^32-1: "none"
    if (this.nextQuote < end) {
      const bad = badDollarInQuotes(text, i, end);
      if (bad !== -1) fail(bad, "'$' does not start a variable name");
    }
    return this.emit(WORD, i, end);
  }
}
