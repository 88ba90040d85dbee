/**
 * Shared helpers for the hostile-input matrix (test/hostile/*.test.ts).
 *
 * - `Sandbox`: a temporary directory holding `root/` (what `--root` is given) and `outside/`
 *   (sentinel files a planted symlink or a `..` would reach). `changes()` compares a snapshot of
 *   the WHOLE sandbox taken with lstat (links are never followed) before and after, so a write
 *   outside the root, or anywhere in the root that was not expected, shows up by path.
 * - `assertRefused`: the CLI's failure contract — non-zero exit, exactly one line on stderr
 *   starting `bootctl-ts: `, no stack trace, not an internal error (a bug).
 * - `withMountedEsp`: a directory bind-mounted onto itself, as real `bootctl` insists the ESP be a
 *   mount point (see test/differential/bootctl-list.test.ts), plus the bootctl run and the
 *   normalisation of systemd 252's JSON stream.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as assert from "uvu/assert";
import { runCli } from "../../src/cli/main.ts";
import type { CliResult } from "./cli.ts";
import { makeTempRoot, removeTempRoot } from "./tmp.ts";

/** relative path → "d MODE" | "f MODE SHA256" | "l TARGET" | "o MODE" (other types). */
export type Snapshot = Map<string, string>;

export function snapshot(dir: string): Snapshot {
  const out: Snapshot = new Map();
  const walk = (abs: string, rel: string): void => {
    const st = lstatSync(abs);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out.set(rel, `l ${readlinkSync(abs)}`);
    else if (st.isDirectory()) {
      out.set(rel, `d ${mode}`);
      for (const name of readdirSync(abs).sort()) walk(path.join(abs, name), rel === "" ? name : `${rel}/${name}`);
    } else if (st.isFile()) out.set(rel, `f ${mode} ${createHash("sha256").update(readFileSync(abs)).digest("hex")}`);
    else out.set(rel, `o ${mode}`);
  };
  walk(dir, "");
  return out;
}

/** `+path`, `-path`, `~path` for every difference between two snapshots, sorted. */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const [p, v] of after) {
    if (!before.has(p)) out.push(`+${p}`);
    else if (before.get(p) !== v) out.push(`~${p}`);
  }
  for (const p of before.keys()) if (!after.has(p)) out.push(`-${p}`);
  return out.sort((a, b) => a.slice(1).localeCompare(b.slice(1)));
}

export class Sandbox {
  readonly base: string;
  readonly root: string;
  readonly outside: string;
  private before: Snapshot = new Map();

  constructor() {
    this.base = makeTempRoot("bootctl-ts-hostile-");
    this.root = path.join(this.base, "root");
    this.outside = path.join(this.base, "outside");
    mkdirSync(this.root);
    mkdirSync(this.outside);
    // Targets a hostile path or link would reach: each must stay byte for byte as it is.
    writeFileSync(path.join(this.outside, "secret"), "outside the root\n");
    mkdirSync(path.join(this.outside, "entries"));
    writeFileSync(path.join(this.outside, "entries", "outside.conf"), "title OUTSIDE\nlinux /vmlinuz\n");
    mkdirSync(path.join(this.outside, "Linux"));
  }

  /** A path inside the root (`rel` relative to it). */
  at(rel: string): string {
    return path.join(this.root, rel);
  }

  write(rel: string, content: string | Uint8Array): void {
    mkdirSync(path.dirname(this.at(rel)), { recursive: true });
    writeFileSync(this.at(rel), content);
  }

  /** Remember the current state; `changes()` reports against it. */
  mark(): void {
    this.before = snapshot(this.base);
  }

  /** What changed in the whole sandbox since `mark()`, as `+`/`-`/`~` + path relative to the sandbox. */
  changes(): string[] {
    return diffSnapshots(this.before, snapshot(this.base));
  }

  /** Assert nothing changed anywhere (inside or outside the root) since `mark()`. */
  assertUnchanged(label: string): void {
    assert.equal(this.changes(), [], `${label}: the tree changed`);
  }

  /** Assert the only changes since `mark()` are exactly `expected` (paths relative to the sandbox). */
  assertOnlyChanges(expected: readonly string[], label: string): void {
    assert.equal(this.changes(), [...expected].sort((a, b) => a.slice(1).localeCompare(b.slice(1))), label);
  }

  dispose(): void {
    removeTempRoot(this.base);
  }
}

/** Run `body` with a fresh sandbox, removed afterwards. */
export async function withSandbox<T>(body: (s: Sandbox) => Promise<T> | T): Promise<T> {
  const s = new Sandbox();
  try {
    return await body(s);
  } finally {
    s.dispose();
  }
}

