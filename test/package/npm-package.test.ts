/**
 * The npm package as users get it: `npm pack` of this checkout, installed from the tarball with
 * `npm install -g` into a private prefix and as a dependency of consumer projects. It installs
 * without install scripts, dependencies or warnings; the installed binary starts from its V8
 * code cache; ESM and CommonJS consumers load the library; a strict `nodenext` TypeScript
 * consumer type-checks against the shipped declarations with zero errors.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { makeTempRoot, removeTempRoot } from "../support/tmp.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const TSC = path.join(REPO, "node_modules/typescript/bin/tsc");
const work = makeTempRoot("bootctl-ts-npm-");
const prefix = path.join(work, "prefix");
let tarball = "";

function sh(command: string, args: string[], options: SpawnSyncOptions = {}) {
  // A private npm cache and no update check or audit: the install reads only the tarball.
  const { FORCE_COLOR: _uvuColour, ...inherited } = process.env;
  const env = { ...inherited, npm_config_cache: path.join(work, "npm-cache"), npm_config_update_notifier: "false", npm_config_audit: "false", npm_config_fund: "false", ...(options.env ?? {}) };
  const r = spawnSync(command, args, { encoding: "utf8", ...options, env });
  return { status: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function installedFiles(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      const inner = installedFiles(p);
      files += inner.files;
      bytes += inner.bytes;
    } else {
      files += 1;
      bytes += st.size;
    }
  }
  return { files, bytes };
}

test.before(() => {
  const pack = sh("npm", ["pack", "--pack-destination", work, "--json"], { cwd: REPO });
  assert.is(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
  tarball = path.join(work, info!.filename);
  console.log(`  npm pack: ${info!.filename}, ${(info!.size / 1024).toFixed(0)} KiB, ${(info!.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${info!.files.length} files`);
});

test.after(() => removeTempRoot(work));

test("the tarball's package.json has no install scripts and no dependencies; it ships what the library and binary need", () => {
  const list = sh("tar", ["-tzf", tarball]);
  const files = list.stdout.split("\n").filter(Boolean);
  for (const f of ["package/dist/cli.cjs", "package/dist/cli-main.cjs", "package/dist/cli-main.cache", "package/dist/service.cjs", "package/dist/index.cjs", "package/dist/types/index.d.ts", "package/dist/types/package.json", "package/dist/THIRD-PARTY-NOTICES.txt", "package/dist/bootctl-ts.1", "package/LICENSE", "package/README.md"]) {
    assert.ok(files.includes(f), `${f} missing from the tarball`);
  }
  assert.not.ok(files.some((f) => f.startsWith("package/src/") || f.startsWith("package/test/") || f.startsWith("package/scripts/")), "sources, tests and scripts stay out");
  const manifest = JSON.parse(sh("tar", ["-xzOf", tarball, "package/package.json"]).stdout) as { scripts?: Record<string, string>; dependencies?: Record<string, string> };
  for (const hook of ["preinstall", "install", "postinstall", "prepare"]) assert.is(manifest.scripts?.[hook], undefined, `scripts.${hook}`);
  assert.equal(manifest.dependencies ?? {}, {}, "everything the code uses is bundled into dist/");
});

test("npm install -g of the tarball prints no warning; the installed bootctl-ts runs, from its code cache", () => {
  const install = sh("npm", ["install", "-g", "--prefix", prefix, tarball]);
  assert.is(install.status, 0, install.stderr);
  assert.is(install.stderr, "", "npm printed warnings");
  const bin = path.join(prefix, "bin/bootctl-ts");
  const version = sh(bin, ["--version"]);
  assert.is(version.status, 0, version.stderr);
  assert.match(version.stdout, /^bootctl-ts \d+\.\d+\.\d+/);
  // V8's --profile-deserialization prints "[Deserializing from N bytes …]" per blob it
  // deserializes: the cache's data (its size is known) is one of them only if V8 took it.
  const dist = path.join(prefix, "lib/node_modules/bootctl-ts/dist");
  const cache = readFileSync(path.join(dist, "cli-main.cache"));
  const v8Bytes = cache.length - 12 - cache.readUInt32LE(8);
  const profiled = sh(process.execPath, ["--profile-deserialization", path.join(dist, "cli.cjs"), "--version"]);
  assert.ok((profiled.stdout + profiled.stderr).includes(`Deserializing from ${v8Bytes} bytes`), "the installed copy did not start from its code cache");
  const footprint = installedFiles(path.join(prefix, "lib/node_modules/bootctl-ts"));
  console.log(`  installed: ${footprint.files} files, ${(footprint.bytes / 1024).toFixed(0)} KiB`);
});

test("ESM and CommonJS consumers load the library from the installed package", () => {
  const app = path.join(work, "app-js");
  mkdirSync(app);
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app-js", version: "1.0.0", private: true }));
  const install = sh("npm", ["install", "--no-save", tarball], { cwd: app });
  assert.is(install.status, 0, install.stderr);
  writeFileSync(path.join(app, "esm.mjs"), `import { compareVersions, BootctlError } from "bootctl-ts";\nimport lib from "bootctl-ts";\nconsole.log([compareVersions("6.1.10", "6.1.9"), typeof BootctlError, typeof lib.predict].join(" "));\n`);
  writeFileSync(path.join(app, "cjs.cjs"), `const { compareVersions, predict } = require("bootctl-ts");\nconsole.log([compareVersions("6.1.10", "6.1.9"), typeof predict].join(" "));\n`);
  const esm = sh(process.execPath, ["esm.mjs"], { cwd: app });
  assert.is(esm.status, 0, esm.stderr);
  assert.is(esm.stdout, "1 function function\n");
  const cjs = sh(process.execPath, ["cjs.cjs"], { cwd: app });
  assert.is(cjs.status, 0, cjs.stderr);
  assert.is(cjs.stdout, "1 function\n");
});

test("a strict nodenext TypeScript consumer (ESM and CommonJS files) type-checks with zero errors", () => {
  const app = path.join(work, "app-ts");
  mkdirSync(app);
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app-ts", version: "1.0.0", private: true, type: "module" }));
  const install = sh("npm", ["install", "--no-save", tarball], { cwd: app });
  assert.is(install.status, 0, install.stderr);
  writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, noEmit: true,
      exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, skipLibCheck: false,
      types: ["node"], typeRoots: [path.join(REPO, "node_modules/@types")],
    },
    include: ["*.ts", "*.cts", "*.mts"],
  }));
  writeFileSync(path.join(app, "main.ts"), [
    `import { addEntry, predict, compareVersions, BootctlError, type AddEntryOptions, type PredictResult } from "bootctl-ts";`,
    `const options: AddEntryOptions = { root: "/mnt/image", espPath: "/efi", kernelVersion: "6.12.1", kernelImage: "/vmlinuz", tries: 3 };`,
    `const order: -1 | 0 | 1 = compareVersions("1", "2");`,
    `export async function run(): Promise<PredictResult | undefined> {`,
    `  try { await addEntry(options); return await predict({ root: "/mnt/image", failures: { kind: "counted" } }); }`,
    `  catch (err) { if (err instanceof BootctlError) console.log(err.code, order); return undefined; }`,
    `}`,
  ].join("\n") + "\n");
  writeFileSync(path.join(app, "legacy.cts"), `import lib = require("bootctl-ts");\nexport const order: number = lib.compareVersions("a", "b");\n`);
  const tsc = sh(process.execPath, [TSC, "-p", app], { cwd: app });
  assert.is(tsc.stdout + tsc.stderr, "", "tsc reported errors");
  assert.is(tsc.status, 0);
});

test.run();
