/**
 * The QEMU UEFI integration suite (`npm run test:qemu`, or `node --import tsx qemu-tests/run.ts
 * [NAME…]` for some scenarios). Real OVMF, real systemd-boot and GRUB from Debian's packages, a
 * real guest kernel; see qemu-tests/lib/ for the harness and qemu-tests/scenarios/ for the cases.
 *
 * Prints one line per scenario with its time and the entries booted, and ends with
 * `qemu: N passed, N failed` (scripts/test.mjs adds that line to the run's total). A failing
 * scenario keeps its images, serial logs and transcript under .qemu-work/results/<name>/.
 */
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";
import { prepareAssets, type Assets } from "./lib/assets.ts";
import { describeError } from "./lib/errors.ts";
import { ensureSuitePackages, packageVersion } from "./lib/packages.ts";
import { REPO_ROOT, resultsDir, workDir } from "./lib/paths.ts";
import { qemuLimit } from "./lib/qemu.ts";
import { ScenarioContext, type Scenario } from "./lib/scenario.ts";

interface Outcome {
  scenario: Scenario;
  ok: boolean;
  elapsedMs: number;
  detail: string;
  dir: string;
  bootTimesMs: number[];
}

function isScenario(value: unknown): value is Scenario {
  const s = value as Partial<Scenario> | null;
  return typeof s === "object" && s !== null && typeof s.name === "string" && typeof s.run === "function";
}

async function loadScenarios(): Promise<Scenario[]> {
  const dir = join(REPO_ROOT, "qemu-tests", "scenarios");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".ts")).sort();
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default?: unknown };
    const exported = Array.isArray(mod.default) ? mod.default : [mod.default];
    for (const s of exported) {
      if (!isScenario(s)) throw new Error(`qemu-tests/scenarios/${file} does not default-export a scenario`);
      if (scenarios.some((o) => o.name === s.name)) throw new Error(`duplicate scenario name ${s.name}`);
      scenarios.push(s);
    }
  }
  return scenarios;
}

/** Where the scenario times of earlier runs are kept (outside results/, merged run after run). */
function durationsFile(): string {
  return join(workDir(), "durations.json");
}

async function loadDurations(): Promise<Record<string, number>> {
  try {
    const parsed = JSON.parse(await readFile(durationsFile(), "utf8")) as unknown;
    if (typeof parsed !== "object" || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === "number" && e[1] > 0));
  } catch {
    return {};
  }
}

