// Builds the shipped bundles with esbuild (CommonJS starts fastest on Node 20; see README):
//   dist/cli.cjs      the `bootctl-ts` binary: runs dist/cli-main.cjs with V8's code cache
//   dist/cli-main.cjs the CLI (command bodies stay lazily initialised)
//   dist/cli-main.cache  V8's code cache of the CLI after a representative run (see
//                     src/cli/bin-code-cache.ts); rebuilt here, ignored by V8 when stale
//   dist/service.cjs  the early-boot service entry (Node built-ins only), once it exists
//   dist/index.cjs    the library API
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, rmSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  legalComments: "none",
  // Smaller files parse faster at start-up; names stay readable for BOOTCTL_TS_DEBUG stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
  define: { __BOOTCTL_TS_VERSION__: JSON.stringify(pkg.version) },
};

const entries = [
  { in: "src/cli/bin.ts", out: "dist/cli-main.cjs" },
  { in: "src/cli/bin-code-cache.ts", out: "dist/cli.cjs", executable: true },
  { in: "src/service/bin.ts", out: "dist/service.cjs", executable: true },
  { in: "src/index.ts", out: "dist/index.cjs" },
];

for (const entry of entries) {
  if (!existsSync(entry.in)) continue;
  await build({ ...common, entryPoints: [entry.in], outfile: entry.out });
  if (entry.executable) chmodSync(entry.out, 0o755);
}

// dist/cli.cjs runs the CLI from a vm.Script, which has no loader for import(): refuse a bundle
// that would call one (esbuild turns imports of bundled modules into plain calls; only a dynamic
// import of something outside the bundle survives as `import(`).
if (/\bimport\(/.test(readFileSync("dist/cli-main.cjs", "utf8"))) {
  console.error("build: dist/cli-main.cjs contains a dynamic import(); use process.getBuiltinModule or a static import");
  process.exit(1);
}

// The code cache: one read-only run over the bundled MicroOS-like demo (list: discovery, entry
// files, sorting, titles, text output), cached when that process exits. Best effort: without a
// cache the CLI works the same, only its start-up parses the bundle.
const cache = "dist/cli-main.cache";
rmSync(cache, { force: true });
const demo = "fixtures/demo/microos";
const warm = spawnSync(process.execPath, ["dist/cli.cjs", "--root", demo, "--esp-path", "/efi", "--efivars-path", `${demo}/efivars`, "list"], {
  stdio: "ignore",
  env: { ...process.env, BOOTCTL_TS_WRITE_CODE_CACHE: cache, NO_COLOR: "1" },
});
if (warm.status !== 0 || !existsSync(cache)) console.warn(`build: no code cache written (exit ${warm.status}); the CLI runs without one`);
