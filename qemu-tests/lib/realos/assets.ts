/**
 * The real-OS part of a run's shared assets, each made once per run on first use and cached
 * across runs (keys in rootfs.ts, image.ts, provision.ts): the bootctl-ts package of this
 * checkout, per release the root tree, the update kernel and the base image, per release and
 * loader the installed variant. Concurrent scenarios await the same promises.
 */
import { guestImage, type GuestImage, type RootFsType } from "./image.ts";
import { GUEST_OSES, type GuestOsId } from "./guest-os.ts";
import { buildBootctlDeb, type BootctlDeb } from "./package-deb.ts";
import { parentOf, provisionVariant, type Variant, type VariantName } from "./provision.ts";
import { rootTree } from "./rootfs.ts";
import { updateKernel } from "./update-kernel.ts";

export interface RealOsAssets {
  image(os: GuestOsId, rootFs?: RootFsType): Promise<GuestImage>;
  /** A variant of the release's ext4 image, or (rootFs "btrfs") of its btrfs image (snapshot subvolumes). */
  variant(os: GuestOsId, name: VariantName, rootFs?: RootFsType): Promise<Variant>;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function realOsAssets(log: (line: string) => void): RealOsAssets {
  let deb: Promise<BootctlDeb> | undefined;
  const images = new Map<string, Promise<GuestImage>>();
  const variants = new Map<string, Promise<Variant>>();
  const packageDeb = (): Promise<BootctlDeb> =>
    (deb ??= (async () => {
      const t0 = Date.now();
      const d = await buildBootctlDeb();
      log(`bootctl-ts package: ${d.path} (${d.version}, content ${d.contentKey.slice(0, 12)}; ${seconds(Date.now() - t0)})`);
      return d;
    })());
  const trees = new Map<GuestOsId, ReturnType<typeof treeAndUpdate>>();
  const treeAndUpdate = async (id: GuestOsId) => {
    const os = GUEST_OSES[id];
    const tree = await rootTree(os, log);
    log(`${os.name} root tree: ${tree.built ? `built in ${seconds(tree.buildMs)}` : "cached"}: ${tree.dir} (kernel ${tree.kernelPackage} ${tree.kernelVersion}, nodejs ${tree.nodeVersion})`);
    const update = await updateKernel(tree);
    log(`${os.name} update kernel: ${update.package} ${update.version} (${update.why})`);
    return { tree, update };
  };
  const image = (id: GuestOsId, rootFs: RootFsType = "ext4"): Promise<GuestImage> => {
    let p = images.get(`${id}/${rootFs}`);
    if (!p) {
      p = (async () => {
        const os = GUEST_OSES[id];
        const t0 = Date.now();
        // One tree per release, whichever image asks first (two images never build it twice).
        let tu = trees.get(id);
        if (!tu) {
          tu = treeAndUpdate(id);
          trees.set(id, tu);
        }
        const { tree, update } = await tu;
        const img = await guestImage(tree, await packageDeb(), update, log, rootFs);
        log(`${os.name} base image${rootFs === "ext4" ? "" : ` (${rootFs} root)`}: ${img.built ? `built in ${seconds(img.buildMs)}` : "cached"}: ${img.raw} (${seconds(Date.now() - t0)} in all)`);
        return img;
      })();
      images.set(`${id}/${rootFs}`, p);
    }
    return p;
  };
  const variant: (id: GuestOsId, name: VariantName, rootFs?: RootFsType) => Promise<Variant> = (id, name, rootFs = "ext4") => {
    const key = `${id}/${rootFs}/${name}`;
    let p = variants.get(key);
    if (!p) {
      p = (async () => {
        const base = parentOf(name);
        const v = await provisionVariant(await image(id, rootFs), name, log, base ? await variant(id, base, rootFs) : undefined);
        log(`${GUEST_OSES[id].name}${rootFs === "ext4" ? "" : ` (${rootFs} root)`} with ${name}: ${v.built ? `installed in ${seconds(v.provisionMs)}` : "cached"}: ${v.dir}`);
        return v;
      })();
      variants.set(key, p);
    }
    return p;
  };
  return { image, variant };
}
