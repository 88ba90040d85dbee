/**
 * Differential test: random create/set/unset/list sequences applied with the real `grub-editenv`
 * (Debian 12, GRUB 2.06) and with the built `bootctl-ts grubenv` (dist/cli.cjs), comparing after
 * every step the exit status, the stdout, the error message, the file's bytes, and the output of
 * `list` (grub-editenv's on its file, ours on ours).
 *
 * Speed: 1,000+ sequences are too many for one Node process per step (≈100 ms each on the CI
 * machines), so the bulk runs the built bundle *in this process*: dist/cli.cjs is compiled once
 * and its top level re-executed for every invocation with a fresh module object, a `process`
 * whose argv, env and exit are captured, and an `fs` whose writeSync to descriptors 1 and 2 is
 * captured (the binary's output path, src/cli/stdio.ts; nothing else is substituted). A smaller
 * set of sequences spawns the real binary, to show that the two ways agree.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";
import { CLI } from "../support/cli.ts";
import { execTool, requireTool } from "../support/exec.ts";
import { mapPool } from "../support/pool.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";

const VECTORS = new URL("../../fixtures/vectors/grubenv/", import.meta.url).pathname;

interface Result { status: number; stdout: string; stderr: string }
type Runner = (args: string[]) => Promise<Result>;

/** The built CLI bundle (dist/cli-main.cjs: dist/cli.cjs only starts it with the code cache). */
const CLI_MAIN = path.join(path.dirname(CLI), "cli-main.cjs");