async function saveDurations(previous: Record<string, number>, outcomes: readonly Outcome[]): Promise<void> {
  const merged = { ...previous };
  for (const o of outcomes) if (o.ok) merged[o.scenario.name] = o.elapsedMs;
  await writeFile(durationsFile(), JSON.stringify(merged, null, 2) + "\n").catch(() => undefined);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function runScenario(scenario: Scenario, assets: Assets): Promise<Outcome> {
  const t0 = Date.now();
  const ctx = await ScenarioContext.create(scenario, resultsDir(), assets);
  let error: unknown;
  try {
    await scenario.run(ctx);
  } catch (e) {
    error = e ?? new Error("scenario threw nothing");
  }
  const elapsedMs = Date.now() - t0;
  await ctx.finish(error, elapsedMs).catch(() => undefined);
  const times = ctx.bootTimesMs.map((ms) => (ms / 1000).toFixed(1)).join(" + ");
  const boots = ctx.sequence.length > 0 ? `boots: ${ctx.sequence.join(" → ")}${times ? `  (${times} s)` : ""}` : "";
  return {
    scenario,
    ok: error === undefined,
    elapsedMs,
    detail: error === undefined ? boots : `${describeError(error)}${boots ? `\n      ${boots}` : ""}`,
    dir: ctx.dir,
    bootTimesMs: ctx.bootTimesMs,
  };
}

function report(o: Outcome): void {
  const budget = o.elapsedMs > o.scenario.budgetMs ? ` [over its ${seconds(o.scenario.budgetMs)} budget]` : "";
  const status = o.ok ? "PASS" : "FAIL";
  console.log(`${status} ${o.scenario.name.padEnd(24)} ${seconds(o.elapsedMs).padStart(7)}${budget}  ${o.scenario.loader}`);
  if (o.detail) console.log(`      ${o.detail}`);
  if (!o.ok) console.log(`      transcript and serial logs: ${o.dir}`);
}

async function main(): Promise<number> {
  const suiteStart = Date.now();
  const args = process.argv.slice(2);
  // Options are none: an option (e.g. --help) must not fall through to running every scenario.
  const options = args.filter((a) => a.startsWith("-"));
  if (options.length > 0) {
    const help = options.every((o) => o === "--help" || o === "-h");
    (help ? console.log : console.error)("usage: node --import tsx qemu-tests/run.ts [SCENARIO...]   (no names: every scenario; BOOTCTL_TS_QEMU_JOBS=1: one QEMU at a time)");
    if (!help) console.error(`qemu: unknown option ${options.filter((o) => o !== "--help" && o !== "-h").join(" ")}`);
    return help ? 0 : 2;
  }
  const wanted = args;
  if (!(await ensureSuitePackages())) {
    console.log("qemu: 0 passed, 1 failed");
    return 1;
  }
  let scenarios = await loadScenarios();
  if (wanted.length > 0) {
    const unknown = wanted.filter((w) => !scenarios.some((s) => s.name === w));
    if (unknown.length > 0) {
      console.error(`qemu: no scenario named ${unknown.join(", ")} (have: ${scenarios.map((s) => s.name).join(", ")})`);
      console.log("qemu: 0 passed, 1 failed");
      return 1;
    }
    scenarios = scenarios.filter((s) => wanted.includes(s.name));
  }
  if (!existsSync(join(REPO_ROOT, "dist", "cli.cjs"))) {
    const build = spawnSync(process.execPath, [join(REPO_ROOT, "scripts", "build.mjs")], { cwd: REPO_ROOT, stdio: "inherit" });
    if (build.status !== 0) {
      console.log("qemu: build failed\nqemu: 0 passed, 1 failed");
      return 1;
    }
  }

  const versions = ["qemu-system-x86", "ovmf", "systemd-boot-efi", "grub-efi-amd64-bin"].map((p) => `${p} ${packageVersion(p)}`);
  console.log(`qemu: ${versions.join(", ")}; TCG, at most ${qemuLimit()} QEMUs at once`);
  let assets: Assets;
  try {
    assets = await prepareAssets((line) => console.log(`qemu: ${line}`));
  } catch (error) {
    console.log(`qemu: cannot prepare the guest: ${describeError(error)}`);
    console.log("qemu: 0 passed, 1 failed");
    return 1;
  }

  // Longest first (the time measured in earlier runs, else the budget), at most qemuLimit()
  // scenarios at once (each runs one QEMU at a time): the long ones do not end up alone at the end.
  const durations = await loadDurations();
  const expected = (s: Scenario): number => durations[s.name] ?? s.budgetMs;
  const queue = [...scenarios].sort((a, b) => expected(b) - expected(a));
  const outcomes: Outcome[] = [];
  const worker = async (): Promise<void> => {
    for (let s = queue.shift(); s; s = queue.shift()) {
      const outcome = await runScenario(s, assets);
      outcomes.push(outcome);
      report(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(qemuLimit(), queue.length) }, worker));

  const passed = outcomes.filter((o) => o.ok).length;
  const failed = outcomes.length - passed;
  const sum = outcomes.reduce((t, o) => t + o.elapsedMs, 0);
  const wallMs = Date.now() - suiteStart;
  // For the bench row and CI dashboards: the measured times of this run.
  await writeFile(join(resultsDir(), "summary.json"), JSON.stringify({
    wallMs,
    kernel: { package: assets.kernel.package, version: assets.kernel.version, release: assets.kernel.release },
    scenarios: outcomes.map((o) => ({ name: o.scenario.name, ok: o.ok, elapsedMs: o.elapsedMs, budgetMs: o.scenario.budgetMs, bootTimesMs: o.bootTimesMs })),
  }, null, 2) + "\n");
  await saveDurations(durations, outcomes);
  console.log(`qemu: ${outcomes.length} scenarios in ${seconds(wallMs)} wall time (${seconds(sum)} of scenario time); results in ${resultsDir()}`);
  console.log(`qemu: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`qemu: ${describeError(error)}`);
    console.log("qemu: 0 passed, 1 failed");
    process.exit(1);
  },
);
