/**
 * The guest kernel: Debian's cloud flavour (LZ4-compressed, few drivers: about 6 s per UEFI boot
 * under TCG against 11 s for the standard flavour, measured when the suite was built). It is fetched with
 * `apt-get download` and unpacked with `dpkg-deb -x`, never installed, and cached outside the
 * repository under <cache>/kernel/<package>_<version>/.
 *
 * The versioned package (linux-image-6.1.0-NN-cloud-amd64) is resolved through the meta package
 * every run, because point releases change the ABI number and the mirror drops old versions. When
 * the mirror cannot be reached, the newest cached kernel is used and the run says so.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SuiteError } from "./errors.ts";
import { exec, execText } from "./exec.ts";
import { cacheDir } from "./paths.ts";

export const KERNEL_META_PACKAGE = "linux-image-cloud-amd64";

export interface GuestKernel {
  /** The versioned binary package, e.g. linux-image-6.1.0-56-cloud-amd64. */
  package: string;
  /** The Debian package version, e.g. 6.1.192-2. */
  version: string;
  /** The kernel release (uname -r), e.g. 6.1.0-56-cloud-amd64. */
  release: string;
  /** The unpacked tree. */
  dir: string;
  vmlinuz: string;
  /** lib/modules/<release> inside the unpacked tree. */
  modulesDir: string;
  /** True when the mirror could not be asked and a cached kernel stands in. */
  fromCacheOnly: boolean;
}

const STAMP = ".complete";

async function resolvePackage(): Promise<string> {
  const out = await execText("apt-cache", ["depends", KERNEL_META_PACKAGE]);
  const match = /Depends:\s*(linux-image-\S+)/.exec(out);
  if (!match?.[1]) throw new SuiteError("E_QEMU_KERNEL", `apt-cache depends ${KERNEL_META_PACKAGE} names no kernel package`);
  return match[1];
}

async function cachedKernels(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const names = await readdir(root);
  const complete = names.filter((n) => existsSync(join(root, n, STAMP)));
  return complete.sort().reverse();
}

async function describe(dir: string, fromCacheOnly: boolean): Promise<GuestKernel> {
  const meta = JSON.parse(await readFile(join(dir, STAMP), "utf8")) as { package: string; version: string };
  const bootFiles = await readdir(join(dir, "boot"));
  const image = bootFiles.find((f) => f.startsWith("vmlinuz-"));
  if (!image) throw new SuiteError("E_QEMU_KERNEL", `${dir}/boot holds no vmlinuz`);
  const release = image.slice("vmlinuz-".length);
  return {
    package: meta.package,
    version: meta.version,
    release,
    dir,
    vmlinuz: join(dir, "boot", image),
    modulesDir: join(dir, "lib", "modules", release),
    fromCacheOnly,
  };
}

async function download(pkg: string, root: string): Promise<string> {
  const dl = join(root, ".download");
  await rm(dl, { recursive: true, force: true });
  await mkdir(dl, { recursive: true });
  try {
    await exec("apt-get", ["download", pkg], { cwd: dl });
  } catch (first) {
    // Stale package lists name a version the mirror no longer has: refresh once (root only).
    if (process.getuid?.() !== 0) throw first;
    await exec("apt-get", ["update"]);
    await exec("apt-get", ["download", pkg], { cwd: dl });
  }
  const debs = (await readdir(dl)).filter((f) => f.endsWith(".deb"));
  const deb = debs[0];
  if (!deb) throw new SuiteError("E_QEMU_KERNEL", `apt-get download ${pkg} left no .deb`);
  const version = (await execText("dpkg-deb", ["-f", join(dl, deb), "Version"])).trim();
  const dir = join(root, `${pkg}_${version}`);
  const staging = `${dir}.partial`;
  await rm(staging, { recursive: true, force: true });
  await exec("dpkg-deb", ["-x", join(dl, deb), staging]);
  await writeFile(join(staging, STAMP), JSON.stringify({ package: pkg, version }) + "\n");
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  await rm(dl, { recursive: true, force: true });
  return dir;
}

/** The guest kernel, downloaded on first use and cached. */
export async function guestKernel(): Promise<GuestKernel> {
  const root = join(cacheDir(), "kernel");
  await mkdir(root, { recursive: true });
  let pkg: string;
  try {
    pkg = await resolvePackage();
  } catch (error) {
    const cached = await cachedKernels(root);
    if (cached[0]) return describe(join(root, cached[0]), true);
    throw error;
  }
  const existing = (await cachedKernels(root)).find((n) => n.startsWith(`${pkg}_`));
  if (existing) return describe(join(root, existing), false);
  try {
    return describe(await download(pkg, root), false);
  } catch (error) {
    const cached = await cachedKernels(root);
    if (cached[0]) return describe(join(root, cached[0]), true);
    throw error;
  }
}

/** Index of module name (underscores) → .ko path under the kernel's module tree. */
async function moduleIndex(modulesDir: string): Promise<Map<string, string>> {
  const index = new Map<string, string>();
  const entries = await readdir(join(modulesDir, "kernel"), { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(".ko")) continue;
    index.set(entry.name.slice(0, -3).replace(/-/g, "_"), join(entry.parentPath, entry.name));
  }
  return index;
}

/** The `depends=` field of a module's .modinfo section (Debian ships no modules.dep: depmod runs in postinst). */
function dependsOf(ko: Buffer): string[] {
  const text = ko.toString("latin1");
  const match = /(?:^|\0)depends=([^\0]*)\0/.exec(text);
  return match?.[1] ? match[1].split(",").filter(Boolean).map((d) => d.replace(/-/g, "_")) : [];
}

export interface ModuleFile {
  name: string;
  path: string;
}

/**
 * The .ko files needed for `wanted`, dependencies first (the order busybox insmod must load them).
 * Modules built into the kernel are absent from the tree and must not be asked for.
 */
export async function modulesInLoadOrder(kernel: GuestKernel, wanted: readonly string[]): Promise<ModuleFile[]> {
  const index = await moduleIndex(kernel.modulesDir);
  const order: ModuleFile[] = [];
  const seen = new Set<string>();
  const visit = async (name: string, chain: string[]): Promise<void> => {
    if (seen.has(name)) return;
    if (chain.includes(name)) throw new SuiteError("E_QEMU_KERNEL", `module dependency cycle: ${[...chain, name].join(" -> ")}`);
    const path = index.get(name);
    if (!path) throw new SuiteError("E_QEMU_KERNEL", `kernel ${kernel.release} has no module ${name}`);
    for (const dep of dependsOf(await readFile(path))) await visit(dep, [...chain, name]);
    seen.add(name);
    order.push({ name, path });
  };
  for (const name of wanted) await visit(name, []);
  return order;
}
