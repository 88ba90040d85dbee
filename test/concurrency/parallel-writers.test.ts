/**
 * Two or more bootctl-ts writers at once never lose an update (adapters/boot-lock.ts): parallel
 * grubenv edits all land; an installer adding an entry while the boot-success service blesses
 * another both take effect; on GRUB, bless-boot, set-default and set-oneshot on one grubenv all
 * land; set-default and add --make-default on loader.conf wait for the ESP's lock. Each writer is
 * a real process of the built CLI.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { isStale, LOCK_NAME, withBootLock } from "../../src/adapters/boot-lock.ts";
import { CLI } from "../support/cli.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

function runCli(args: string[]): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (status) => resolve({ status: status ?? -1, stderr }));
  });
}

test("8 parallel grubenv set commands: every variable lands", async () => {
  requireTool("grub-editenv", "grub-common");
  await withTempRoot(async (root) => {
    const file = path.join(root, "grubenv");
    spawnSync("grub-editenv", [file, "create"]);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => runCli(["grubenv", file, "set", `writer${i}=value${i}`])));
    for (const r of results) assert.is(r.status, 0, r.stderr);
    const list = spawnSync("grub-editenv", [file, "list"], { encoding: "utf8" }).stdout.trim().split("\n").sort();
    assert.equal(list, Array.from({ length: 8 }, (_, i) => `writer${i}=value${i}`).sort());
    assert.not.ok(existsSync(path.join(root, LOCK_NAME)), "the lock is released");
  });
});

test("an installer adding an entry while the service blesses another: both changes land", async () => {
  for (let round = 0; round < 4; round++) {
    await withTempRoot(async (root) => {
      const entries = path.join(root, "efi/loader/entries");
      mkdirSync(entries, { recursive: true });
      mkdirSync(path.join(root, "efivars"));
      mkdirSync(path.join(root, "etc/kernel"), { recursive: true });
      writeFileSync(path.join(root, "etc/kernel/entry-token"), "os\n");
      writeFileSync(path.join(root, "etc/kernel/cmdline"), "quiet\n");
      writeFileSync(path.join(entries, "os-6.11+2-1.conf"), "title OS\nversion 6.11\nlinux /os/6.11/linux\n");
      writeLoaderString(path.join(root, "efivars"), "LoaderBootCountPath", "/loader/entries/os-6.11+2-1.conf");
      writeFileSync(path.join(root, "vmlinuz"), "kernel");
      const base = ["--root", root, "--esp-path", "/efi", "--efivars-path", path.join(root, "efivars")];
      const [added, blessed] = await Promise.all([
        runCli([...base, "add", "--tries", "3", "6.12", path.join(root, "vmlinuz")]),
        runCli([...base, "bless-boot", "good"]),
      ]);
      assert.is(added.status, 0, added.stderr);
      assert.is(blessed.status, 0, blessed.stderr);
      assert.equal(readdirSync(entries).sort(), ["os-6.11.conf", "os-6.12+3.conf"], `round ${round}`);
    });
  }
});

/** The grubenv as the real grub-editenv lists it. */
function editenvList(file: string): Record<string, string> {
  const out = spawnSync("grub-editenv", [file, "list"], { encoding: "utf8" }).stdout;
  return Object.fromEntries(out.split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

test("GRUB: bless-boot good racing set-default and set-oneshot on the same grubenv: every update lands", async () => {
  requireTool("grub-editenv", "grub-common");
  for (let round = 0; round < 4; round++) {
    await withTempRoot(async (root) => {
      mkdirSync(path.join(root, "boot/grub"), { recursive: true });
      mkdirSync(path.join(root, "efivars"));
      const file = path.join(root, "boot/grub/grubenv");
      spawnSync("grub-editenv", [file, "create"]);
      // The trial's own menu entry recorded this boot (grub/README.md).
      spawnSync("grub-editenv", [file, "set", "saved_entry=old", "bootctl_trial=new", "bootctl_tries=2", "bootctl_fallback=old", "bootctl_booted=new"]);
      const base = ["--root", root, "--efivars-path", path.join(root, "efivars")];
      const [blessed, defaulted, oneshot] = await Promise.all([
        runCli([...base, "bless-boot", "good"]),
        runCli([...base, "set-default", "--loader", "grub", "other"]),
        runCli([...base, "set-oneshot", "--loader", "grub", "rescue"]),
      ]);
      for (const r of [blessed, defaulted, oneshot]) assert.is(r.status, 0, r.stderr);
      const env = editenvList(file);
      // bless-boot's update: counting ended, the mark set; set-oneshot's: next_entry. saved_entry is
      // the trial or "other", whichever of bless-boot and set-default wrote last.
      const { saved_entry: saved, ...rest } = env;
      assert.equal(rest, { bootctl_booted: "new", bootctl_state: "good", next_entry: "rescue" }, `round ${round}: ${JSON.stringify(env)}`);
      assert.ok(saved === "new" || saved === "other", `round ${round}: saved_entry=${saved}`);
      assert.not.ok(existsSync(path.join(root, "boot/grub", LOCK_NAME)), "the lock is released");
    });
  }
});

test("loader.conf on an image: parallel set-default and add --make-default both take the ESP's lock", async () => {
  await withTempRoot(async (root) => {
    const entries = path.join(root, "efi/loader/entries");
    mkdirSync(entries, { recursive: true });
    mkdirSync(path.join(root, "etc/kernel"), { recursive: true });
    writeFileSync(path.join(root, "etc/kernel/entry-token"), "os\n");
    writeFileSync(path.join(root, "etc/kernel/cmdline"), "quiet\n");
    writeFileSync(path.join(entries, "os-6.11.conf"), "title OS\nversion 6.11\nlinux /os/6.11/linux\n");
    writeFileSync(path.join(root, "efi/loader/loader.conf"), "timeout 3\n");
    writeFileSync(path.join(root, "vmlinuz"), "kernel");
    const base = ["--root", root, "--esp-path", "/efi"];
    // Hold the ESP's lock: both writers must wait for it, then run one after the other.
    const conf = path.join(root, "efi/loader/loader.conf");
    const unchangedWhileHeld = withBootLock(path.join(root, "efi"), async () => {
      await new Promise((r) => setTimeout(r, 1500));
      return readFileSync(conf, "utf8");
    });
    const runs = Promise.all([
      runCli([...base, "set-default", "--loader", "systemd-boot", "os-6.11.conf"]),
      runCli([...base, "add", "--loader", "systemd-boot", "--make-default", "6.12", path.join(root, "vmlinuz")]),
    ]);
    assert.is(await unchangedWhileHeld, "timeout 3\n", "nothing was written while another process held the lock");
    const [set, added] = await runs;
    assert.is(set.status, 0, set.stderr);
    assert.is(added.status, 0, added.stderr);
    const text = readFileSync(conf, "utf8");
    assert.ok(/^timeout 3$/m.test(text), text);
    assert.ok(/^default os-6\.1[12]\.conf$/m.test(text), text);
    assert.equal(readdirSync(entries).sort(), ["os-6.11.conf", "os-6.12.conf"]);
    assert.not.ok(existsSync(path.join(root, "efi", LOCK_NAME)), "the lock is released");
  });
});

test("a stale lock (dead process, or an earlier boot) is taken over; a live one makes writers wait", async () => {
  await withTempRoot(async (root) => {
    assert.ok(isStale("999999999 some-boot\n", "some-boot"), "dead pid");
    assert.ok(isStale(`${process.pid} an-earlier-boot\n`, "this-boot"), "earlier boot");
    assert.not.ok(isStale(`${process.pid} this-boot\n`, "this-boot"));
    writeFileSync(path.join(root, LOCK_NAME), "999999999 whatever\n");
    assert.is(await withBootLock(root, async () => "ran"), "ran");
    // A writer killed between creating the lock and writing its PID leaves it empty.
    writeFileSync(path.join(root, LOCK_NAME), "");
    utimesSync(path.join(root, LOCK_NAME), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    assert.is(await withBootLock(root, async () => "ran after an empty lock"), "ran after an empty lock");
    const order: string[] = [];
    await Promise.all([
      withBootLock(root, async () => { order.push("a+"); await new Promise((r) => setTimeout(r, 50)); order.push("a-"); }),
      withBootLock(root, async () => { order.push("b+"); order.push("b-"); }),
    ]);
    assert.ok(order.join() === "a+,a-,b+,b-" || order.join() === "b+,b-,a+,a-", order.join());
  });
});

test.run();
