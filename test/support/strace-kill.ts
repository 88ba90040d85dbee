/**
 * Process-level crash tests: the real CLI (`node dist/cli.cjs …`) killed with SIGKILL by strace
 * fault injection (`-e inject=SYSCALL:signal=KILL:when=N`) at every call N of every write-related
 * system call it makes, one run per (syscall, N), until a run completes.
 *
 * How the kill points are chosen (and why they cover every change):
 * - A kill at the ENTRY of a call leaves the state after every earlier call. Tracing every call
 *   that changes a file or a directory (writes, fsyncs, renames, unlinks, mkdir/rmdir, copies,
 *   chmods, …) therefore covers every state the process passes through; openat(O_CREAT) needs no
 *   kill point of its own: the state it leaves is the one seen at the next traced call (the temp
 *   file's first pwrite64/fchmod, the lock file's write). Node's start-up openat calls are not
 *   traced at all.
 * - strace counts `when=N` per thread (each tracee gets its own copy of the injection counters).
 *   The runs set UV_THREADPOOL_SIZE=1, so every file operation of the CLI runs, in program order,
 *   on one libuv worker; a counting run (no kill) checks that each traced syscall comes from a
 *   single thread, so N = 1 … count hits each call exactly once; every one of those runs must
 *   be killed, and a run injecting at count + 1 for every syscall at once must complete (the
 *   calls are deterministic; a call the counting run did not see would show up there).
 * - `write` is also libuv's eventfd wake-up (one per finished request, timing-dependent) and the
 *   CLI's stdout: killing there adds nothing but run time. Its kill runs use `-P` with the files
 *   under the tree that the counting run saw written with write(2) (the lock file), so only
 *   those writes count (strace applies -P before it injects). The file layer writes file
 *   contents with pwrite64, which is traced in full.
 * - Everything a run changes must be under the scenario's tree: the counting run's trace (with
 *   `-y`, file descriptors shown as paths) is checked for any change elsewhere.
 *
 * After every kill, on a fresh copy of the scenario: nothing beside the tree changed; the full
 * tree snapshot (names, modes, bytes) is the old one or the new one (verbs of several steps: each
 * file is its old or its new self); the real tools' view is the old or the new one (or a
 * documented intermediate); and when the kill left anything besides exactly old or new (our lock,
 * a stale temp, half a plan), the next run must succeed, clean up and reach exactly the new
 * state. Identical states (up to the random part of temp names and the lock holder's PID) are
 * read back and re-run once: the tools and the CLI are deterministic on the same bytes.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { LOCK_NAME } from "../../src/adapters/boot-lock.ts";
import { CLI } from "./cli.ts";
import { mapPool } from "./pool.ts";

/** System calls that change files or directories (whichever of them a verb makes get kill points). */
export const MUTATING_SYSCALLS = [
  "write", "writev", "pwrite64", "pwritev", "pwritev2", "fsync", "fdatasync", "sync_file_range", "syncfs",
  "rename", "renameat", "renameat2", "unlink", "unlinkat", "rmdir", "mkdir", "mkdirat", "symlink", "symlinkat",
  "link", "linkat", "ftruncate", "truncate", "fallocate", "copy_file_range", "sendfile", "fchmod", "fchmodat",
  "chmod", "fchown", "fchownat", "chown", "lchown", "utimensat",
] as const;

/** Syscalls whose non-file uses (eventfd, pipes, stdout) are filtered with -P in kill runs. */
const FD_WRITERS = new Set(["write", "writev"]);

export interface ProcessResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawn and collect; never rejects. */
export function spawnCollect(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
    child.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    child.on("error", (err) => resolve({ status: -1, signal: null, stdout, stderr: stderr + String(err) }));
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** The environment of every CLI run: one libuv worker (see above), no colour. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _forced, ...inherited } = process.env;
  return { ...inherited, NO_COLOR: "1", UV_THREADPOOL_SIZE: "1", ...extra };
}

/** Run the built CLI without strace (the completing run and re-runs after a kill). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'node scripts/build.mjs' first`);
  return spawnCollect(process.execPath, [CLI, ...args], cliEnv(env));
}

// ---------------------------------------------------------------------------------------------
// Snapshots

/** Our own leftovers that the code documents as cleaned up by the next run: the boot directory
 * lock (boot-lock.ts: a dead or empty holder is taken over) and temp files (durable-fs.ts
 * `tempNameFor`: removed by the next write of the same file). */
