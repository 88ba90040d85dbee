// The test commands of the README: `npm test` (everything), `npm run test:fast` (all but the
// QEMU boots) and `npm run test:unit` (the uvu suites on this Node only).
// Stages: Debian reference tools present → build → type check → uvu suites → the CLI, service
// and differential suites again on every other tested Node version (scripts/node-versions.mjs)
// → QEMU suite. Each stage that runs tests prints its own `N passed, N failed` line; this script
// adds them up (the type check counts as one test) and ends the run with the total line.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ensurePackages, FAST_PACKAGES, QEMU_PACKAGES } from "./debian-packages.mjs";
import { nodeBinary, otherNodeVersions } from "./node-versions.mjs";

const mode = process.argv.includes("--unit") ? "unit" : process.argv.includes("--fast") ? "fast" : "all";
const totals = { passed: 0, failed: 0, skipped: 0 };
const SUMMARY = /^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/;
const UVU = ["--import", "tsx", "--import", "./test/support/summary.mjs", "node_modules/uvu/bin.js", "test"];
/** The suites that run on every Node version: what users run (CLI, service) and the oracles. */
const MATRIX_SUITES = "^(cli|service|differential)/.*\\.test\\.ts$";

function run(command, args, { count = false, label } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", count ? "pipe" : "inherit", "inherit"] });
    let last;
    let buffer = "";
    if (count) {
      child.stdout.on("data", (chunk) => {
        process.stdout.write(chunk);
        buffer += chunk.toString();
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) {
          const m = SUMMARY.exec(line.replace(/\x1b\[[0-9;]*m/g, ""));
          if (m) last = { passed: +m[1], failed: +m[2], skipped: +(m[3] ?? 0) };
        }
      });
    }
    child.on("error", (err) => {
      console.log(`${label ?? command}: ${err.message}`);
      resolve({ status: 1, counts: undefined });
    });
    child.on("close", (status) => resolve({ status: status ?? 1, counts: last }));
  });
}

/** Runs a command with its output kept (not streamed), for runs that share the terminal. */
function capture(command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (err) => resolve({ status: 1, counts: undefined, output: `${output}${err.message}\n` }));
    child.on("close", (status) => {
      let counts;
      for (const line of output.split("\n")) {
        const m = SUMMARY.exec(line.replace(/\x1b\[[0-9;]*m/g, ""));
        if (m) counts = { passed: +m[1], failed: +m[2], skipped: +(m[3] ?? 0) };
      }
      resolve({ status: status ?? 1, counts, output });
    });
  });
}

/** `work` over `items`, at most two at a time (the machines this runs on have two cores); results in order. */
async function mapTwoAtATime(items, work) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

function add(stage, { status, counts }) {
  if (!counts) {
    console.log(`${stage}: no test summary (exit ${status}); counted as one failure`);
    totals.failed += 1;
    return;
  }
  totals.passed += counts.passed;
  totals.failed += counts.failed + (status !== 0 && counts.failed === 0 ? 1 : 0);
  totals.skipped += counts.skipped;
}

function finish() {
  console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`);
  process.exit(totals.failed === 0 ? 0 : 1);
}

if (!ensurePackages(mode === "all" ? [...FAST_PACKAGES, ...QEMU_PACKAGES] : FAST_PACKAGES)) {
  totals.failed += 1;
  finish();
}

const build = await run(process.execPath, ["scripts/build.mjs"]);
if (build.status !== 0) {
  console.log("build failed");
  totals.failed += 1;
  finish();
}

if (mode !== "unit") {
  const typecheck = await run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "."]);
  console.log(`typecheck: ${typecheck.status === 0 ? "1 passed, 0 failed" : "0 passed, 1 failed"}`);
  if (typecheck.status === 0) totals.passed += 1;
  else totals.failed += 1;
}

add("unit", await run(process.execPath, [...UVU, "\\.test\\.ts$"], { count: true }));

if (mode !== "unit") {
  // Each version runs against its own copy of dist/ whose code cache its own V8 made (the cache
  // is V8's: another version would ignore the one built here); two versions at a time.
  const matrixRoot = mkdtempSync(path.join(tmpdir(), "bootctl-ts-matrix-"));
  const runVersion = async (version) => {
    const prefix = `node ${version}`;
    let node;
    try {
      node = nodeBinary(version);
    } catch (err) {
      return { lines: [`${prefix}: ${err.message}`], result: { status: 1, counts: undefined } };
    }
    const dist = path.join(matrixRoot, version);
    cpSync("dist", dist, { recursive: true });
    const cache = await capture(node, ["scripts/build.mjs", "--code-cache-only", "--dist", dist]);
    if (cache.status !== 0) return { lines: [`${prefix}: code cache build failed`, cache.output], result: { status: 1, counts: undefined } };
    const suites = await capture(node, [...UVU, MATRIX_SUITES], { BOOTCTL_TS_TEST_DIST: dist });
    return { lines: [`\n== Node ${version}: CLI, service and differential suites ==`, suites.output], result: suites };
  };
  const versions = otherNodeVersions();
  const results = await mapTwoAtATime(versions, runVersion);
  versions.forEach((version, i) => {
    const { lines, result } = results[i];
    for (const line of lines) process.stdout.write(line.endsWith("\n") ? line : `${line}\n`);
    if (result.counts) console.log(`node ${version}: ${result.counts.passed} passed, ${result.counts.failed} failed`);
    add(`node ${version}`, result);
  });
  rmSync(matrixRoot, { recursive: true, force: true });
}

if (mode === "all") add("qemu", await run(process.execPath, ["--import", "tsx", "qemu-tests/run.ts"], { count: true }));

finish();
