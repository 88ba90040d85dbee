/**
 * An evaluator for the parts of GRUB script that decide what GRUB boots (grub-core/script/
 * execute.c, commands/{test,loadenv,menuentry}.c, normal/menu.c), run against a grubenv:
 *
 * - variables: `set`, `unset`, `export`, bare `name=value` commands; `$?`, positional parameters
 *   in functions and entries, unquoted expansions split into fields;
 * - control flow: `if/elif/else`, `for`, `while`/`until` (bounded), functions with `return`,
 *   `break`/`continue`, `shift`, `setparams`, `!`;
 * - `[ … ]`/`test`: `-n -z = == != < > -eq -ne -lt -le -gt -ge` (numbers as grub_strtosl base
 *   0), `-a -o ! ( )`, and file tests through a caller-supplied oracle;
 * - `load_env` (whitelist, -f/--file) and `save_env` against environment files identified by their
 *   full GRUB path, `(device)/path` (a path without device is on `$root`; the default file is
 *   `$prefix/grubenv` at the time of the call). `grubenv` is the file at the initial
 *   `$prefix/grubenv`; more can be given in `files`. A file that is not given is missing: both
 *   commands fail (GRUB prints "file not found") and a warning names it. `save_env` of an unset
 *   variable removes it; GRUB never creates a file;
 * - `menuentry`/`submenu` build the menu with their arguments expanded when the command runs;
 * - after the script: `default` resolved by grub-default.ts; a chosen submenu is entered (new
 *   context with exported variables, `default` = rest of the spec); the chosen entry's body runs
 *   (`$chosen` set, `$1` = title) until a loader command or `boot`, so `savedefault`, `recordfail`
 *   and counting ladders inside entries take effect.
 *
 * - `source FILE` runs FILE in the current context (its entries join the current menu);
 *   `configfile FILE` runs it in a new context holding the exported variables and, when it defines
 *   entries, shows that menu instead: its default is chosen and booted there (grub-core/commands/
 *   configfile.c grub_cmd_source, normal/main.c grub_normal_execute). FILE is read from `scripts`
 *   (by full GRUB path) as GRUB runs a file (parseAsGrubRuns); a missing one fails, as in GRUB.
 *
 * Commands the evaluator cannot know the outcome of (`search`, `insmod`, `loadfont`, `echo` …)
 * succeed without side effects; `keystatus`, `cmostest` and unknown commands (also Fedora's
 * `increment`/`decrement`, absent from stock GRUB) fail. `blscfg` and the extractors are not
 * followed: they are reported in `warnings`.
 */
import { BootctlError } from "../errors.ts";
import type { CommandNode, Script, SimpleCommandNode, StatementNode } from "../formats/grubcfg/ast.ts";
import { parseMenuentryArgs, type MenuEntryFields } from "../formats/grubcfg/menu.ts";
import { parse, parseAsGrubRuns } from "../formats/grubcfg/parser.ts";
import { expandWord } from "../formats/grubcfg/word.ts";
import { grubStrtoul, selectEntryIndex, specRemainder } from "./grub-default.ts";

export interface RuntimeEntry extends MenuEntryFields {
  node: SimpleCommandNode;
  /** Submenus: the entries, when the submenu was entered (undefined otherwise). */
  children: RuntimeEntry[] | undefined;
}

export type FileTest = (operator: "-e" | "-f" | "-d" | "-s", path: string) => boolean;

export interface EvalOptions {
  /** The variables of the grubenv at the initial `$prefix/grubenv`; undefined: the file is missing. */
  grubenv?: ReadonlyMap<string, string> | undefined;
  /** Other environment files, by full GRUB path (`(hd0,gpt1)/EFI/ubuntu/grubenv`). */
  files?: Record<string, ReadonlyMap<string, string>>;
  /** Variables GRUB sets before running grub.cfg (defaults: see DEFAULT_VARIABLES). */
  variables?: Record<string, string>;
  /** `[ -e/-f/-d/-s PATH ]`; default: the environment files that exist (non-empty for -s), nothing else. */
  fileTest?: FileTest;
  /** Evaluate every submenu (for a full menu listing), not only the chosen one. */
  enterAllSubmenus?: boolean;
  /** Step budget (commands executed) before giving up with E_GRUB_EVAL_LIMIT. */
  maxSteps?: number;
  /** Model grub-emu, which has no loader commands (`linux`, `chainloader`, `boot` … are unknown). */
  emulator?: boolean;
  /** Scripts `source` and `configfile` can read, by full GRUB path; any other is missing. */
  scripts?: Record<string, string>;
  /** How warnings name a file (a GRUB path such as `(boot)/boot/grub/x.cfg`); default: the GRUB path. */
  describePath?: (grubPath: string) => string;
}

