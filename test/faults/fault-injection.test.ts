/**
 * EIO, ENOSPC, EROFS, EPERM and EXDEV injected at every file step of the mutating verbs (through
 * the file layer's seam): the verb fails with a typed error naming the problem, and the tree is
 * exactly as before (plans undo what they created), or — for verbs that remove files, which
 * cannot be undone — every entry still names complete files.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { addEntry, removeEntry } from "../../src/actions/add-entry.ts";
import { blessBoot } from "../../src/actions/bless-boot.ts";
import { unlinkEntry } from "../../src/actions/unlink-entry.ts";
import { LOCK_NAME } from "../../src/adapters/boot-lock.ts";
import type { StepSeam } from "../../src/adapters/durable-fs.ts";
import { BootctlError, describeErrno } from "../../src/errors.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { makeTempRoot, removeTempRoot } from "../support/tmp.ts";

const ERRNOS = ["EIO", "ENOSPC", "EROFS", "EPERM", "EXDEV"] as const;

function snapshot(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === LOCK_NAME) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(`${prefix}${name}/`, ...snapshot(full, `${prefix}${name}/`));
    else out.push(`${prefix}${name}=${createHash("sha1").update(readFileSync(full)).digest("hex").slice(0, 12)}`);
  }
  return out;
}

function fixture(root: string): void {
  const esp = path.join(root, "efi");
  mkdirSync(path.join(esp, "loader/entries"), { recursive: true });
  mkdirSync(path.join(esp, "os/6.11"), { recursive: true });
  mkdirSync(path.join(root, "etc/kernel"), { recursive: true });
  mkdirSync(path.join(root, "efivars"));
  writeFileSync(path.join(root, "etc/kernel/entry-token"), "os\n");
  writeFileSync(path.join(root, "etc/kernel/cmdline"), "quiet\n");
  writeFileSync(path.join(esp, "os/6.11/linux"), "kernel 6.11");
  writeFileSync(path.join(esp, "loader/entries/os-6.11.conf"), "title OS\nversion 6.11\nlinux /os/6.11/linux\n");
  mkdirSync(path.join(esp, "os/6.12"), { recursive: true });
  writeFileSync(path.join(esp, "os/6.12/linux"), "kernel 6.12");
  writeFileSync(path.join(esp, "loader/entries/os-6.12+2-1.conf"), "title OS\nversion 6.12\nlinux /os/6.12/linux\n");
  writeLoaderString(path.join(root, "efivars"), "LoaderBootCountPath", "/loader/entries/os-6.12+2-1.conf");
  writeFileSync(path.join(root, "vmlinuz"), Buffer.alloc(50_000, 3));
  writeFileSync(path.join(root, "initrd"), Buffer.alloc(30_000, 4));
}

interface Verb {
  name: string;
  run: (root: string, seam: StepSeam) => Promise<unknown>;
  /** Removals cannot be undone: check consistency instead of equality. */
  exact: boolean;
}

const VERBS: Verb[] = [
  { name: "add", exact: true, run: (root, seam) => addEntry({ root, espPath: "/efi", kernelVersion: "6.13", kernelImage: path.join(root, "vmlinuz"), initrds: [path.join(root, "initrd")], tries: 3, loader: "systemd-boot", seam }) },
  { name: "bless-boot good", exact: true, run: (root, seam) => blessBoot("good", { root, partitions: ["/efi"], efivarsPath: path.join(root, "efivars"), seam }) },
  { name: "bless-boot bad", exact: true, run: (root, seam) => blessBoot("bad", { root, partitions: ["/efi"], efivarsPath: path.join(root, "efivars"), seam }) },
  { name: "remove", exact: false, run: (root, seam) => removeEntry({ root, espPath: "/efi", kernelVersion: "6.11", seam }) },
  { name: "unlink", exact: false, run: (root, seam) => unlinkEntry("os-6.11.conf", { root, espPath: "/efi", seam }) },
];

/** Every entry names files that exist (the invariant for verbs that remove files). */
function consistent(root: string): string[] {
  const esp = path.join(root, "efi");
  const problems: string[] = [];
  for (const name of readdirSync(path.join(esp, "loader/entries"))) {
    if (!name.endsWith(".conf")) continue;
    for (const m of readFileSync(path.join(esp, "loader/entries", name), "utf8").matchAll(/^(?:linux|initrd)\s+(\S+)$/gm)) {
      try {
        statSync(path.join(esp, m[1]!));
      } catch {
        problems.push(`${name} names missing ${m[1]}`);
      }
    }
  }
  return problems;
}

for (const verb of VERBS) {
  test(`${verb.name}: an I/O error at any step fails cleanly`, async () => {
    const template = makeTempRoot();
    try {
      fixture(template);
      // Count the steps of a successful run.
      const counting = makeTempRoot();
      cpSync(template, counting, { recursive: true });
      let steps = 0;
      await verb.run(counting, () => { steps++; });
      removeTempRoot(counting);
      assert.ok(steps >= 2, `${verb.name} has ${steps} steps`);
      for (let at = 1; at <= steps; at++) {
        for (const errno of ERRNOS) {
          const root = makeTempRoot();
          try {
            cpSync(template, root, { recursive: true });
            const before = snapshot(root);
            let n = 0;
            try {
              await verb.run(root, () => { if (++n === at) throw Object.assign(new Error(`injected ${errno}`), { code: errno }); });
              assert.unreachable(`${verb.name}: ${errno} at step ${at} was not reported`);
            } catch (err) {
              assert.instance(err, BootctlError, `${verb.name}: ${errno} at step ${at}: ${String(err)}`);
              assert.ok((err as Error).message.includes(describeErrno(errno)), `${verb.name}: message names the problem: ${(err as Error).message}`);
            }
            if (verb.exact) assert.equal(snapshot(root), before, `${verb.name}: ${errno} at step ${at} left changes`);
            else assert.equal(consistent(root), [], `${verb.name}: ${errno} at step ${at}`);
          } finally {
            removeTempRoot(root);
          }
        }
      }
    } finally {
      removeTempRoot(template);
    }
  });
}

test.run();
