/**
 * `efi delete N` (ops/efi-boot-manager.ts planBootOptionDeletion): the steps in order, BootNext
 * never touched, and the state an interrupted delete leaves finished by planning the same delete
 * again.
 *
 * Compared with efibootmgr 17 (`EFIVARFS_PATH=DIR/ efibootmgr -b N -B`, its file system calls
 * recorded with strace): on the full state it unlinks `Boot####`, then writes BootOrder without
 * N, and leaves BootNext alone, also when BootNext names N; our effects are exactly those, in that
 * order, with the same bytes. In the interrupted state (`Boot####` gone, BootOrder still naming N)
 * efibootmgr tries the unlink again, prints "Could not delete variable: No such file or
 * directory", exits 15 and writes nothing; our plan finishes the job instead.
 * (Under EFIVARFS_PATH libefivar opens an existing variable file O_WRONLY without O_TRUNC, so a
 * shorter BootOrder leaves the old tail in a regular file; real efivarfs replaces the variable
 * on each write. That is why efibootmgr's writes are read from the trace, not from the files.)
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { cpSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { applyEfiPlan, listEfiVariables } from "../../src/adapters/efivarfs.ts";
import { BootctlError } from "../../src/errors.ts";
import { bootOptionName, decodeBootOrder, encodeBootOrder, encodeU16Variable, formatBootNumber } from "../../src/formats/efi/boot-manager.ts";
import { DEFAULT_ATTRIBUTES, encodeEfivarfsFile, efivarFileName } from "../../src/formats/efi/efivarfs-file.ts";
import { EFI_GLOBAL_VARIABLE as G } from "../../src/formats/efi/guids.ts";
import { planBootOptionDeletion, planDeleteBootOption } from "../../src/ops/efi-boot-manager.ts";
import type { EfiEffect } from "../../src/ops/efi-plan.ts";
import type { EfiVariable } from "../../src/formats/efi/efivarfs-file.ts";
import { execTool, requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

const FIXTURE = new URL("../../fixtures/efivars/ovmf-after-boot", import.meta.url).pathname;

const isNoEntry = (e: unknown) => e instanceof BootctlError && e.code === "E_EFI_NO_BOOT_ENTRY";
const steps = (effects: readonly EfiEffect[]) => effects.map((e) => `${e.op} ${e.name}`);
const orderOf = (effects: readonly EfiEffect[]) => {
  const w = effects.find((e) => e.name === "BootOrder");
  return w?.op === "write" ? decodeBootOrder(w.data) : undefined;
};

/** The variables after `effects`, as efivarfs would hold them (pure; for the property). */
function applyInMemory(vars: readonly EfiVariable[], effects: readonly EfiEffect[]): EfiVariable[] {
  let out = [...vars];
  for (const e of effects) {
    out = out.filter((v) => !(v.name === e.name && v.guid === e.guid));
    if (e.op === "write") out.push({ name: e.name, guid: e.guid, attributes: e.attributes, data: e.data });
  }
  return out;
}

const canonical = (vars: readonly EfiVariable[]) =>
  vars.map((v) => `${v.name}-${v.guid}:${v.attributes}:${v.data.toString("hex")}`).sort();

// ---------------------------------------------------------------------------------------------
// Plans on the OVMF fixture (BootNext 0001, BootOrder 0000,0001,0002,0003, Boot0000–Boot0003)

test("delete: Boot#### first, then BootOrder without it; BootNext left alone, also when it names it", async () => {
  const vars = await listEfiVariables(FIXTURE);
  const plan = planBootOptionDeletion(vars, 1);
  assert.equal(steps(plan.effects), ["delete Boot0001", "write BootOrder"]);
  assert.equal(orderOf(plan.effects), [0, 2, 3]);
  assert.is(plan.resumed, false);
  assert.is(plan.note, undefined);
  // BootNext naming another option: the same two steps; planDeleteBootOption is the effects only.
  assert.equal(steps(planDeleteBootOption(vars, 2)), ["delete Boot0002", "write BootOrder"]);
});

test("interrupted after the option: the same delete removes it from BootOrder, with a note; BootNext is kept", async () => {
  const vars = (await listEfiVariables(FIXTURE)).filter((v) => v.name !== "Boot0001");
  const plan = planBootOptionDeletion(vars, 1);
  assert.equal(steps(plan.effects), ["write BootOrder"]);
  assert.equal(orderOf(plan.effects), [0, 2, 3]);
  assert.is(plan.resumed, true);
  assert.is(plan.note, "Boot0001 was already deleted (an interrupted delete); removing 0001 from BootOrder");
  // Done: BootOrder no longer names 0001. BootNext still does (the fixture's 0001), which is no
  // reason to resume: the delete refuses, as efibootmgr -b 1 -B does there.
  const done = applyInMemory(vars, plan.effects);
  assert.equal(done.find((v) => v.name === "BootNext")?.data, encodeU16Variable(1));
  assert.throws(() => planBootOptionDeletion(done, 1), (e: unknown) => isNoEntry(e) && (e as Error).message === "Boot entry 0001 does not exist");
});

