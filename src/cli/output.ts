/**
 * Everything the CLI prints goes through here: results to stdout, diagnostics to stderr.
 *
 * Colour is decided once (kleur's rule): off with `--no-color`, a non-empty `NO_COLOR`,
 * `TERM=dumb`, or a stdout that is not a TTY; `FORCE_COLOR` is left to chalk. chalk 5 ignores
 * `NO_COLOR` by itself, which is why the level is set explicitly.
 * JSON follows systemd's `--json=pretty|short`: pretty is indented by 2 spaces, short is one line;
 * both end with a newline.
 */
import type { ChalkInstance } from "chalk";
import type { JsonMode } from "./invocation.ts";

/** The styles the CLI prints with (chalk's names). */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  magenta(text: string): string;
  gray(text: string): string;
}

const plain = (text: string): string => text;

/** No colour: every style is the text itself (no escape codes, no chalk call per piece). */
const PLAIN_STYLE: Style = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, magenta: plain, gray: plain };

/** Colour through chalk (16-colour level, as systemd's ANSI highlights). */
function chalkStyle(c: ChalkInstance): Style {
  return {
    bold: (t) => c.bold(t), dim: (t) => c.dim(t), red: (t) => c.red(t), green: (t) => c.green(t),
    yellow: (t) => c.yellow(t), magenta: (t) => c.magenta(t), gray: (t) => c.gray(t),
  };
}

export interface OutputStreams {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown };
}

export interface Output {
  readonly style: Style;
  readonly json: JsonMode;
  readonly quiet: boolean;
  /** A line of normal output (stdout). */
  line(text?: string): void;
  /** Raw text to stdout (no newline added). */
  write(text: string): void;
  /** A value as JSON in the selected mode (stdout). */
  printJson(value: unknown): void;
  /** A warning to stderr, prefixed `bootctl-ts: warning: `; suppressed by `-q`. */
  warn(message: string): void;
  /** An informational line to stderr (progress, dry-run notes); suppressed by `-q`. */
  info(message: string): void;
}

/** kleur's rule; `isTTY` is asked last, only when the environment leaves the answer open. */
export function colourWanted(requested: boolean, env: NodeJS.ProcessEnv, isTTY: () => boolean | undefined): boolean {
  if (!requested) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  return isTTY() === true;
}

export function formatJson(value: unknown, mode: Exclude<JsonMode, "off">): string {
  return (mode === "pretty" ? JSON.stringify(value, null, 2) : JSON.stringify(value)) + "\n";
}

/**
 * The output of one command. chalk is loaded only when colour is wanted: its terminal detection
 * loads Node's tty and os modules, start-up that a listing piped elsewhere does not need.
 */
export async function createOutput(options: { color: boolean; json: JsonMode; quiet: boolean }, streams: OutputStreams = process): Promise<Output> {
  let style = PLAIN_STYLE;
  if (colourWanted(options.color, process.env, () => streams.stdout.isTTY)) {
    const { Chalk } = await import("chalk");
    style = chalkStyle(new Chalk({ level: 1 }));
  }
  return {
    style,
    json: options.json,
    quiet: options.quiet,
    line(text = "") {
      streams.stdout.write(text + "\n");
    },
    write(text) {
      streams.stdout.write(text);
    },
    printJson(value) {
      streams.stdout.write(formatJson(value, options.json === "short" ? "short" : "pretty"));
    },
    warn(message) {
      if (!options.quiet) streams.stderr.write(`bootctl-ts: warning: ${message}\n`);
    },
    info(message) {
      if (!options.quiet) streams.stderr.write(`${message}\n`);
    },
  };
}