export function isLeftover(name: string): boolean {
  return name === LOCK_NAME || /^\.#.*\.[0-9a-f]{12}\.bootctl-tmp$/.test(name);
}

/** relative path → "dir" | "link:TARGET" | "file:MODE:SHA256" (mode bits too: a copy's chmod is a step). */
export type Snapshot = Record<string, string>;

export function snapshotTree(dir: string): Snapshot {
  const out: Snapshot = {};
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const full = path.join(abs, name);
      const key = rel === "" ? name : `${rel}/${name}`;
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out[key] = `link:${readlinkSync(full)}`;
      else if (st.isDirectory()) {
        out[key] = "dir";
        walk(full, key);
      } else out[key] = `file:${(st.mode & 0o7777).toString(8)}:${createHash("sha256").update(readFileSync(full)).digest("hex").slice(0, 16)}`;
    }
  };
  walk(dir, "");
  return out;
}

/** Split a snapshot into the state and our leftovers (lock, stale temps). */
export function splitLeftovers(snap: Snapshot): { state: Snapshot; leftovers: string[] } {
  const state: Snapshot = {};
  const leftovers: string[] = [];
  for (const [key, value] of Object.entries(snap)) {
    if (isLeftover(path.posix.basename(key))) leftovers.push(key);
    else state[key] = value;
  }
  return { state, leftovers };
}

export function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/**
 * A state between old and new, as a multi-step plan leaves it: every path holds its old or its
 * new content (no partial file, no name that is in neither), and paths the verb does not change
 * are untouched. Returns the problems found (empty when consistent).
 */
export function mixProblems(state: Snapshot, oldSnap: Snapshot, newSnap: Snapshot): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(state)) {
    if (value !== oldSnap[key] && value !== newSnap[key]) problems.push(`${key}: ${value} is neither old (${oldSnap[key] ?? "absent"}) nor new (${newSnap[key] ?? "absent"})`);
  }
  for (const key of Object.keys(oldSnap)) {
    if (oldSnap[key] === newSnap[key] && state[key] !== oldSnap[key]) problems.push(`${key}: unchanged by the verb, but now ${state[key] ?? "absent"}`);
  }
  return problems;
}

