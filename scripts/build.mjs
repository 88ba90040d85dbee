// Builds the shipped bundles with esbuild (CommonJS starts fastest on Node 20; see README):
//   dist/cli.cjs      the `bootctl-ts` binary (command bodies stay lazily initialised)
//   dist/service.cjs  the early-boot service entry (Node built-ins only), once it exists
//   dist/index.cjs    the library API
import { build } from "esbuild";
import { chmodSync, existsSync, readFileSync } from "node:fs";

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
  { in: "src/cli/bin.ts", out: "dist/cli.cjs", executable: true },
  { in: "src/service/bin.ts", out: "dist/service.cjs", executable: true },
  { in: "src/index.ts", out: "dist/index.cjs" },
];

for (const entry of entries) {
  if (!existsSync(entry.in)) continue;
  await build({ ...common, entryPoints: [entry.in], outfile: entry.out });
  if (entry.executable) chmodSync(entry.out, 0o755);
}