/** The built CLI, run in-process (see the module comment). */
function inProcessCli(): Runner {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run 'npm run build' first`);
  const source = readFileSync(CLI_MAIN, "utf8").replace(/^#!.*/, "");
  const wrapper = new vm.Script(`(function (exports, require, module, __filename, __dirname, process) {${source}\n})`, { filename: CLI_MAIN }).runInThisContext() as (...a: unknown[]) => void;
  const req = createRequire(CLI_MAIN);
  // BOOTCTL_TS_V8_DEFAULTS: the binary would otherwise change V8's flags in this test process
  // (src/cli/v8-tiering.ts), and every later code-cache check here with them.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", BOOTCTL_TS_V8_DEFAULTS: "1" };
  delete env.FORCE_COLOR;
  return (args) => new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let settled = false;
    const settle = (status: unknown) => {
      if (settled) return;
      settled = true;
      resolve({ status: Number(status), stdout, stderr });
    };
    // The binary writes its output with fs.writeSync to descriptors 1 and 2 (src/cli/stdio.ts).
    const fs = req("node:fs") as typeof import("node:fs");
    const fakeFs = {
      ...fs,
      writeSync(fd: number, data: string | Uint8Array, ...rest: unknown[]): number {
        if (fd !== 1 && fd !== 2) return (fs.writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
        const text = typeof data === "string" ? data : Buffer.from(data).toString("utf8");
        if (fd === 1) stdout += text;
        else stderr += text;
        return Buffer.byteLength(text);
      },
    };
    const fakeRequire = Object.assign((id: string) => (id === "node:fs" || id === "fs" ? fakeFs : req(id)), req);
    // Properties the binary defines on `process` (bin.ts hooks the `stdout` getter) stay on this
    // fake: defined on the real process they would pile up from run to run.
    const own = new Map<PropertyKey, PropertyDescriptor>();
    const fake: NodeJS.Process = new Proxy(process, {
      get(target, key) {
        if (key === "argv") return [process.execPath, CLI, ...args];
        if (key === "env") return env;
        // The binary ends with process.exit(status): here it only reports the status.
        if (key === "exit") return settle;
        const defined = own.get(key);
        if (defined) return defined.get ? defined.get.call(fake) : defined.value;
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
      set(target, key, value) {
        if (key === "exitCode") return true;
        return Reflect.set(target, key, value);
      },
      defineProperty(_target, key, descriptor) {
        own.set(key, descriptor);
        return true;
      },
      getOwnPropertyDescriptor(target, key) {
        return own.get(key) ?? Reflect.getOwnPropertyDescriptor(target, key);
      },
    });
    const module = { exports: {} };
    wrapper(module.exports, fakeRequire, module, CLI_MAIN, path.dirname(CLI_MAIN), fake);
  });
}

const spawnedCli: Runner = (args) => execTool(process.execPath, [CLI, ...args], (() => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  return env;
})());


// ---- random sequences -------------------------------------------------------------------------

type Step =
  | { op: "create" }
  | { op: "list" }
  | { op: "set"; assignments: string[] }
  | { op: "unset"; names: string[] };

const NAMES = ["a", "b", "saved_entry", "next_entry", "boot_success", "boot_counter", "X_1", "_u"];
const nameArb = fc.constantFrom(...NAMES);
const CHARS = ["a", "b", "z", "0", "9", " ", "\\", "\n", "=", "#", "\"", "'", "$", "{", ";", "é", "€", "😀", "\t", "-"];
const shortValue = fc.array(fc.constantFrom(...CHARS), { maxLength: 12 }).map((cs) => cs.join(""));
const longValue = fc.tuple(fc.integer({ min: 100, max: 960 }), fc.constantFrom("x", "\\", "\n", "é", "ab#")).map(([n, c]) => c.repeat(Math.ceil(n / c.length)).slice(0, n));
const valueArb = fc.oneof({ weight: 8, arbitrary: shortValue }, { weight: 2, arbitrary: longValue });
const assignment = fc.tuple(nameArb, valueArb).map(([n, v]) => `${n}=${v}`);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.array(assignment, { minLength: 1, maxLength: 3 }).map((assignments) => ({ op: "set" as const, assignments })) },
  { weight: 3, arbitrary: fc.array(nameArb, { minLength: 1, maxLength: 2 }).map((names) => ({ op: "unset" as const, names })) },
  { weight: 1, arbitrary: fc.constant({ op: "list" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "create" as const }) },
  { weight: 1, arbitrary: fc.tuple(nameArb, shortValue).map(([n, v]) => ({ op: "set" as const, assignments: [`${n}=${v}`, n] })) },
);
/** Starting points: a missing file (first step creates it) or a copy of a reference vector. */
const START_FILES = ["", "", "", "", "basic", "handmade-dupe", "handmade-nopad", "handmade-zeropad", "handmade-blankline", "size100", "size2048", "handmade-trailing-newline-1025", "full", "escape"];
const firstStep: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ op: "create" as const }),
  fc.constant({ op: "list" as const }),
  fc.array(fc.tuple(nameArb, shortValue).map(([n, v]) => `${n}=${v}`), { minLength: 1, maxLength: 3 }).map((assignments) => ({ op: "set" as const, assignments })),
);
const sequenceArb = fc.record({
  start: fc.constantFrom(...START_FILES),
  steps: fc.tuple(firstStep, fc.array(stepArb, { minLength: 1, maxLength: 4 })).map(([s, rest]) => [s, ...rest]),
});
interface Sequence { start: string; steps: Step[] }

function argsFor(file: string, step: Step): string[] {
  switch (step.op) {
    case "create": case "list": return [file, step.op];
    case "set": return [file, "set", ...step.assignments];
    case "unset": return [file, "unset", ...step.names];
  }
}

/** grub-editenv's `grub-editenv: error: X.` and our `bootctl-ts: [FILE:1: ]X`: the X must match. */
function sameError(grub: string, ours: string): boolean {
  const m = /^grub-editenv: error: (.*)\.\n$/.exec(grub);
  // `list` of a missing file creates it, as grub-editenv does, and (unlike it) says so.
  if (!m) return grub === "" && (ours === "" || /^created \S+: there was no environment block \(grub-editenv list creates it too\)\n$/.test(ours));
  return ours.startsWith("bootctl-ts: ") && ours.trimEnd().endsWith(m[1]!);
}

function readOrNull(file: string): Buffer | null {
  return existsSync(file) ? readFileSync(file) : null;
}

interface Observed { result: Result; bytes: Buffer | null; list: Result }

const quote = (arg: string) => `'${arg.replace(/'/g, "'\\''")}'`;

/** All steps of one sequence with grub-editenv, in one shell (one spawn per sequence instead of
 * two per step): each step's status, output, resulting bytes and `list` output. */
async function grubSequence(dir: string, file: string, steps: Step[]): Promise<Observed[]> {
  const lines = ["cd " + quote(dir)];
  steps.forEach((step, i) => {
    const p = `${path.basename(file)}.s${i}`;
    lines.push(`grub-editenv ${argsFor(file, step).map(quote).join(" ")} >${p}.out 2>${p}.err; echo $? >${p}.rc`);
    lines.push(`if [ -e ${quote(file)} ]; then cat ${quote(file)} >${p}.bin; fi`);
    lines.push(`grub-editenv ${quote(file)} list >${p}.lout 2>${p}.lerr; echo $? >${p}.lrc`);
  });
  const sh = await execTool("sh", ["-c", lines.join("\n")]);
  if (sh.status !== 0) throw new Error(`shell failed: ${sh.stderr}`);
  return steps.map((_, i) => {
    const p = path.join(dir, `${path.basename(file)}.s${i}`);
    const text = (suffix: string) => readFileSync(`${p}.${suffix}`, "utf8");
    return {
      result: { status: Number(text("rc")), stdout: text("out"), stderr: text("err") },
      bytes: readOrNull(`${p}.bin`),
      list: { status: Number(text("lrc")), stdout: text("lout"), stderr: text("lerr") },
    };
  });
}