/** Describe how `b` differs from `a` (for messages). */
export function snapshotDiff(a: Snapshot, b: Snapshot): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k] ?? "absent"} → ${b[k] ?? "absent"}`).join("; ");
}

/** The last step of a run that was killed (or completed) leaves the lock with a dead holder,
 * or empty when the kill came between creating and filling it. An empty lock is taken over
 * after a 2-second grace period (boot-lock.ts); a re-run happens later than that in reality (the
 * next boot, the next update), so the test ages such a lock instead of sleeping. */
export function ageEmptyLocks(tree: string, snap: Snapshot): void {
  const old = new Date(Date.now() - 3600_000);
  for (const key of Object.keys(snap)) {
    if (path.posix.basename(key) === LOCK_NAME) utimesSync(path.join(tree, key), old, old);
  }
}

// ---------------------------------------------------------------------------------------------
// Tracing and killing

interface TracedCall {
  tid: number;
  syscall: string;
  args: string;
}

function parseTrace(text: string): TracedCall[] {
  const calls: TracedCall[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+) +([a-z0-9_]+)\((.*)$/.exec(line);
    if (m) calls.push({ tid: Number(m[1]), syscall: m[2]!, args: m[3]! });
  }
  return calls;
}

/** Absolute paths a traced call changes: quoted path arguments and `-y` fd paths (`18</x/y>`);
 * for the copies only the destination (copy_file_range's third argument, sendfile's first). */
function pathsOf(call: TracedCall): string[] {
  const fds = [...call.args.matchAll(/(?:^|[ (,])\d+<(\/[^>]*)>/g)].map((m) => m[1]!);
  if (call.syscall === "copy_file_range") return fds.slice(1, 2);
  if (call.syscall === "sendfile") return fds.slice(0, 1);
  const quoted = [...call.args.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
  // symlink(TARGET, LINK), symlinkat(TARGET, DIRFD, LINK): the target is the link's content.
  const named = call.syscall === "symlink" || call.syscall === "symlinkat" ? quoted.slice(1) : quoted;
  return [...fds, ...named.filter((p) => p.startsWith("/"))];
}

export interface KillPlan {
  /** syscall → number of calls in the counting run (kill points 1..count, count+1 completes). */
  counts: Map<string, number>;
  /** syscall → -P paths (relative to the tree) for the fd writers. */
  pathFilters: Map<string, string[]>;
}

/**
 * The counting run: trace `args` once without a kill, check that it completes, that nothing
 * outside `tree` is changed, and that every traced syscall comes from one thread.
 */
export async function planKills(tree: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<KillPlan> {
  const scratch = mkdtempSync(path.join(tmpdir(), "bootctl-ts-strace-"));
  try {
    const traceFile = path.join(scratch, "trace");
    const r = await spawnCollect("strace", ["-f", "-qq", "-y", "-s", "64", "-o", traceFile, "-e", `trace=${MUTATING_SYSCALLS.join(",")}`, process.execPath, CLI, ...args], cliEnv(env));
    if (r.status !== 0) throw new Error(`counting run of '${args.join(" ")}' failed (${r.status ?? r.signal}): ${r.stderr}`);
    const prefix = tree.replace(/\/+$/, "") + "/";
    const counts = new Map<string, number>();
    const pathFilters = new Map<string, string[]>();
    const threads = new Map<string, Set<number>>();
    const outside: string[] = [];
    for (const call of parseTrace(readFileSync(traceFile, "utf8"))) {
      const paths = pathsOf(call).filter((p) => p !== "/dev/null");
      outside.push(...paths.filter((p) => !p.startsWith(prefix) && p !== tree).map((p) => `${call.syscall}: ${p}`));
      if (FD_WRITERS.has(call.syscall)) {
        const inTree = paths.filter((p) => p.startsWith(prefix));
        if (inTree.length === 0) continue; // eventfd, pipes, stdout
        for (const p of inTree) {
          if (isLeftover(path.basename(p)) && p.endsWith(".bootctl-tmp")) throw new Error(`${call.syscall} to a temp file (${p}): its random name cannot be filtered with -P; write it with pwrite64`);
        }
        const relative = inTree.map((p) => p.slice(prefix.length));
        pathFilters.set(call.syscall, [...new Set([...(pathFilters.get(call.syscall) ?? []), ...relative])]);
      }
      counts.set(call.syscall, (counts.get(call.syscall) ?? 0) + 1);
      threads.set(call.syscall, (threads.get(call.syscall) ?? new Set()).add(call.tid));
    }
    if (outside.length > 0) throw new Error(`'${args.join(" ")}' changes files outside ${tree}: ${[...new Set(outside)].join(", ")}`);
    for (const [syscall, tids] of threads) {
      if (tids.size !== 1) throw new Error(`${syscall} is called from ${tids.size} threads (${[...tids].join(", ")}): strace's per-thread counters cannot enumerate its calls`);
    }
    return { counts, pathFilters };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** One run of the CLI under strace, killed at call `n` of `syscall` (if it gets that far). */
