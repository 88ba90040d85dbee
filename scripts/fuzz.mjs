// `npm run fuzz`: the nightly-sized run, ≥100,000 cases per target (BOOTCTL_TS_FUZZ_RUNS to change).
import { spawnSync } from "node:child_process";

const runs = process.env.BOOTCTL_TS_FUZZ_RUNS ?? "100000";
const r = spawnSync(process.execPath, ["--import", "tsx", "--import", "./test/support/summary.ts", "node_modules/uvu/bin.js", "test", "fuzz/fuzz\\.test\\.ts$"], {
  stdio: "inherit",
  env: { ...process.env, BOOTCTL_TS_FUZZ_RUNS: runs },
});
process.exit(r.status ?? 1);