test("a missing Boot#### that BootOrder does not name is refused, also when BootNext names it", async () => {
  const vars = await listEfiVariables(FIXTURE);
  assert.throws(() => planBootOptionDeletion(vars, 0x42), isNoEntry);
  const gone = vars.filter((v) => v.name !== "Boot0001");
  // BootOrder without 0001, or no BootOrder at all; BootNext 0001 either way.
  const unlisted = gone.map((v) => (v.name === "BootOrder" ? { ...v, data: encodeBootOrder([0, 2, 3]) } : v));
  assert.throws(() => planBootOptionDeletion(unlisted, 1), isNoEntry);
  assert.throws(() => planBootOptionDeletion(gone.filter((v) => v.name !== "BootOrder"), 1), isNoEntry);
});

test("every occurrence leaves BootOrder; other numbers keep their order", async () => {
  const vars = (await listEfiVariables(FIXTURE))
    .filter((v) => v.name !== "Boot0002")
    .map((v) => (v.name === "BootOrder" ? { ...v, data: encodeBootOrder([2, 3, 2, 0, 1, 2]) } : v));
  const plan = planBootOptionDeletion(vars, 2);
  assert.equal(steps(plan.effects), ["write BootOrder"]);
  assert.equal(orderOf(plan.effects), [3, 0, 1]);
  assert.is(plan.note, "Boot0002 was already deleted (an interrupted delete); removing 0002 from BootOrder");
});

// ---------------------------------------------------------------------------------------------
// Property: interrupted after any step, the same delete reaches the uninterrupted result

const number = fc.integer({ min: 0, max: 5 });
const state = fc.record({
  options: fc.uniqueArray(number, { maxLength: 6 }),
  order: fc.option(fc.array(number, { maxLength: 8 }), { nil: undefined }),
  next: fc.option(fc.oneof(number.map((n) => encodeU16Variable(n)), fc.constant(Buffer.from([1, 0, 0, 0]))), { nil: undefined }),
  n: number,
});

interface State {
  options: number[];
  order: number[] | undefined;
  next: Buffer | undefined;
  n: number;
}

function variables(s: State): EfiVariable[] {
  const v = (name: string, data: Buffer): EfiVariable => ({ name, guid: G, attributes: DEFAULT_ATTRIBUTES, data });
  return [
    ...s.options.map((n) => v(bootOptionName(n), Buffer.from([1, 0, 0, 0, n]))),
    ...(s.order ? [v("BootOrder", encodeBootOrder(s.order))] : []),
    ...(s.next ? [v("BootNext", s.next)] : []),
    v("Timeout", encodeU16Variable(3)),
  ];
}

test("property: a delete cut after any of its steps is finished by the same delete, then refused; BootNext never changes", () => {
  fc.assert(fc.property(state, (s) => {
    const vars = variables(s);
    // Only Boot#### or BootOrder make a delete to do or to finish; BootNext never does.
    const named = s.options.includes(s.n) || (s.order ?? []).includes(s.n);
    if (!named) {
      assert.throws(() => planBootOptionDeletion(vars, s.n), isNoEntry);
      return;
    }
    const full = planBootOptionDeletion(vars, s.n);
    assert.is(full.resumed, !s.options.includes(s.n));
    assert.is(full.effects.some((e) => e.name === "BootNext"), false);
    const done = applyInMemory(vars, full.effects);
    // The end state: no Boot####, BootOrder without N (others in order); the rest, BootNext included, untouched.
    assert.is(done.some((v) => v.name === bootOptionName(s.n)), false);
    const order = done.find((v) => v.name === "BootOrder");
    if (s.order) assert.equal(decodeBootOrder(order!.data), s.order.filter((x) => x !== s.n));
    else assert.is(order, undefined);
    const untouched = (vs: readonly EfiVariable[]) => canonical(vs.filter((v) => v.name !== bootOptionName(s.n) && v.name !== "BootOrder"));
    assert.equal(untouched(done), untouched(vars));
    assert.throws(() => planBootOptionDeletion(done, s.n), isNoEntry);
    for (let k = 1; k < full.effects.length; k++) {
      const cut = applyInMemory(vars, full.effects.slice(0, k));
      const again = planBootOptionDeletion(cut, s.n);
      // Boot#### is gone after the first step: the rest is finished, with a note.
      assert.is(again.resumed, true);
      assert.ok(again.note?.startsWith(`${bootOptionName(s.n)} was already deleted`));
      assert.equal(canonical(applyInMemory(cut, again.effects)), canonical(done));
    }
  }), { numRuns: 400 });
});

// ---------------------------------------------------------------------------------------------
// efibootmgr 17 on the same states

interface Call {
  syscall: string;
  file: string;
  data?: Buffer;
  result: number;
}

const unescape = (text: string) => Buffer.from(text.replace(/\\x([0-9a-f]{2})/g, "$1"), "hex");

