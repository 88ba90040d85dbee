// Builds the shipped bundles with esbuild (CommonJS starts fastest on Node 20; see README):
//   dist/cli.cjs      the `bootctl-ts` binary: runs dist/cli-main.cjs with V8's code cache
//   dist/cli-main.cjs the CLI (command bodies stay lazily initialised)
//   dist/cli-main.cache  V8's code cache of the CLI after a representative run (see
//                     src/cli/bin-code-cache.ts); rebuilt here, ignored by V8 when stale
//   dist/service.cjs  the early-boot service entry (Node built-ins only), once it exists
//   dist/index.cjs    the library API
//   dist/types/       its declarations (tsc), typed as CommonJS like dist/index.cjs
//   dist/THIRD-PARTY-NOTICES.txt  the licences of the npm packages bundled into these files
//   dist/bootctl-ts.1 the manual page, made by the built CLI (`bootctl-ts help --man`)
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";

// `--code-cache-only [--dist DIR]`: remake only the code cache of DIR (default dist/), with the
// Node running this script (the test matrix gives each Node version a copy of dist/ with a cache
// of its own V8).
const codeCacheOnly = process.argv.includes("--code-cache-only");
const distArg = process.argv.indexOf("--dist");
const dist = distArg > 0 ? process.argv[distArg + 1] : "dist";
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

if (!codeCacheOnly) {
  const bundledPackages = new Set();
  for (const entry of entries) {
    if (!existsSync(entry.in)) continue;
    const result = await build({ ...common, entryPoints: [entry.in], outfile: entry.out, metafile: true });
    for (const input of Object.keys(result.metafile.inputs)) {
      const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m) bundledPackages.add(m[1]);
    }
    if (entry.executable) chmodSync(entry.out, 0o755);
  }

  // The bundles contain npm packages (their licences ask for the notice to travel with the code;
  // esbuild's legalComments only keeps comments marked /*! or @license, and we drop those).
  const notices = [...bundledPackages].sort().map((dir) => {
    const meta = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    const licenceFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = licenceFile ? readFileSync(path.join(dir, licenceFile), "utf8").trim() : `License: ${meta.license}`;
    return `${meta.name} ${meta.version} (${meta.license})\n\n${text}\n`;
  });
  writeFileSync("dist/THIRD-PARTY-NOTICES.txt", `Packages bundled into bootctl-ts ${pkg.version}:\n\n${notices.join("\n" + "-".repeat(72) + "\n\n")}`);

  // Declarations of the library (dist/index.cjs), for TypeScript users. tsc keeps our `.ts`
  // import specifiers; consumers resolve `.js` to the `.d.ts` beside it. dist/index.cjs is
  // CommonJS, so its types are too (a package.json in dist/types says so).
  rmSync("dist/types", { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.types.json"], { stdio: "inherit" });
  if (tsc.status !== 0) {
    console.error("build: declaration emit failed");
    process.exit(1);
  }
  const rewriteSpecifiers = (dir) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) rewriteSpecifiers(file);
      else if (name.endsWith(".d.ts")) {
        const text = readFileSync(file, "utf8");
        const rewritten = text.replace(/((?:from|import)\s*\(?\s*")(\.{1,2}\/[^"]*)\.ts(")/g, "$1$2.js$3");
        if (rewritten !== text) writeFileSync(file, rewritten);
      }
    }
  };
  rewriteSpecifiers("dist/types");
  writeFileSync("dist/types/package.json", JSON.stringify({ type: "commonjs" }, null, 2) + "\n");

  // dist/cli.cjs runs the CLI from a vm.Script, which has no loader for import(): refuse a bundle
  // that would call one (esbuild turns imports of bundled modules into plain calls; only a dynamic
  // import of something outside the bundle survives as `import(`).
  if (/\bimport\(/.test(readFileSync("dist/cli-main.cjs", "utf8"))) {
    console.error("build: dist/cli-main.cjs contains a dynamic import(); use process.getBuiltinModule or a static import");
    process.exit(1);
  }
}

// bootctl-ts(1), made by the CLI from its verb declarations (src/cli/manpage.ts): npm installs it
// (package.json "man"), scripts/package-deb.mjs ships it gzipped.
if (!codeCacheOnly) {
  const man = spawnSync(process.execPath, [path.join(dist, "cli.cjs"), "help", "--man"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  if (man.status !== 0) {
    console.error(`build: bootctl-ts help --man failed (exit ${man.status}): ${man.stderr}`);
    process.exit(1);
  }
  writeFileSync(path.join(dist, "bootctl-ts.1"), man.stdout);
}

// The code cache: one read-only run over the bundled MicroOS-like demo (list: discovery, entry
// files, sorting, titles, text output), cached when that process exits. Best effort: without a
// cache the CLI works the same, only its start-up parses the bundle.
const cache = path.join(dist, "cli-main.cache");
rmSync(cache, { force: true });
const demo = "fixtures/demo/microos";
const warm = spawnSync(process.execPath, [path.join(dist, "cli.cjs"), "--root", demo, "--esp-path", "/efi", "--efivars-path", `${demo}/efivars`, "list"], {
  stdio: "ignore",
  env: { ...process.env, BOOTCTL_TS_WRITE_CODE_CACHE: cache, NO_COLOR: "1" },
});
if (warm.status !== 0 || !existsSync(cache)) console.warn(`build: no code cache written (exit ${warm.status}); the CLI runs without one`);