export function runKilledAt(tree: string, point: KillPoint, args: readonly string[], plan: KillPlan, env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> {
  // The completion check of every syscall without a -P filter at once: a kill at call count+1
  // of any of them would show a call the counting run did not make.
  const injections = point.syscall === ALL_UNFILTERED
    ? [...plan.counts].filter(([s]) => !plan.pathFilters.has(s)).map(([s, count]) => [s, count + 1] as const)
    : [[point.syscall, point.n] as const];
  const filter = (plan.pathFilters.get(point.syscall) ?? []).flatMap((p) => ["-P", path.join(tree, p)]);
  // Not --seccomp-bpf: strace 6.1 then neither honours -P nor delivers the injected signal.
  return spawnCollect("strace", [
    "-f", "-qq", "-o", "/dev/null", ...filter, "-e", `trace=${injections.map(([s]) => s).join(",")}`,
    ...injections.flatMap(([s, n]) => ["-e", `inject=${s}:signal=KILL:when=${n}`]),
    process.execPath, CLI, ...args,
  ], cliEnv(env));
}

/** The kill point that checks the completion of every unfiltered syscall in one run. */
const ALL_UNFILTERED = "*";

export interface KillPoint {
  syscall: string;
  n: number;
}

/** Every kill point of a plan: calls 1..count of each syscall; then call count+1, which must
 * complete (one run for all syscalls without a -P filter, one per filtered syscall). */
export function killPoints(plan: KillPlan): KillPoint[] {
  const kills = [...plan.counts].flatMap(([syscall, count]) => Array.from({ length: count }, (_, i) => ({ syscall, n: i + 1 })));
  const completions = [...plan.pathFilters.keys()].map((syscall) => ({ syscall, n: plan.counts.get(syscall)! + 1 }));
  return [...kills, ...completions, { syscall: ALL_UNFILTERED, n: 0 }];
}

// ---------------------------------------------------------------------------------------------
// Scenarios

export interface CrashScenario {
  name: string;
  /** Build the old state in `tree` (inputs such as kernel images go to `inputs`, beside it). */
  setup(tree: string, inputs: string): void | Promise<void>;
  /** The CLI arguments (after `node dist/cli.cjs`). */
  args(tree: string, inputs: string): string[];
  env?: NodeJS.ProcessEnv;
  /** What the real tools read (bootctl list, grub-editenv list, efibootmgr -v, …), with `tree`
   * replaced by a placeholder so that views of different copies compare. Must throw when the
   * tool cannot read the state. */
  view(tree: string): Promise<string>;
  /** Checks of the completed run's view against the specification (not against our output). */
  checkNew(view: string, tree: string): void;
  /** True when the real tools cannot see the change (cleanup removes files no entry names). */
  viewUnchanged?: boolean;
  /** Views allowed between old and new, for plans of several steps whose intermediate state is
   * documented (e.g. the grubenv trial written before the entry). Given the old and new view. */
  intermediateViews?: (oldView: string, newView: string) => string[];
  /** True when a kill may leave a mix of old and new files (several files change, in order). */
  multiStep?: boolean;
  /** The command that completes an interrupted run, when it is not the verb itself (after
   * `unlink` removed the entry, its files are unreferenced: `cleanup`, as with bootctl). Used
   * when the kill came after the verb's first change (the state is not the old one). */
  recoveryArgs?: (tree: string, inputs: string) => string[];
  /** False when the verb refuses (exit 1, one line, changing nothing) to run again once its first
   * change is made (remove of a removed version; efibootmgr -B of a deleted option). */
  idempotent?: boolean;
  /** False when re-running the verb from an intermediate state is not expected to reach exactly
   * the new state (e.g. efi create picks the next free number); it must still succeed. */
  rerunConverges?: boolean;
}

export interface OutcomeCounts {
  old: number;
  new: number;
  intermediate: number;
  completed: number;
  reruns: number;
}

export interface ScenarioReport {
  name: string;
  kills: number;
  counts: Record<string, number>;
  outcomes: OutcomeCounts;
  /** Distinct states the kills left (each read back once with the real tools). */
  states: number;
  /** Distinct states that needed the next run (each re-run once). */
  recoveries: number;
}

const TREE = "tree";
const INPUTS = "in";

/** `tree` replaced by a placeholder in a tool's output. */
export function normalise(text: string, tree: string): string {
  return text.split(tree).join("$TREE");
}

interface Prepared {
  scenario: CrashScenario;
  template: string;
  oldSnap: Snapshot;
  newSnap: Snapshot;
  oldInputs: Snapshot;
  oldView: string;
  newView: string;
  allowedViews: Set<string>;
  plan: KillPlan;
  views: Map<string, Promise<string>>;
  recoveries: Map<string, Promise<string>>;
}

function fresh(template: string): { dir: string; tree: string; inputs: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "bootctl-ts-crash-"));
  cpSync(template, dir, { recursive: true, preserveTimestamps: true });
  return { dir, tree: path.join(dir, TREE), inputs: path.join(dir, INPUTS) };
}

