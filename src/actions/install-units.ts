/**
 * `installUnits`: install bootctl-ts into a root (the running system, an image, a chroot): the
 * bundles, the `bootctl-ts` command on PATH, the kernel-install plugin, the grub.d generators,
 * the systemd units with the systemd-bless-boot drop-in (and, in vendor mode, the preset), then
 * the activation links: the units enabled as `systemctl enable`/`preset` would, systemd's
 * entry-writing kernel-install plugins disabled. What goes where: src/install/layout.ts.
 *
 * Contract:
 * - Everything is checked before anything is written: the Node that ExecStart= and the launcher
 *   would run must be an executable inside the root (E_NODE_NOT_FOUND), the built files must
 *   exist (E_NOT_FOUND), and nothing in the way may be of the wrong kind (a directory where a
 *   file goes, a file where a link goes: E_NOT_REGULAR / E_NOT_SYMLINK).
 * - Writes are crash-safe (durable-fs) in dependency order: bundles, then what runs them, then
 *   the units, the links last. A file or link that is already right is left alone, so a second
 *   run changes nothing (no new inode, no new mtime).
 * - The code cache (dist/cli-main.cache) is copied when the build made one: it is keyed on the
 *   bundle's content, so the installed CLI starts from it on the same Node (V8).
 * - `target: "package"` stages a package's files: no Node check (the package depends on it) and
 *   no activation (its maintainer scripts do that).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { atomicReplace, mkdirDurable, symlinkDurable } from "../adapters/durable-fs.ts";
import { checkExecutableInRoot } from "../adapters/executable-in-root.ts";
import { readInstalled } from "../adapters/installed-file.ts";
import { inRoot, normaliseRoot } from "../adapters/root-path.ts";
import { BootctlError, FileError, UsageError, describeErrno, errnoOf, hasErrno } from "../errors.ts";
import { BUNDLE_FILES, CODE_CACHE_FILE, DEFAULT_NODE, INSTALL_MODES, installLayout, type InstallMode, type LayoutFile } from "../install/layout.ts";

export { CLI_INSTALL_PATH, SERVICE_INSTALL_PATH } from "../install/layout.ts";

export interface InstallUnitsOptions {
  root?: string;
  /** The directory of the built files: dist/, or an installed /usr/lib/bootctl-ts. */
  bundleDirectory: string;
  /** admin (units in /etc, enabled directly; the default) or vendor (/usr/lib + preset). */
  mode?: InstallMode;
  /** Node binary path inside the target system (default /usr/bin/node). */
  node?: string;
  /** "root" (default): a system to run; "package": stage a package's files (see above). */
  target?: "root" | "package";
  dryRun?: boolean;
}

export interface InstallUnitsResult {
  mode: InstallMode;
  node: string;
  /** Every file of the layout (paths inside the root), in write order. */
  files: string[];
  links: Record<string, string>;
  /** Files and links that were already right and were left alone. */
  unchanged: string[];
}

/** What ExecStart= and a `#!`-less exec line can hold unquoted: an absolute path of plain characters. */
const PLAIN_ABSOLUTE_PATH = /^\/[A-Za-z0-9._+@\/-]+$/;