/** `efibootmgr ARGS` on DIR under strace (-xx: every string as \xHH): its unlinks and writes in DIR. */
async function efibootmgrCalls(dir: string, args: string[]): Promise<{ status: number; stderr: string; calls: Call[] }> {
  const trace = path.join(path.dirname(dir), "trace");
  const r = await execTool("strace", ["-f", "-qq", "-y", "-xx", "-s", "65536", "-e", "trace=write,pwrite64,unlink,unlinkat,rename,renameat,renameat2,truncate,ftruncate", "-o", trace, "efibootmgr", ...args], { ...process.env, EFIVARFS_PATH: dir + "/" });
  const calls: Call[] = [];
  for (const line of readFileSync(trace, "utf8").split("\n")) {
    const m = /^\d+ +(\w+)\((?:\d+<((?:\\x[0-9a-f]{2})*)>|"((?:\\x[0-9a-f]{2})*)")(?:, "((?:\\x[0-9a-f]{2})*)")?.*\) += (-?\d+)/.exec(line);
    if (!m) continue;
    const file = unescape(m[2] ?? m[3] ?? "").toString("latin1");
    if (path.dirname(file) !== dir) continue; // stdout, stderr
    calls.push({ syscall: m[1]!, file: path.basename(file), ...(m[4] !== undefined ? { data: unescape(m[4]) } : {}), result: Number(m[5]) });
  }
  rmSync(trace);
  return { status: r.status, stderr: r.stderr, calls };
}

const snapshot = (dir: string) => readdirSync(dir).sort().map((f) => `${f}:${readFileSync(path.join(dir, f)).toString("hex")}`);

/** Our effects as the system calls efibootmgr makes for them under EFIVARFS_PATH. */
const asCalls = (effects: readonly EfiEffect[]) =>
  effects.map((e) => (e.op === "delete"
    ? `unlink ${efivarFileName(e.name, e.guid)}`
    : `write ${efivarFileName(e.name, e.guid)} ${encodeEfivarfsFile({ attributes: e.attributes, data: e.data }).toString("hex")}`));
const theirCalls = (calls: readonly Call[]) => calls.map((c) => `${c.syscall} ${c.file}${c.data ? ` ${c.data.toString("hex")}` : ""}`);

test("efibootmgr -b N -B: exactly our changes, in the same order, BootNext untouched (it names 0001)", () =>
  withTempRoot(async (root) => {
    requireTool("efibootmgr", "efibootmgr");
    requireTool("strace", "strace");
    const vars = await listEfiVariables(FIXTURE);
    for (const n of [0, 1, 2, 3]) {
      const dir = path.join(root, `vars${n}`);
      cpSync(FIXTURE, dir, { recursive: true });
      const theirs = await efibootmgrCalls(dir, ["-b", formatBootNumber(n), "-B"]);
      assert.is(theirs.status, 0, theirs.stderr);
      const ours = planBootOptionDeletion(vars, n).effects;
      assert.equal(asCalls(ours), theirCalls(theirs.calls), `Boot${formatBootNumber(n)}`);
      assert.equal(steps(ours), [`delete ${bootOptionName(n)}`, "write BootOrder"]);
    }
  }));

test("interrupted state: efibootmgr -b 1 -B fails and changes nothing; the same delete of ours finishes, BootNext kept", () =>
  withTempRoot(async (root) => {
    requireTool("efibootmgr", "efibootmgr");
    requireTool("strace", "strace");
    const dir = path.join(root, "vars");
    cpSync(FIXTURE, dir, { recursive: true });
    rmSync(path.join(dir, efivarFileName("Boot0001", G)));
    const before = snapshot(dir);
    const theirs = await efibootmgrCalls(dir, ["-b", "1", "-B"]);
    assert.is(theirs.status, 15);
    assert.is(theirs.stderr, "Could not delete variable: No such file or directory\n");
    assert.equal(theirs.calls.map((c) => `${c.syscall} ${c.file} ${c.result}`), [`unlink ${efivarFileName("Boot0001", G)} -1`]);
    assert.equal(snapshot(dir), before);
    const plan = planBootOptionDeletion(await listEfiVariables(dir), 1);
    assert.is(plan.note, "Boot0001 was already deleted (an interrupted delete); removing 0001 from BootOrder");
    await applyEfiPlan(dir, plan.effects);
    const after = await execTool("efibootmgr", [], { ...process.env, EFIVARFS_PATH: dir + "/" });
    assert.is(after.status, 0, after.stderr);
    // What efibootmgr -b 1 -B leaves on the full state: BootNext 0001 kept, BootOrder without it.
    assert.match(after.stdout, /^BootNext: 0001$/m);
    assert.match(after.stdout, /^BootOrder: 0000,0002,0003$/m);
    assert.not.match(after.stdout, /Boot0001/);
    // Finished: nothing is left to do, and both refuse (efibootmgr tries the unlink again).
    const finished = await listEfiVariables(dir);
    assert.throws(() => planBootOptionDeletion(finished, 1), isNoEntry);
    assert.is((await efibootmgrCalls(dir, ["-b", "1", "-B"])).status, 15);
  }));

test.run();