async function prepare(scenario: CrashScenario): Promise<Prepared> {
  const template = mkdtempSync(path.join(tmpdir(), "bootctl-ts-crash-template-"));
  mkdirSync(path.join(template, TREE));
  mkdirSync(path.join(template, INPUTS));
  await scenario.setup(path.join(template, TREE), path.join(template, INPUTS));
  const oldSnap = snapshotTree(path.join(template, TREE));
  const oldInputs = snapshotTree(path.join(template, INPUTS));
  // The completing run on a copy: the new state.
  const copy = fresh(template);
  try {
    const oldView = await scenario.view(copy.tree);
    const r = await runCli(scenario.args(copy.tree, copy.inputs), scenario.env);
    if (r.status !== 0) throw new Error(`${scenario.name}: the verb failed without a kill (${r.status ?? r.signal}): ${r.stderr}`);
    const newSnap = snapshotTree(copy.tree);
    const leftovers = splitLeftovers(newSnap).leftovers;
    if (leftovers.length > 0) throw new Error(`${scenario.name}: a completed run left ${leftovers.join(", ")}`);
    if (sameSnapshot(oldSnap, newSnap)) throw new Error(`${scenario.name}: the verb changed nothing`);
    const newView = await scenario.view(copy.tree);
    if (newView === oldView && !scenario.viewUnchanged) throw new Error(`${scenario.name}: the real tools see no change`);
    scenario.checkNew(newView, copy.tree);
    // The counting run, on another copy (the kill runs copy the template again).
    const counting = fresh(template);
    let plan: KillPlan;
    try {
      plan = await planKills(counting.tree, scenario.args(counting.tree, counting.inputs), scenario.env);
    } finally {
      rmSync(counting.dir, { recursive: true, force: true });
    }
    const allowedViews = new Set([oldView, newView, ...(scenario.intermediateViews?.(oldView, newView) ?? [])]);
    return { scenario, template, oldSnap, newSnap, oldInputs, oldView, newView, allowedViews, plan, views: new Map(), recoveries: new Map() };
  } finally {
    rmSync(copy.dir, { recursive: true, force: true });
  }
}

type Outcome = "old" | "new" | "intermediate";

/** Kill at one point and check everything; returns what the kill left and whether it completed. */
async function killAndCheck(p: Prepared, point: KillPoint): Promise<{ completed: boolean; outcome: Outcome; rerun: boolean }> {
  const { scenario } = p;
  const where = `${scenario.name}: ${point.syscall} #${point.n}`;
  const run = fresh(p.template);
  try {
    const r = await runKilledAt(run.tree, point, scenario.args(run.tree, run.inputs), p.plan, scenario.env);
    const completed = r.status === 0;
    if (!completed && r.signal !== "SIGKILL") throw new Error(`${where}: neither killed nor completed (${r.status}): ${r.stderr}`);
    // Nothing outside the tree: the run directory holds the tree and the untouched inputs only.
    const top = readdirSync(run.dir).sort();
    if (top.join(",") !== [INPUTS, TREE].join(",")) throw new Error(`${where}: files appeared beside the tree: ${top.join(", ")}`);
    if (!sameSnapshot(snapshotTree(run.inputs), p.oldInputs)) throw new Error(`${where}: the inputs changed`);
    const snap = snapshotTree(run.tree);
    const { state, leftovers } = splitLeftovers(snap);
    // Identical bytes read identically: each distinct state is read back once (memo by state).
    const key = stateKey(snap);
    const view = await memo(p.views, key, () => scenario.view(run.tree));
    if (!p.allowedViews.has(view)) {
      throw new Error(`${where}: the real tools see neither the old nor the new state:\n${view}\n--- old:\n${p.oldView}\n--- new:\n${p.newView}`);
    }
    let outcome: Outcome;
    if (sameSnapshot(state, p.oldSnap)) outcome = "old";
    else if (sameSnapshot(state, p.newSnap)) outcome = "new";
    else {
      if (!scenario.multiStep) throw new Error(`${where}: the tree is neither old nor new: ${snapshotDiff(p.oldSnap, state)}`);
      const problems = mixProblems(state, p.oldSnap, p.newSnap);
      if (problems.length > 0) throw new Error(`${where}: ${problems.join("; ")}`);
      outcome = "intermediate";
    }
    if (completed) {
      if (outcome !== "new" || leftovers.length > 0) throw new Error(`${where}: a completed run left ${outcome} state, leftovers ${leftovers.join(", ")}`);
      return { completed, outcome, rerun: false };
    }
    // Anything besides exactly old or exactly new (our lock, a stale temp, half a plan): the
    // next run of the same verb must succeed and clean up.
    const rerun = leftovers.length > 0 || outcome === "intermediate";
    if (rerun) await memo(p.recoveries, key, () => recoverAndCheck(p, run, snap, outcome, where));
    return { completed, outcome, rerun };
  } finally {
    rmSync(run.dir, { recursive: true, force: true });
  }
}