async function runSequence(dir: string, index: number, seq: Sequence, ours: Runner): Promise<string[]> {
  const theirsFile = path.join(dir, `g${index}.env`);
  const oursFile = path.join(dir, `o${index}.env`);
  if (seq.start) {
    copyFileSync(path.join(VECTORS, `${seq.start}.grubenv`), theirsFile);
    copyFileSync(path.join(VECTORS, `${seq.start}.grubenv`), oursFile);
  }
  const theirs = await grubSequence(dir, theirsFile, seq.steps);
  const problems: string[] = [];
  const where = (i: number) => `sequence ${index} (start ${seq.start || "missing"}) step ${i} ${JSON.stringify(seq.steps[i])}`;
  for (let i = 0; i < seq.steps.length; i++) {
    const g = theirs[i]!;
    const o = await ours(["grubenv", ...argsFor(oursFile, seq.steps[i]!)]);
    if (g.result.status !== o.status) problems.push(`${where(i)}: exit ${g.result.status} (grub-editenv ${JSON.stringify(g.result.stderr)}) vs ${o.status} (${JSON.stringify(o.stderr)})`);
    if (g.result.stdout !== o.stdout) problems.push(`${where(i)}: stdout ${JSON.stringify(g.result.stdout)} vs ${JSON.stringify(o.stdout)}`);
    if (!sameError(g.result.stderr, o.stderr)) problems.push(`${where(i)}: stderr ${JSON.stringify(g.result.stderr)} vs ${JSON.stringify(o.stderr)}`);
    const ob = readOrNull(oursFile);
    if (g.bytes === null ? ob !== null : ob === null || !g.bytes.equals(ob)) problems.push(`${where(i)}: file bytes differ`);
    const ol = await ours(["grubenv", oursFile, "list"]);
    if (g.list.status !== ol.status || g.list.stdout !== ol.stdout) problems.push(`${where(i)}: list ${g.list.status} ${JSON.stringify(g.list.stdout)} vs ${ol.status} ${JSON.stringify(ol.stdout)}`);
    if (problems.length > 0) break;
  }
  return problems;
}

/** Scratch directory on tmpfs when there is one: both tools fsync every write, and on a disk
 * that, not the tools, would dominate the run time. */
function scratch(): string {
  const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  return mkdtempSync(path.join(base, "bootctl-ts-grubenv-diff-"));
}

function sequences(count: number, seed: number): Sequence[] {
  return fc.sample(sequenceArb, { numRuns: count, seed }) as Sequence[];
}

test("1,050 random sequences: built CLI (in-process) and grub-editenv agree after every step", async () => {
  requireTool("grub-editenv", "grub-common");
  const ours = inProcessCli();
  const seqs = sequences(1050, 20261125);
  const dir = scratch();
  try {
    const problems = (await mapPool(seqs, 4, (seq, i) => runSequence(dir, i, seq, ours))).flat();
    const steps = seqs.reduce((n, s) => n + s.steps.length, 0);
    assert.ok(steps >= 2500, `only ${steps} steps`);
    // Every kind of outcome was exercised, failures included.
    const all = seqs.flatMap((s) => s.steps);
    assert.ok(all.some((s) => s.op === "set" && s.assignments.some((a: string) => !a.includes("="))));
    assert.equal(problems.slice(0, 5), [], `${problems.length} mismatches`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("overflowing values give 'environment block too small' in both, file untouched", async () => {
  requireTool("grub-editenv", "grub-common");
  const ours = inProcessCli();
  const dir = scratch();
  try {
    const seqs: Sequence[] = [];
    for (const n of [924, 925, 926, 930]) seqs.push({ start: "", steps: [{ op: "create" }, { op: "set", assignments: [`big=${"x".repeat(n)}`] }, { op: "set", assignments: ["a="] }] });
    for (const n of [462, 463]) seqs.push({ start: "", steps: [{ op: "create" }, { op: "set", assignments: [`big=${"\\".repeat(n)}`] }, { op: "unset", names: ["big"] }] });
    const problems = (await mapPool(seqs, 2, (seq, i) => runSequence(dir, i, seq, ours))).flat();
    assert.equal(problems, []);
    const full = await execTool("grub-editenv", [path.join(dir, "g1.env"), "set", "a="]);
    assert.is(full.status, 1);
    assert.match(full.stderr, "environment block too small");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("20 random sequences: the spawned binary agrees with grub-editenv too", async () => {
  requireTool("grub-editenv", "grub-common");
  const seqs = sequences(20, 77);
  const dir = scratch();
  try {
    const problems = (await mapPool(seqs, 2, (seq, i) => runSequence(dir, i, seq, spawnedCli))).flat();
    assert.equal(problems.slice(0, 5), [], `${problems.length} mismatches`);
    assert.ok(readdirSync(dir).length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
