/**
 * Whether a path names an executable file *inside* a root (an image, a chroot), the way the
 * kernel would find it after chroot(2): symbolic links are followed, but an absolute link target
 * is taken relative to the root and `..` never climbs above it (like systemd's chase() with
 * CHASE_PREFIX_ROOT). Read-only: used to refuse installing units whose ExecStart could never run.
 */
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { errnoOf } from "../errors.ts";
import { normaliseRoot } from "./root-path.ts";

export type ExecutableCheck =
  | { ok: true; /** The file's path inside the root, links resolved. */ resolved: string }
  | { ok: false; reason: "missing" | "not-regular" | "not-executable" | "loop"; resolved?: string };

const MAX_LINKS = 40; // Linux's MAXSYMLINKS

export async function checkExecutableInRoot(root: string, imagePath: string): Promise<ExecutableCheck> {
  const base = normaliseRoot(root);
  const pending = imagePath.split("/").filter((c) => c !== "" && c !== ".");
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const component = pending.shift()!;
    if (component === "..") {
      done.pop();
      continue;
    }
    const here = path.join(base, ...done, component);
    let stat;
    try {
      stat = await fsp.lstat(here);
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === "ENOENT" || errno === "ENOTDIR") return { ok: false, reason: "missing" };
      throw err;
    }
    if (stat.isSymbolicLink()) {
      if (++links > MAX_LINKS) return { ok: false, reason: "loop" };
      const target = await fsp.readlink(here);
      if (target.startsWith("/")) done.length = 0;
      pending.unshift(...target.split("/").filter((c) => c !== "" && c !== "."));
      continue;
    }
    done.push(component);
  }
  const resolved = "/" + done.join("/");
  const stat = await fsp.stat(path.join(base, ...done));
  if (!stat.isFile()) return { ok: false, reason: "not-regular", resolved };
  if ((stat.mode & 0o111) === 0) return { ok: false, reason: "not-executable", resolved };
  return { ok: true, resolved };
}