/** The next run after a kill (or the recovery command): succeeds, cleans up, converges. */
async function recoverAndCheck(p: Prepared, run: { tree: string; inputs: string }, snap: Snapshot, outcome: Outcome, where: string): Promise<string> {
  const { scenario } = p;
  ageEmptyLocks(run.tree, snap);
  const recover = outcome !== "old" && scenario.recoveryArgs ? scenario.recoveryArgs : scenario.args;
  const again = await runCli(recover(run.tree, run.inputs), scenario.env);
  // A verb that refuses to do its work twice (remove of a removed version, efibootmgr's
  // delete of a deleted option) may fail with one line once the work is done; it must still
  // take over the lock and leave the new state.
  const refusedAgain = scenario.idempotent === false && outcome !== "old" && again.status === 1 && /^bootctl-ts: [^\n]+\n$/.test(again.stderr);
  if (refusedAgain) {
    // Refused: it must have changed nothing but our leftovers (lock taken over and released).
    const after = snapshotTree(run.tree);
    const { state, leftovers } = splitLeftovers(after);
    if (leftovers.length > 0) throw new Error(`${where}: the refused next run left ${leftovers.join(", ")}`);
    if (!sameSnapshot(state, splitLeftovers(snap).state)) throw new Error(`${where}: the refused next run changed ${snapshotDiff(splitLeftovers(snap).state, state)}`);
    return "refused";
  }
  if (again.status !== 0) throw new Error(`${where}: the next run failed (${again.status}): ${again.stderr}\nafter the kill: ${snapshotDiff(p.oldSnap, snap)}`);
  const after = snapshotTree(run.tree);
  const left = splitLeftovers(after).leftovers;
  if (left.length > 0) throw new Error(`${where}: the next run left ${left.join(", ")}`);
  if (scenario.rerunConverges !== false) {
    // The same bytes as the completed run: the tools read what they read there.
    if (!sameSnapshot(after, p.newSnap)) throw new Error(`${where}: the next run did not reach the new state: ${snapshotDiff(p.newSnap, after)}`);
  } else {
    await scenario.view(run.tree); // still readable
  }
  return "ok";
}

function memo(cache: Map<string, Promise<string>>, key: string, compute: () => Promise<string>): Promise<string> {
  let hit = cache.get(key);
  if (!hit) {
    hit = compute();
    cache.set(key, hit);
  }
  return hit;
}

const EMPTY_FILE_HASH = createHash("sha256").update("").digest("hex").slice(0, 16);

/** A snapshot as a key that ignores what differs between equivalent kills: the random part of
 * temp names and the PID in the lock (only whether the lock is empty matters). */
function stateKey(snap: Snapshot): string {
  return JSON.stringify(Object.entries(snap).map(([k, v]) => {
    if (path.posix.basename(k) === LOCK_NAME) return [k, v.endsWith(EMPTY_FILE_HASH) ? "lock:empty" : "lock:held"];
    return [k.replace(/\.[0-9a-f]{12}\.bootctl-tmp$/, ".X.bootctl-tmp"), v];
  }).sort());
}

/**
 * Run every scenario's kill points (all of them through one pool of `concurrency` workers) and
 * check each. Per syscall, calls 1..count must be killed and count+1 must complete.
 */
export async function killEverywhere(scenarios: readonly CrashScenario[], concurrency = 2): Promise<ScenarioReport[]> {
  const prepared = await mapPool(scenarios, concurrency, prepare);
  try {
    const jobs = prepared.flatMap((p) => killPoints(p.plan).map((point) => ({ p, point })));
    const results = await mapPool(jobs, concurrency, async ({ p, point }) => ({ p, point, ...(await killAndCheck(p, point)) }));
    return prepared.map((p) => {
      const mine = results.filter((r) => r.p === p);
      for (const r of mine) {
        const count = r.point.syscall === ALL_UNFILTERED ? -1 : p.plan.counts.get(r.point.syscall)!;
        if (r.point.n <= count && r.completed) throw new Error(`${p.scenario.name}: ${r.point.syscall} #${r.point.n} was not reached (the run completed): the calls are not deterministic`);
        if (r.point.n > count && !r.completed) throw new Error(`${p.scenario.name}: ${r.point.syscall} #${r.point.n} was still killed: more calls than in the counting run`);
      }
      const outcomes: OutcomeCounts = { old: 0, new: 0, intermediate: 0, completed: 0, reruns: 0 };
      for (const r of mine) {
        if (r.completed) outcomes.completed++;
        else outcomes[r.outcome]++;
        if (r.rerun) outcomes.reruns++;
      }
      return { name: p.scenario.name, kills: mine.filter((r) => !r.completed).length, counts: Object.fromEntries(p.plan.counts), outcomes, states: p.views.size, recoveries: p.recoveries.size };
    });
  } finally {
    for (const p of prepared) rmSync(p.template, { recursive: true, force: true });
  }
}

