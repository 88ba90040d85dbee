/**
 * The partitions that may hold boot entries ($BOOT roots), for code that runs without the full
 * discovery (the early-boot service). Explicit paths win; otherwise the conventional mount points
 * `/efi`, `/boot`, `/boot/efi` that exist as directories under the root, de-duplicated by device
 * and inode (a bind mount or the same file system seen twice is one root), like systemd-bless-boot's
 * default of "the ESP and XBOOTLDR". Links on the way to a partition (`/boot/efi` -> `../efi`) are
 * followed inside the root, as bootctl follows them; one that leads out of it is refused
 * (root-path.ts `followLinksInRoot`).
 */
import { stat } from "node:fs/promises";
import { followLinksInRoot, inRoot } from "./root-path.ts";

export const CONVENTIONAL_BOOT_MOUNTS = ["/efi", "/boot", "/boot/efi"] as const;

export async function partitionRoots(root: string, explicit: readonly (string | undefined)[]): Promise<string[]> {
  const given = explicit.filter((p): p is string => p !== undefined);
  const candidates = (given.length > 0 ? given : CONVENTIONAL_BOOT_MOUNTS).map((p) => inRoot(root, p));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const candidate of candidates) {
    try {
      const dir = followLinksInRoot(root, candidate);
      const st = await stat(dir);
      if (!st.isDirectory()) continue;
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(dir);
    } catch (err) {
      if (given.length > 0) throw err;
    }
  }
  return out;
}