/** What GRUB 2.06 (x86_64-efi) has set when grub.cfg starts (normal/main.c, kern/main.c). */
export const DEFAULT_VARIABLES: Readonly<Record<string, string>> = {
  prefix: "(hd0,gpt2)/boot/grub",
  root: "hd0,gpt2",
  grub_platform: "efi",
  grub_cpu: "x86_64",
  feature_menuentry_id: "y",
  feature_default_font_path: "y",
  feature_all_video_module: "y",
  feature_chainloader_bpb: "y",
  feature_ntldr: "y",
  feature_platform_search_hint: "y",
  feature_timeout_style: "y",
  feature_200_final: "y",
  feature_nativedisk_cmd: "y",
};

export interface EvalResult {
  /** The top-level menu (submenus filled when entered). */
  menu: RuntimeEntry[];
  /** The entry GRUB boots by default, with its path. */
  chosen: RuntimeEntry | undefined;
  /** Variables after the script (top-level context). */
  variables: Map<string, string>;
  /** What `save_env` wrote to the grubenv (initial `$prefix/grubenv`), in order of last write: value, or null for removed. */
  saved: Map<string, string | null>;
  /** What the boot changes in the grubenv: saved values that differ from the file's (null = removed). */
  changes: Record<string, string | null>;
  /** The grubenv after the boot (undefined when there is none). */
  grubenv: Map<string, string> | undefined;
  /** Every environment file after the boot, by full GRUB path. */
  files: Map<string, Map<string, string>>;
  /** A loader command ran in the chosen entry (linux, chainloader, …). */
  loaderLoaded: boolean;
  /** The script itself ended the run before the menu: `boot` (outside any entry), `reboot` or `halt`. */
  stoppedBy: "boot" | "reboot" | "halt" | undefined;
  /** Files the run asked for that were not given (full GRUB paths): environment files and scripts. */
  missing: string[];
  warnings: string[];
}

class Signal {
  constructor(readonly kind: "break" | "continue" | "return" | "stop" | "menu", public count: number, readonly status = 0, readonly command?: "boot" | "reboot" | "halt") {}
}

interface Frame {
  params: string[];
}

interface Context {
  vars: Map<string, string>;
  exported: Set<string>;
  menu: RuntimeEntry[];
  indexPath: number[];
  titlePath: string[];
}

const LOADERS = new Set(["linux", "linuxefi", "linux16", "chainloader", "multiboot", "multiboot2", "kfreebsd", "knetbsd", "kopenbsd", "appleloader", "xnu_kernel", "xnu_kernel64"]);
const NEUTRAL = new Set([
  "echo", "insmod", "rmmod", "search", "search.fs_uuid", "search.fs_label", "search.file", "loadfont", "terminal_input",
  "terminal_output", "terminal", "gfxmode", "set_gfxmode", "background_image", "sleep", "list_env", "clear", "play",
  "initrd", "initrdefi", "initrd16", "devicetree", "load_video", "videoinfo", "serial", "fwsetup", "probe", "ls", "cat",
  "nativedisk", "lsfonts", "font", "gettext", "password", "password_pbkdf2", "cryptomount", "tpm2_key_protector_init",
  "boot_success", "hiddenentry", "all_video", "efi_gop", "efi_uga", "usb", "smbios", "loopback", "pager",
]);
const FAILING = new Set(["keystatus", "cmostest", "regexp", "read", "normal", "normal_exit", "exit"]);
const NOT_FOLLOWED = new Set(["blscfg", "bls_import", "extract_entries_source", "extract_entries_configfile", "legacy_configfile", "legacy_source"]);

