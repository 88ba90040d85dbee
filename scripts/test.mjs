// `npm test` (everything) and `npm test:fast` (all but the QEMU boots).
// Stages: Debian reference tools present → build → type check → uvu suites → QEMU suite.
// Each stage that runs tests prints its own `N passed, N failed` line; this script adds them up
// (the type check counts as one test) and ends the run with the total line.
import { spawn } from "node:child_process";
import { ensurePackages, FAST_PACKAGES, QEMU_PACKAGES } from "./debian-packages.mjs";

const fast = process.argv.includes("--fast");
const totals = { passed: 0, failed: 0, skipped: 0 };
const SUMMARY = /^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/;

function run(command, args, { count = false } = {}) {
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
    child.on("close", (status) => resolve({ status: status ?? 1, counts: last }));
  });
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

if (!ensurePackages(fast ? FAST_PACKAGES : [...FAST_PACKAGES, ...QEMU_PACKAGES])) {
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const build = await run(process.execPath, ["scripts/build.mjs"]);
if (build.status !== 0) {
  console.log("build failed");
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const typecheck = await run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "."]);
console.log(`typecheck: ${typecheck.status === 0 ? "1 passed, 0 failed" : "0 passed, 1 failed"}`);
if (typecheck.status === 0) totals.passed += 1;
else totals.failed += 1;

add("unit", await run(process.execPath, [
  "--import", "tsx", "--import", "./test/support/summary.ts",
  "node_modules/uvu/bin.js", "test", "\\.test\\.ts$",
], { count: true }));

if (!fast) add("qemu", await run(process.execPath, ["--import", "tsx", "qemu-tests/run.ts"], { count: true }));

console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`);
process.exit(totals.failed === 0 ? 0 : 1);
