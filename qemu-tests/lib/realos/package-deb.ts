/**
 * The bootctl-ts Debian package of this checkout, as a user installs it: `npm run package:deb`
 * (scripts/package-deb.mjs, run with --no-build on the dist/ the rest of the suite uses) writes
 * build/deb/bootctl-ts_<version>_all.deb, which the guest images install with `dpkg -i`.
 *
 * `contentKey` hashes what the package installs and runs (every file's path, mode and bytes,
 * and the control files), not the .deb's bytes: dpkg-deb records build times, so two builds of
 * the same dist/ differ as files but make the same image (and the changelog's date is left out).
 * V8's code cache beside a script (dist/cli-main.cache, made by scripts/build.mjs from
 * cli-main.cjs) is keyed by its path only: its bytes differ from build to build of the same
 * source (measured: two `npm run build`s in a row, same cli-main.cjs, different cache), and it
 * changes no behaviour (Node compiles the script itself when it rejects a cache), so its bytes
 * would make every build rebuild every guest image and variant.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { gunzipSync } from "node:zlib";
import { join, relative } from "node:path";
import { SuiteError } from "../errors.ts";
import { exec } from "../exec.ts";
import { REPO_ROOT } from "../paths.ts";

export interface BootctlDeb {
  path: string;
  /** Package name and version from its control file. */
  version: string;
  contentKey: string;
}

/**
 * The changelog's trailer line carries the build's date (package-deb.mjs takes it from the last
 * commit): documentation only, so it is left out of the key, else every commit would rebuild
 * every image.
 */
function withoutDate(gz: Buffer): Buffer {
  return Buffer.from(gunzipSync(gz).toString("utf8").replace(/^ -- .*$/gm, " --"));
}

/** A V8 code cache: NAME.cache beside NAME.cjs (scripts/build.mjs). */
function isCodeCache(path: string): boolean {
  return path.endsWith(".cache") && existsSync(`${path.slice(0, -".cache".length)}.cjs`);
}

async function hashTree(dir: string): Promise<string> {
  const hash = createHash("sha256");
  const entries = (await readdir(dir, { recursive: true, withFileTypes: true })).map((e) => join(e.parentPath, e.name)).sort();
  for (const path of entries) {
    const st = await stat(path);
    hash.update(`${relative(dir, path)}\0${st.mode.toString(8)}\0`);
    if (!st.isFile()) continue;
    if (path.endsWith("changelog.Debian.gz")) hash.update(withoutDate(await readFile(path)));
    else if (isCodeCache(path)) hash.update("(V8 code cache)");
    // md5sums lists the changelog's and the code cache's checksums too.
    else if (path.endsWith("/md5sums")) hash.update((await readFile(path, "utf8")).replace(/^\S+ +(\S*changelog\.Debian\.gz|\S+\.cache)$/gm, "$1"));
    else hash.update(await readFile(path));
  }
  return hash.digest("hex");
}

/** Builds the package from dist/ and returns it with its content key. */
export async function buildBootctlDeb(): Promise<BootctlDeb> {
  const script = join(REPO_ROOT, "scripts", "package-deb.mjs");
  if (!existsSync(script)) throw new SuiteError("E_QEMU_DEB", "scripts/package-deb.mjs is missing: this checkout cannot build the bootctl-ts Debian package");
  const out = (await exec(process.execPath, [script, "--no-build"], { cwd: REPO_ROOT })).stdout.toString("utf8").trim().split("\n");
  const path = out[out.length - 1] ?? "";
  if (!path.endsWith(".deb") || !existsSync(path)) throw new SuiteError("E_QEMU_DEB", `npm run package:deb printed no .deb path (${out.join(" | ")})`);
  const scratch = await mkdtemp(join(tmpdir(), "btq-deb-"));
  try {
    await exec("dpkg-deb", ["-x", path, join(scratch, "data")]);
    await exec("dpkg-deb", ["-e", path, join(scratch, "control")]);
    const version = (await exec("dpkg-deb", ["-f", path, "Version"])).stdout.toString("utf8").trim();
    const contentKey = createHash("sha256").update(await hashTree(join(scratch, "data"))).update(await hashTree(join(scratch, "control"))).digest("hex");
    return { path, version, contentKey };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