/** `source`/`configfile` nesting at which the evaluator gives up (GRUB recurses until memory runs out). */
const MAX_SOURCE_DEPTH = 64;

function strtosl(s: string): number {
  const neg = /^\s*-/.test(s);
  const v = grubStrtoul(neg ? s.replace(/^\s*-/, "") : s) ?? 0;
  return neg ? -v : v;
}

/** `[ … ]` / `test` (commands/test.c) over already expanded arguments. */
export function evalTest(args: readonly string[], fileTest: FileTest): boolean {
  let i = 0;
  const binary = new Set(["=", "==", "!=", "<", ">", "<=", ">=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-pgt", "-plt", "-pge", "-ple"]);
  const primary = (): boolean => {
    const a = args[i];
    if (a === undefined) return false;
    if (a === "!") { i++; return !primary(); }
    if (a === "(") {
      i++;
      const v = orExpr();
      if (args[i] === ")") i++;
      return v;
    }
    const op = args[i + 1];
    if (op !== undefined && binary.has(op) && i + 2 < args.length) {
      const b = args[i + 2]!;
      i += 3;
      switch (op) {
        case "=": case "==": return a === b;
        case "!=": return a !== b;
        case "<": return a < b;
        case ">": return a > b;
        case "<=": return a <= b;
        case ">=": return a >= b;
        case "-eq": return strtosl(a) === strtosl(b);
        case "-ne": return strtosl(a) !== strtosl(b);
        case "-lt": return strtosl(a) < strtosl(b);
        case "-le": return strtosl(a) <= strtosl(b);
        case "-gt": return strtosl(a) > strtosl(b);
        case "-ge": return strtosl(a) >= strtosl(b);
        default: return false;
      }
    }
    if ((a === "-n" || a === "-z") && i + 1 < args.length) { i += 2; return (args[i - 1] !== "") === (a === "-n"); }
    if ((a === "-e" || a === "-f" || a === "-d" || a === "-s") && i + 1 < args.length) { i += 2; return fileTest(a, args[i - 1]!); }
    i++;
    return a !== "";
  };
  const andExpr = (): boolean => {
    let v = primary();
    while (args[i] === "-a") { i++; const w = primary(); v = v && w; }
    return v;
  };
  const orExpr = (): boolean => {
    let v = andExpr();
    while (args[i] === "-o") { i++; const w = andExpr(); v = v || w; }
    return v;
  };
  if (args.length === 0) return false;
  return orExpr();
}

function optionValue(args: readonly string[], i: number, short: string, long: string): { value: string; next: number } | undefined {
  const a = args[i]!;
  if (a === short || a === long) return args[i + 1] === undefined ? undefined : { value: args[i + 1]!, next: i + 2 };
  if (a.startsWith(long + "=")) return { value: a.slice(long.length + 1), next: i + 1 };
  return undefined;
}

export class GrubEvaluator {
  private steps = 0;
  private readonly maxSteps: number;
  private readonly functions = new Map<string, CommandNode[]>();
  private ctx: Context;
  private frame: Frame = { params: [] };
  private status = 0;
  private readonly files = new Map<string, Map<string, string>>();
  private readonly grubenvPath: string;
  private readonly initialGrubenv: ReadonlyMap<string, string> | undefined;
  readonly saved = new Map<string, string | null>();
  readonly warnings: string[] = [];
  private loaderLoaded = false;
  private readonly fileTest: FileTest;

  constructor(private readonly options: EvalOptions = {}) {
    this.maxSteps = options.maxSteps ?? 200_000;
    const vars = new Map(Object.entries({ ...DEFAULT_VARIABLES, ...(options.variables ?? {}) }));
    this.ctx = { vars, exported: new Set(["root", "prefix"]), menu: [], indexPath: [], titlePath: [] };
    this.grubenvPath = this.resolvePath(`${vars.get("prefix") ?? ""}/grubenv`);
    for (const [p, env] of Object.entries(options.files ?? {})) this.files.set(this.resolvePath(p), new Map(env));
    if (options.grubenv) this.files.set(this.grubenvPath, new Map(options.grubenv));
    this.initialGrubenv = options.grubenv;
    this.fileTest = options.fileTest ?? ((op, p) => {
      const full = this.resolvePath(p);
      const known = this.files.has(full) || options.scripts?.[full] !== undefined;
      if (!known) this.missing.add(full); // a file the script looks for: worth reading (actions/grub-files.ts)
      return known && op !== "-d";
    });
  }

