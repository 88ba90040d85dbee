/**
 * The partitions that may hold boot entries ($BOOT roots), for code that runs without the full
 * discovery (the early-boot service). Explicit paths win; otherwise the conventional mount points
 * `/efi`, `/boot`, `/boot/efi` that exist as directories under the root, de-duplicated by device
 * and inode (a bind mount or the same file system seen twice is one root), like systemd-bless-boot's
 * default of "the ESP and XBOOTLDR".
 */
import { stat } from "node:fs/promises";
import { inRoot, refuseSymlinks } from "./root-path.ts";

export const CONVENTIONAL_BOOT_MOUNTS = ["/efi", "/boot", "/boot/efi"] as const;

export async function partitionRoots(root: string, explicit: readonly (string | undefined)[]): Promise<string[]> {
  const given = explicit.filter((p): p is string => p !== undefined);
  const candidates = (given.length > 0 ? given : CONVENTIONAL_BOOT_MOUNTS).map((p) => inRoot(root, p));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const dir of candidates) {
    try {
      await refuseSymlinks(root, dir);
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