export async function installUnits(options: InstallUnitsOptions): Promise<InstallUnitsResult> {
  const root = options.root ?? "/";
  const mode = options.mode ?? "admin";
  const node = options.node ?? DEFAULT_NODE;
  const forPackage = options.target === "package";
  if (!INSTALL_MODES.includes(mode)) throw new UsageError(`unknown install mode '${mode}' (admin or vendor)`);
  if (!PLAIN_ABSOLUTE_PATH.test(node) || node.split("/").includes("..")) {
    throw new UsageError(`--node ${JSON.stringify(node)}: give the absolute path of node inside the target system, without spaces, quotes or '..'`);
  }
  const layout = installLayout({ mode, node, activate: !forPackage });

  if (!forPackage) {
    const check = await checkExecutableInRoot(root, node);
    if (!check.ok) {
      const what = { missing: "does not exist", "not-regular": "is not a regular file", "not-executable": "is not executable", loop: "is a symbolic link loop" }[check.reason];
      throw new BootctlError("E_NODE_NOT_FOUND", `cannot install units: ${node} ${what} in ${normaliseRoot(root)}, and the units and the bootctl-ts command would run it; install Node.js there or give --node PATH`);
    }
  }
  const sources = bundleSources(options.bundleDirectory);
  await refuseWrongKinds(root, layout.files, layout.links);

  const result: InstallUnitsResult = {
    mode, node,
    files: layout.files.filter((f) => f.source.kind !== "code-cache" || sources.codeCache !== undefined).map((f) => f.path),
    links: layout.links,
    unchanged: [],
  };
  if (options.dryRun) return result;

  for (const file of layout.files) {
    const target = inRoot(root, file.path);
    const bytes = file.source.kind === "text" ? Buffer.from(file.source.text) : file.source.kind === "bundle" ? sources.bundles[file.source.name] : sources.codeCache;
    if (bytes === undefined) continue;
    const existing = await readInstalled(root, target);
    if (existing?.kind === "file" && existing.mode === file.mode && existing.bytes!.equals(bytes)) {
      result.unchanged.push(file.path);
      continue;
    }
    await mkdirDurable(root, path.dirname(target));
    await atomicReplace(root, target, bytes, { mode: file.mode });
  }
  for (const [link, linkTarget] of Object.entries(layout.links)) {
    const absolute = inRoot(root, link);
    await mkdirDurable(root, path.dirname(absolute));
    const { changed } = await symlinkDurable(root, absolute, linkTarget);
    if (!changed) result.unchanged.push(link);
  }
  return result;
}

interface BundleSources {
  bundles: Record<(typeof BUNDLE_FILES)[number], Buffer>;
  /** dist/cli-main.cache, if the build made one. */
  codeCache: Buffer | undefined;
}

/** The built files, read before anything is written (a missing one must not leave half an install). */
function bundleSources(directory: string): BundleSources {
  const bundles = {} as BundleSources["bundles"];
  for (const name of BUNDLE_FILES) {
    const file = path.join(directory, name);
    try {
      bundles[name] = readFileSync(file);
    } catch (err) {
      if (hasErrno(err, "ENOENT")) throw new BootctlError("E_NOT_FOUND", `cannot install units: ${file} is missing (run 'npm run build')`);
      throw new FileError("E_READ", `cannot install units: cannot read ${file}: ${describeErrno(errnoOf(err))}`, file, err);
    }
  }
  let codeCache: Buffer | undefined;
  try {
    codeCache = readFileSync(path.join(directory, CODE_CACHE_FILE));
  } catch (err) {
    // Optional: without it the installed CLI only starts slower.
    if (!hasErrno(err, "ENOENT")) throw new FileError("E_READ", `cannot install units: cannot read ${path.join(directory, CODE_CACHE_FILE)}: ${describeErrno(errnoOf(err))}`, path.join(directory, CODE_CACHE_FILE), err);
    codeCache = undefined;
  }
  return { bundles, codeCache };
}

async function refuseWrongKinds(root: string, files: readonly LayoutFile[], links: Record<string, string>): Promise<void> {
  for (const file of files) {
    const existing = await readInstalled(root, inRoot(root, file.path));
    if (existing && existing.kind !== "file") {
      throw new BootctlError("E_NOT_REGULAR", `cannot install units: ${file.path} in ${normaliseRoot(root)} exists and is not a regular file`);
    }
  }
  for (const link of Object.keys(links)) {
    const existing = await readInstalled(root, inRoot(root, link));
    if (existing && existing.kind !== "symlink") {
      throw new BootctlError("E_NOT_SYMLINK", `cannot install units: ${link} in ${normaliseRoot(root)} exists and is not a symbolic link (installed in the other mode? remove it first)`);
    }
  }
}