  /** A file name as GRUB resolves it: `(dev)/path`, or `/path` on `$root`; `//` collapsed. */
  private resolvePath(name: string): string {
    const m = /^\(([^)]*)\)(.*)$/.exec(name);
    const device = m ? m[1]! : (this.ctx.vars.get("root") ?? "");
    const rest = (m ? m[2]! : name).replace(/\/+/g, "/");
    return `(${device})${rest.startsWith("/") ? rest : "/" + rest}`;
  }

  private lookup = (name: string): string | undefined => {
    if (/^[0-9]+$/.test(name)) return name === "0" ? undefined : this.frame.params[Number(name) - 1];
    switch (name) {
      case "?": return String(this.status);
      case "#": return String(this.frame.params.length);
      case "*": case "@": return this.frame.params.join(" ");
      default: return this.ctx.vars.get(name);
    }
  };

  private readonly missing = new Set<string>();
  /** The context whose menu GRUB shows: the top level, or the one a `configfile` opened. */
  private menuCtx: Context | undefined;

  private describe(grubPath: string): string {
    return this.options.describePath ? this.options.describePath(grubPath) : grubPath;
  }

  private warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  private stoppedBy: "boot" | "reboot" | "halt" | undefined;

  /** The variables of the current (top-level after `run`) context. */
  currentVariables(): ReadonlyMap<string, string> {
    return this.ctx.vars;
  }

  /** Run a whole script (top level). */
  run(script: Script): void {
    try {
      this.execList(script.body);
    } catch (err) {
      if (!(err instanceof Signal)) throw err;
      if (err.kind === "stop") this.stoppedBy = err.command;
      else if (err.kind === "menu") return;
      else this.warn(`'${err.kind}' outside a loop or function`);
    }
  }

  private execList(nodes: readonly (StatementNode | CommandNode)[]): number {
    for (const node of nodes) this.status = this.exec(node);
    return this.status;
  }

  private tick(): void {
    if (++this.steps > this.maxSteps) throw new BootctlError("E_GRUB_EVAL_LIMIT", `evaluation stopped after ${this.maxSteps} commands (endless loop?)`);
  }

  private exec(node: StatementNode | CommandNode): number {
    this.tick();
    switch (node.kind) {
      case "function":
        this.functions.set(node.name.raw, node.body);
        return 0;
      case "if": {
        for (const b of node.branches) {
          if (this.execList(b.condition) === 0) return this.execList(b.body);
        }
        return node.elseBody ? this.execList(node.elseBody) : 0;
      }
      case "for": {
        const items = node.items.flatMap((w) => expandWord(w.raw, this.lookup));
        let st = 0;
        for (const item of items) {
          this.ctx.vars.set(node.variable.raw, item);
          const pass = this.loopPass(node.body);
          if (pass === "break") break;
          st = pass ?? st;
        }
        return st;
      }
      case "while": case "until": {
        let st = 0;
        for (;;) {
          const c = this.execList(node.condition);
          if ((c === 0) !== (node.kind === "while")) break;
          const pass = this.loopPass(node.body);
          if (pass === "break") break;
          st = pass ?? st;
        }
        return st;
      }
      case "simple":
        return this.execSimple(node);
    }
  }

  private expandArgs(node: SimpleCommandNode): string[] {
    return node.words.flatMap((w) => expandWord(w.raw, this.lookup));
  }

  /**
   * One pass of a loop body: its status; "break" when `break` ends the loop; undefined after a
   * `continue` (the status stays the previous one). Signals meant for outer loops pass through.
   */
  private loopPass(body: CommandNode[]): number | "break" | undefined {
    try {
      return this.execList(body);
    } catch (err) {
      if (!(err instanceof Signal) || (err.kind !== "break" && err.kind !== "continue")) throw err;
      if (--err.count > 0) throw err;
      return err.kind === "break" ? "break" : undefined;
    }
  }

  private execSimple(node: SimpleCommandNode): number {
    let argv = this.expandArgs(node);
    if (argv.length === 0) return 0;
    let invert = false;
    if (argv[0] === "!") { invert = true; argv = argv.slice(1); if (argv.length === 0) return 1; }
    const st = this.command(argv, node);
    return invert ? (st === 0 ? 1 : 0) : st;
  }

  private command(argv: string[], node: SimpleCommandNode): number {
    const [name, ...args] = argv as [string, ...string[]];
    const fn = this.functions.get(name);
    if (fn) return this.call(fn, args);
    const vars = this.ctx.vars;
    switch (name) {
      case "set": {
        const a = args[0];
        if (a === undefined) return 0;
        const eq = a.indexOf("=");
        if (eq === -1) return vars.has(a) ? 0 : 1;
        vars.set(a.slice(0, eq), a.slice(eq + 1));
        return 0;
      }
      case "unset":
        for (const a of args) vars.delete(a);
        return 0;
      case "export":
        // grub_env_export: an unset variable is created empty.
        for (const a of args) { this.ctx.exported.add(a); if (!vars.has(a)) vars.set(a, ""); }
        return 0;
      case "true": return 0;
      case "false": return 1;
      case "[":
        if (args[args.length - 1] !== "]") return 1;
        return evalTest(args.slice(0, -1), this.fileTest) ? 0 : 1;
      case "test":
        return evalTest(args, this.fileTest) ? 0 : 1;
      case "load_env": return this.loadEnv(args);
      case "save_env": return this.saveEnv(args);
      case "menuentry": case "submenu": return this.defineEntry(name, args, node);
      case "break": case "continue": throw new Signal(name, Math.max(1, args[0] === undefined ? 1 : strtosl(args[0])));
      case "return": throw new Signal("return", 1, args[0] === undefined ? this.status : strtosl(args[0]));
      case "shift": {
        const n = args[0] === undefined ? 1 : strtosl(args[0]);
        if (n > this.frame.params.length) return 1;
        this.frame.params = this.frame.params.slice(n);
        return 0;
      }
      case "setparams": this.frame.params = [...args]; return 0;
      case "eval": {
        try {
          this.execList(parse(args.join(" ")).body);
        } catch (err) {
          if (err instanceof BootctlError && err.code === "E_GRUB_SYNTAX") return 1;
          throw err;
        }
        return this.status;
      }
      case "source": case "configfile": return this.sourceFile(name, args);
      case "halt": case "reboot": throw new Signal("stop", 1, 0, name);
      case "boot":
        if (this.options.emulator || !this.loaderLoaded) return 1;
        throw new Signal("stop", 1, 0, "boot");
    }
    if (LOADERS.has(name) && !this.options.emulator) { this.loaderLoaded = true; return 0; }
    if (NEUTRAL.has(name)) return 0;
    if (NOT_FOLLOWED.has(name)) { this.warn(`'${name}' is not followed: entries or variables it adds are not evaluated`); return 0; }
    if (FAILING.has(name)) return 1;
    const eq = name.indexOf("=");
    if (eq > 0) { vars.set(name.slice(0, eq), name.slice(eq + 1)); return 0; }
    this.warn(`can't find command '${name}'`);
    return 1;
  }

  private sourceFile(name: "source" | "configfile", args: string[]): number {
    if (args[0] === undefined) return 1;
    const p = this.resolvePath(args[0]);
    const text = this.options.scripts?.[p];
    if (text === undefined) {
      this.missing.add(p);
      this.warn(`${name}: ${this.describe(p)} is not known; treated as missing (GRUB: file not found)`);
      return 1;
    }
    if (this.sourceDepth >= MAX_SOURCE_DEPTH) throw new BootctlError("E_GRUB_EVAL_LIMIT", `evaluation stopped: ${name} nested ${MAX_SOURCE_DEPTH} deep (a file that reads itself?)`);
    this.sourceDepth++;
    try {
      return this.sourceParsed(name, p, text);
    } finally {
      this.sourceDepth--;
    }
  }

  private sourceDepth = 0;

  private sourceParsed(name: "source" | "configfile", p: string, text: string): number {
    const { script, errors } = parseAsGrubRuns(text);
    for (const e of errors) this.warn(`${name} ${this.describe(p)}: ${e.message}: GRUB skips this command`);
    if (name === "source") { this.execList(script.body); return this.status; }
    const outer = this.ctx;
    const vars = new Map<string, string>();
    for (const v of outer.exported) { const value = outer.vars.get(v); if (value !== undefined) vars.set(v, value); }
    const inner: Context = { vars, exported: new Set(outer.exported), menu: [], indexPath: [], titlePath: [] };
    this.ctx = inner;
    try {
      this.execList(script.body);
    } finally {
      this.ctx = outer;
    }
    if (inner.menu.length === 0) return 0;
    // grub_normal_execute shows the file's menu now; the default entry boots from it.
    this.menuCtx = inner;
    throw new Signal("menu", 1);
  }

  private call(body: CommandNode[], params: string[]): number {
    const saved = this.frame;
    this.frame = { params };
    try {
      return this.execList(body);
    } catch (err) {
      if (err instanceof Signal && err.kind === "return") return err.status;
      throw err;
    } finally {
      this.frame = saved;
    }
  }

  private envFile(file: string | undefined, command: string): { env: Map<string, string> | undefined; path: string } {
    const p = file === undefined ? this.resolvePath(`${this.ctx.vars.get("prefix") ?? ""}/grubenv`) : this.resolvePath(file);
    const env = this.files.get(p);
    if (!env) { this.missing.add(p); this.warn(`${command}: ${this.describe(p)} is not known; treated as missing`); }
    return { env, path: p };
  }

  private envFileArgs(args: string[]): { names: string[]; file: string | undefined } {
    const names: string[] = [];
    let file: string | undefined;
    for (let i = 0; i < args.length;) {
      const o = optionValue(args, i, "-f", "--file");
      if (o) { file = o.value; i = o.next; continue; }
      if (args[i] === "-s" || args[i] === "--skip-sig") { i++; continue; }
      names.push(args[i]!);
      i++;
    }
    return { names, file };
  }

  private loadEnv(args: string[]): number {
    const { names, file } = this.envFileArgs(args);
    const { env } = this.envFile(file, "load_env");
    if (!env) return 1;
    for (const [k, v] of env) if (names.length === 0 || names.includes(k)) this.ctx.vars.set(k, v);
    return 0;
  }

  private saveEnv(args: string[]): number {
    const { names, file } = this.envFileArgs(args);
    if (names.length === 0) return 1;
    const { env, path } = this.envFile(file, "save_env");
    if (!env) return 1;
    for (const n of names) {
      const v = this.ctx.vars.get(n);
      if (v === undefined) env.delete(n);
      else env.set(n, v);
      if (path !== this.grubenvPath) continue;
      this.saved.delete(n);
      this.saved.set(n, v ?? null);
    }
    return 0;
  }

  private defineEntry(kind: "menuentry" | "submenu", args: string[], node: SimpleCommandNode): number {
    if (!node.block) return 1;
    const o = parseMenuentryArgs(args);
    if (o.help || o.title === undefined) return 1;
    const index = this.ctx.menu.length;
    this.ctx.menu.push({
      type: kind === "submenu" ? "submenu" : "entry", title: o.title, id: o.id ?? o.title, hasId: o.id !== undefined,
      classes: o.classes, users: o.users, unrestricted: o.unrestricted, hotkey: o.hotkey, extraArgs: o.extraArgs,
      indexPath: [...this.ctx.indexPath, index], titlePath: [...this.ctx.titlePath, o.title], node, children: undefined,
    });
    return 0;
  }

  /** Enter a submenu: new context with the exported variables; its body defines its menu. */
  private enterSubmenu(entry: RuntimeEntry, defaultSpec: string | undefined): Context {
    const outer = this.ctx;
    const vars = new Map<string, string>();
    for (const name of outer.exported) { const v = outer.vars.get(name); if (v !== undefined) vars.set(name, v); }
    const inner: Context = { vars, exported: new Set(outer.exported), menu: [], indexPath: entry.indexPath, titlePath: entry.titlePath };
    // menu.c grub_menu_execute_entry: `default` becomes the rest after the first single `>`, or is unset.
    if (defaultSpec !== undefined && defaultSpec !== "") inner.vars.set("default", defaultSpec);
    else inner.vars.delete("default");
    inner.vars.set("timeout", "0");
    this.ctx = inner;
    const savedFrame = this.frame;
    this.frame = { params: [entry.title, ...entry.extraArgs] };
    try {
      this.run({ text: "", tokens: [], body: entry.node.block!.body });
    } finally {
      this.frame = savedFrame;
      this.ctx = outer;
    }
    entry.children = inner.menu;
    return inner;
  }

  /** Evaluate `script`, then choose and run the default entry as GRUB's menu code would. */
  private changes(): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const [name, value] of this.saved) {
      if ((this.initialGrubenv?.get(name) ?? null) !== value) out[name] = value;
    }
    return out;
  }

  evaluate(script: Script): EvalResult {
    this.run(script);
    const top = this.menuCtx ?? this.ctx;
    if (this.stoppedBy !== undefined) {
      return {
        menu: top.menu, chosen: undefined, variables: top.vars, saved: this.saved, changes: this.changes(), grubenv: this.files.get(this.grubenvPath), files: this.files,
        loaderLoaded: this.loaderLoaded, stoppedBy: this.stoppedBy, missing: [...this.missing], warnings: this.warnings,
      };
    }
    const menu = top.menu;
    let chosen: RuntimeEntry | undefined;
    let ctx = top;
    let level = menu;
    let chosenPath = "";
    for (;;) {
      if (level.length === 0) break;
      const spec = ctx.vars.get("default");
      const entry = level[selectEntryIndex(level, spec)]!;
      const component = (entry.hasId ? entry.id : entry.title).replace(/>/g, ">>");
      chosenPath = chosenPath === "" ? component : `${chosenPath}>${component}`;
      if (entry.type === "entry") { chosen = entry; break; }
      const outer = this.ctx;
      const inner = this.enterSubmenu(entry, spec === undefined ? undefined : specRemainder(spec));
      ctx = inner;
      level = entry.children ?? [];
      this.ctx = outer;
      if (level.length === 0) { chosen = entry; break; }
    }
    if (this.options.enterAllSubmenus) this.enterAll(menu);
    if (chosen && chosen.type === "entry") this.boot(chosen, chosenPath, ctx);
    return {
      menu, chosen, variables: top.vars, saved: this.saved, changes: this.changes(), grubenv: this.files.get(this.grubenvPath), files: this.files, loaderLoaded: this.loaderLoaded, stoppedBy: undefined, missing: [...this.missing], warnings: this.warnings,
    };
  }

  private enterAll(list: RuntimeEntry[]): void {
    for (const e of list) {
      if (e.type !== "submenu") continue;
      if (e.children === undefined) this.enterSubmenu(e, undefined);
      this.enterAll(e.children ?? []);
    }
  }

  /** Run the chosen entry's body: `$chosen` exported, `$1` = title, same variable context. */
  private boot(entry: RuntimeEntry, chosenPath: string, ctx: Context): void {
    const outer = this.ctx;
    this.ctx = ctx;
    ctx.vars.set("chosen", chosenPath);
    ctx.exported.add("chosen");
    const savedFrame = this.frame;
    this.frame = { params: [entry.title, ...entry.extraArgs] };
    try {
      this.execList(entry.node.block!.body);
    } catch (err) {
      if (!(err instanceof Signal)) throw err;
    } finally {
      this.frame = savedFrame;
      this.ctx = outer;
    }
  }
}

/** Evaluate a grub.cfg against a grubenv: the menu, the default entry and what the boot saves. */
export function evaluateGrubScript(script: Script, options: EvalOptions = {}): EvalResult {
  return new GrubEvaluator(options).evaluate(script);
}
