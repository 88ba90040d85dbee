/**
 * The second real Debian kernel of the update scenarios: what `apt upgrade` would install on a
 * machine built from the release's main archive. That is the kernel the meta package
 * linux-image-cloud-amd64 depends on once the release's -updates and -security archives are
 * added (Debian 12: 6.1.0-50 in bookworm → 6.1.0-57 in bookworm-security, as measured on
 * 2026-12-07). After a point release the main archive catches up and the two are the same; then
 * the newest other cloud kernel the release offers stands in (Debian 12 also ships the 6.12
 * line). The .deb is fetched with apt-get download (never installed on the host) and cached
 * under <cache>/realos/debs/<suite>/.
 */
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { SuiteError } from "../errors.ts";
import { execText } from "../exec.ts";
import { hostMirror, PrivateApt } from "./apt.ts";
import { realosCache, type RootTree } from "./rootfs.ts";

export interface UpdateKernel {
  /** e.g. linux-image-6.1.0-57-cloud-amd64 */
  package: string;
  version: string;
  /** uname -r of the new kernel. */
  release: string;
  deb: string;
  /** How it was chosen, for the transcript. */
  why: string;
}

const CLOUD_KERNEL = /^linux-image-\d[\w.+~-]*-cloud-amd64$/;

async function compareVersions(a: string, b: string): Promise<number> {
  const r = await execText("sh", ["-c", 'if dpkg --compare-versions "$1" gt "$2"; then echo 1; elif dpkg --compare-versions "$1" lt "$2"; then echo -1; else echo 0; fi', "cmp", a, b]);
  return Number(r.trim());
}

export async function updateKernel(tree: RootTree): Promise<UpdateKernel> {
  const suite = tree.os.suite;
  const apt = await PrivateApt.open(join(realosCache(), `apt-${suite}`), hostMirror(), suite);
  let name = await apt.metaTarget("linux-image-cloud-amd64");
  let why = `what linux-image-cloud-amd64 depends on in ${suite} with -updates and -security`;
  if (name === tree.kernelPackage) {
    const candidates = (await apt.versions(CLOUD_KERNEL)).filter((c) => c.name !== tree.kernelPackage);
    let best: { name: string; version: string } | undefined;
    for (const c of candidates) if (!best || (await compareVersions(c.version, best.version)) > 0) best = c;
    if (!best) throw new SuiteError("E_QEMU_KERNEL", `${suite} offers no cloud kernel besides ${tree.kernelPackage}: no update to install`);
    name = best.name;
    why = `the newest cloud kernel of ${suite} besides ${tree.kernelPackage} (the security archive has no newer one)`;
  }
  const dir = join(realosCache(), "debs", suite);
  const cached = existsSync(dir) ? (await readdir(dir)).find((f) => f.startsWith(`${name}_`) && f.endsWith(".deb")) : undefined;
  const deb = cached ? join(dir, cached) : await apt.download(name, dir);
  const version = (await execText("dpkg-deb", ["-f", deb, "Version"])).trim();
  return { package: name, version, release: name.slice("linux-image-".length), deb, why };
}
