/**
 * Differential test: `addEntry`/`removeEntry` against the real `kernel-install add|remove` with
 * its 90-loaderentry.install plugin (Debian 12, systemd 252), on random inputs: the resulting
 * $BOOT trees (names, contents, modes) must be identical. kernel-install's $BOOT is a tmpfs mount
 * so the plugin writes paths relative to its mount point, as on a real ESP (needs root).
 * Known, deliberate differences not exercised here (we follow current systemd):
 * - when an entry of the same version exists under another counter, we remove it (newer
 *   kernel-install does too; 252 does not);
 * - choosing the entry token, 252's shell loop stops at the first candidate as soon as
 *   `$BOOT/loader/entries` exists; current kernel-install (and we) try machine-id, IMAGE_ID, ID
 *   and "Default" directories in turn. The os-id cases therefore start without loader/entries.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { addEntry, removeEntry } from "../../src/actions/add-entry.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

function tree(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) out.push(`${prefix}${name}/`, ...tree(full, `${prefix}${name}/`));
    else out.push(`${prefix}${name} ${(st.mode & 0o777).toString(8)} ${JSON.stringify(readFileSync(full, "utf8"))}`);
  }
  return out;
}

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { encoding: "utf8", env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r;
}

const word = fc.stringMatching(/^[a-z0-9=._-]{1,10}$/);
const caseArb = fc.record({
  version: fc.stringMatching(/^[0-9]\.[0-9]{1,2}\.[0-9]{1,2}-[a-z0-9]{1,6}$/),
  tries: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
  cmdline: fc.option(fc.array(word, { minLength: 1, maxLength: 5 }).map((ws) => ws.join(" \t ")), { nil: undefined }),
  token: fc.constantFrom<"machine-id" | "explicit" | "os-id">("machine-id", "explicit", "os-id"),
  initrds: fc.integer({ min: 0, max: 2 }),
  machineId: fc.stringMatching(/^[0-9a-f]{32}$/),
});

test("add and remove produce the same $BOOT as kernel-install (40 random cases)", async () => {
  requireTool("kernel-install", "systemd");
  if (process.getuid?.() !== 0) throw new Error("this test needs root (mounts); run npm test as root");
  const cases = fc.sample(caseArb, { numRuns: 40, seed: 4242 });
  await withTempRoot(async (work) => {
    const realBoot = path.join(work, "real-boot");
    const oursRoot = path.join(work, "ours");
    const oursBoot = path.join(oursRoot, "boot");
    const conf = path.join(work, "conf");
    mkdirSync(realBoot);
    // A file system of its own (stat -c %m finds mount points by device number).
    sh("mount", ["-t", "tmpfs", "-o", "size=16m", "bootctl-ts-test", realBoot]);
    try {
      for (const [i, c] of cases.entries()) {
        for (const d of [oursRoot, conf]) rmSync(d, { recursive: true, force: true });
        for (const name of readdirSync(realBoot)) rmSync(path.join(realBoot, name), { recursive: true, force: true });
        mkdirSync(path.join(oursRoot, "etc/kernel"), { recursive: true });
        mkdirSync(oursBoot, { recursive: true });
        mkdirSync(conf);
        writeFileSync(path.join(conf, "install.conf"), "layout=bls\n");
        copyFileSync("/etc/os-release", path.join(oursRoot, "etc/os-release"));
        writeFileSync(path.join(oursRoot, "etc/machine-id"), `${c.machineId}\n`);
        const files: Record<string, string> = {};
        if (c.tries !== undefined) files.tries = `${c.tries}\n`;
        if (c.cmdline !== undefined) files.cmdline = `${c.cmdline}\n`;
        if (c.token === "explicit") files["entry-token"] = "custom-token\n";
        for (const [name, text] of Object.entries(files)) {
          writeFileSync(path.join(conf, name), text);
          writeFileSync(path.join(oursRoot, "etc/kernel", name), text);
        }
        // kernel-install picks the os-release ID as token when $BOOT/<ID> exists.
        if (c.token === "os-id") for (const b of [realBoot, oursBoot]) mkdirSync(path.join(b, "debian"));
        // Both get the same unrelated entry, so the trees also show nothing else is touched.
        if (c.token !== "os-id") for (const b of [realBoot, oursBoot]) {
          mkdirSync(path.join(b, "loader/entries"), { recursive: true });
          writeFileSync(path.join(b, "loader/entries/other-1.0.conf"), "title other\n");
        }
        const kernel = path.join(work, `vmlinuz-${i}`);
        writeFileSync(kernel, `kernel ${i}\n`);
        chmodSync(kernel, 0o600);
        const initrds = Array.from({ length: c.initrds }, (_, k) => {
          const p = path.join(work, `initrd-${k}.img`);
          writeFileSync(p, `initrd ${k} of ${i}\n`);
          return p;
        });
        const env = {
          ...process.env, KERNEL_INSTALL_CONF_ROOT: conf, BOOT_ROOT: realBoot, MACHINE_ID: c.machineId,
          KERNEL_INSTALL_PLUGINS: "/usr/lib/kernel/install.d/90-loaderentry.install",
        };
        // Without a cmdline file kernel-install falls back to this machine's /proc/cmdline; our
        // --root run does not read the host's (it is not the image's), so give both one.
        if (c.cmdline === undefined) for (const d of [conf, path.join(oursRoot, "etc/kernel")]) writeFileSync(path.join(d, "cmdline"), "root=/dev/sda1 ro\n");
        sh("kernel-install", ["add", c.version, kernel, ...initrds], env);
        await addEntry({ root: oursRoot, bootPath: "/boot", kernelVersion: c.version, kernelImage: kernel, initrds });
        assert.equal(tree(oursBoot), tree(realBoot), `add, case ${i}: ${JSON.stringify(c)}`);
        // (252's token quirk again: now that loader/entries exists, name the token for both.)
        if (c.token === "os-id") for (const d of [conf, path.join(oursRoot, "etc/kernel")]) writeFileSync(path.join(d, "entry-token"), "debian\n");
        sh("kernel-install", ["remove", c.version], env);
        await removeEntry({ root: oursRoot, bootPath: "/boot", kernelVersion: c.version });
        assert.equal(tree(oursBoot), tree(realBoot), `remove, case ${i}: ${JSON.stringify(c)}`);
      }
    } finally {
      spawnSync("umount", [realBoot]);
    }
  });
});

test.run();