/** A typical image: machine-id, os-release, an ESP at /efi with loader/entries, a kernel and initrd. */
export function typicalImage(s: Sandbox): void {
  s.write("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
  s.write("etc/os-release", 'ID=debian\nPRETTY_NAME="Debian GNU/Linux 12"\n');
  s.write("etc/kernel/entry-token", "debian\n");
  mkdirSync(s.at("efi/loader/entries"), { recursive: true });
  s.write("vmlinuz", "kernel\n");
  s.write("initrd.img", "initrd\n");
}

/** The CLI's refusal contract: non-zero, one `bootctl-ts: ` line on stderr, no stack trace, not a bug. */
export function assertRefused(r: CliResult, label: string, message?: RegExp): void {
  assert.ok(r.status !== 0, `${label}: expected a failure, got exit 0 (stdout ${JSON.stringify(r.stdout.slice(0, 200))})`);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  assert.is(lines.length, 1, `${label}: expected one line on stderr, got ${JSON.stringify(r.stderr.slice(0, 600))}`);
  assert.match(lines[0]!, /^bootctl-ts: /, label);
  assert.not.match(lines[0]!, /internal error/, `${label}: ${lines[0]}`);
  assert.not.match(r.stderr, /\n\s+at /, `${label}: stack trace`);
  if (message) assert.match(lines[0]!, message, `${label}: ${lines[0]}`);
}

/**
 * The CLI in this process (src/cli/main.ts runCli, the same code dist/cli.cjs runs, minus
 * Node's start-up): the matrix runs hundreds of cases, a spawn each would take minutes. Each
 * test file still runs a few cases through the built binary (test/support/cli.ts).
 */
export async function runInProcess(args: string[], options: { cwd?: string } = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const previous = process.cwd();
  if (options.cwd) process.chdir(options.cwd);
  try {
    // --no-color: uvu sets FORCE_COLOR for its own output, which would style our warnings.
    const status = await runCli(["--no-color", ...args], { stdout: { write: (c: string) => { stdout += c; } }, stderr: { write: (c: string) => { stderr += c; } } });
    return { status, stdout, stderr };
  } finally {
    if (options.cwd) process.chdir(previous);
  }
}

/** Warnings only (`bootctl-ts: warning: …`) and no stack trace, internal error or other noise. */
export function assertOnlyWarnings(r: CliResult, label: string): string[] {
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  for (const l of lines) assert.match(l, /^bootctl-ts: warning: /, `${label}: ${l}`);
  return lines;
}

/** A string of `n` bytes of `c` (ASCII). */
export function repeat(c: string, n: number): string {
  return c.repeat(n);
}

/** 300 bytes (> NAME_MAX 255) and a path of 4200 bytes (> PATH_MAX 4096). */
export const LONG_NAME = repeat("n", 300);
export const LONG_PATH = Array.from({ length: 700 }, () => "abcde").join("/");

/** Hostile ids / names shared by the name tests (NUL cannot pass through argv: library tests use it). */
export const HOSTILE_NAMES: readonly { label: string; value: string }[] = [
  { label: "dot-dot", value: ".." },
  { label: "dot-dot path", value: "../../outside/secret" },
  { label: "absolute", value: "/etc/passwd" },
  { label: "absolute into outside", value: "/../../outside/secret" },
  { label: "slash", value: "a/b" },
  { label: "backslash", value: "a\\..\\b" },
  { label: "newline", value: "a\nlinux /evil" },
  { label: "carriage return", value: "a\rinitrd /evil" },
  { label: "> NAME_MAX", value: LONG_NAME },
  { label: "> PATH_MAX", value: LONG_PATH },
];

export const SYSTEMD_ENV: NodeJS.ProcessEnv = { SYSTEMD_RELAX_ESP_CHECKS: "1", SYSTEMD_RELAX_XBOOTLDR_CHECKS: "1", SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "", SYSTEMD_LOG_LEVEL: "err" };

/**
 * Bind-mount `dir` onto itself for the duration of `body` (bootctl wants the ESP to be a mount
 * point; needs root, as the bootctl differential does). Fails, never skips, without it.
 */
export async function withMountedEsp<T>(dir: string, body: () => Promise<T> | T): Promise<T> {
  const mounted = spawnSync("mount", ["--bind", dir, dir], { encoding: "utf8" });
  if (mounted.status !== 0) throw new Error(`mount --bind needs root: ${mounted.stderr}`);
  try {
    return await body();
  } finally {
    spawnSync("umount", [dir]);
  }
}

/** systemd 252's `bootctl list --json=short` for an ESP that is also $BOOT: one JSON text per entry. */
export function bootctlList(esp: string): string[] {
  const r = spawnSync("bootctl", [`--esp-path=${esp}`, `--boot-path=${esp}`, "list", "--json=short"], { encoding: "utf8", env: { ...process.env, ...SYSTEMD_ENV } });
  if (r.status !== 0) throw new Error(`bootctl failed (${r.status}): ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.stringify(JSON.parse(l)));
}

/** Fields current systemd prints and 252 does not (see test/differential/bootctl-list.test.ts). */
const ONLY_CURRENT = ["type", "source", "uki", "ukiUrl", "profile", "isReported", "isDefault", "isSelected", "addons", "cmdline"];

export function strip252(o: Record<string, unknown>): string {
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!ONLY_CURRENT.includes(k)) copy[k] = v;
  return JSON.stringify(copy);
}

/** Remove a directory tree (used between cases that share one mounted ESP). */
export function emptyDirectory(dir: string): void {
  for (const name of readdirSync(dir)) rmSync(path.join(dir, name), { recursive: true, force: true });
}