/** One line per scenario, for the test log. */
export function formatReport(r: ScenarioReport): string {
  const calls = Object.entries(r.counts).map(([s, n]) => `${s}×${n}`).join(" ");
  const o = r.outcomes;
  return `${r.name}: ${r.kills} kills (${calls}); old ${o.old}, new ${o.new}, intermediate ${o.intermediate}; ${r.states} distinct states, ${r.recoveries} re-runs`;
}

// ---------------------------------------------------------------------------------------------
// Reading back with the real tools

async function tool(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await spawnCollect(command, args, env ?? process.env);
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

/**
 * systemd 252's `bootctl --esp-path=ESP --boot-path=BOOT list --json=short` (one object per line),
 * plus the `(default)` marker of its text listing (which reads loader.conf). bootctl wants the
 * ESP to be a mount point: it is bind-mounted onto itself for the call (needs root), and
 * SYSTEMD_RELAX_ESP_CHECKS=1 skips the partition checks.
 */
export async function bootctlList(esp: string, options: { boot?: string; defaultMarker?: boolean } = {}): Promise<string> {
  const boot = options.boot ?? esp;
  const env = { ...process.env, SYSTEMD_RELAX_ESP_CHECKS: "1", SYSTEMD_RELAX_XBOOTLDR_CHECKS: "1", SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "" };
  const dirs = [...new Set([esp, boot])];
  for (const d of dirs) await tool("mount", ["--bind", d, d]);
  try {
    const args = [`--esp-path=${esp}`, `--boot-path=${boot}`, "list", "--no-pager"];
    const json = await tool("bootctl", [...args, "--json=short"], env);
    if (!options.defaultMarker) return json.trim();
    const text = await tool("bootctl", args, env);
    const defaults = text.split("\n").filter((l) => /^\s*title: .*\(default\)/.test(l)).map((l) => l.trim());
    return `${json.trim()}\n${defaults.join("\n")}`;
  } finally {
    for (const d of dirs.reverse()) await spawnCollect("umount", [d]);
  }
}

/** `grub-editenv FILE list` (GRUB's own envblk reader); "absent" when there is no file. */
export async function grubEditenvList(file: string): Promise<string> {
  if (!existsSync(file)) return "absent";
  return tool("grub-editenv", [file, "list"]);
}

/** `efibootmgr -v` on an efivarfs-format directory (libefivar's EFIVARFS_PATH). */
export async function efibootmgrV(dir: string): Promise<string> {
  return tool("efibootmgr", ["-v"], { ...process.env, EFIVARFS_PATH: dir.replace(/\/*$/, "/") });
}

/** `efivar -p -n GUID-NAME` (libefivar, EFIVARFS_PATH): attributes and a hex dump; "absent" when
 * the variable does not exist (efivar -l does not list it). */
export async function efivarPrint(dir: string, guid: string, name: string): Promise<string> {
  const env = { ...process.env, EFIVARFS_PATH: dir.replace(/\/*$/, "/") };
  const listed = (await tool("efivar", ["-l"], env)).split("\n");
  if (!listed.includes(`${guid}-${name}`)) return `${name}: absent`;
  return tool("efivar", ["-p", "-n", `${guid}-${name}`], env);
}

/** The value bytes of an `efivar -p` hex dump. */
export function efivarDumpBytes(dump: string): Buffer {
  const bytes: number[] = [];
  for (const line of dump.split("\n")) {
    const m = /^[0-9a-f]{8} {2}((?:[0-9a-f]{2} {1,2})+)/.exec(line);
    if (m) bytes.push(...m[1]!.trim().split(/ +/).map((h) => parseInt(h, 16)));
  }
  return Buffer.from(bytes);
}

/** `grub-script-check FILE`: "ok" or the tool's complaint (a syntax error is a finding, not a crash). */
export async function grubScriptCheck(file: string): Promise<string> {
  if (!existsSync(file)) return "absent";
  const r = await spawnCollect("grub-script-check", [file]);
  return r.status === 0 ? "ok" : `exit ${r.status}: ${r.stdout}${r.stderr}`;
}
