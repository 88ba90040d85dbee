/**
 * Issue 9 (faults), process level: `add` (Type #1 with tries, a UKI, a GRUB trial, a new
 * default in loader.conf), `remove`,
 * `unlink` and `cleanup` through the real CLI, killed with SIGKILL at every call of every
 * write-related system call (test/support/strace-kill.ts). After each kill, systemd 252's
 * `bootctl list` (and `grub-editenv list` for the GRUB trial) reads the old menu or the new one;
 * every file is its old or new self; the next run of the verb succeeds, takes over the lock,
 * removes stale temp files and reaches exactly the state of an uninterrupted run.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { requireTool } from "../support/exec.ts";
import { buildUki } from "../support/pe-builder.ts";
import { bootctlList, formatReport, grubEditenvList, killEverywhere, normalise, type CrashScenario } from "../support/strace-kill.ts";

const base = (tree: string) => ["--root", tree, "--esp-path", "/efi"];

/** An installed system: os-release, entry token, command line, one installed kernel (6.12). */
function image(tree: string): void {
  mkdirSync(path.join(tree, "etc/kernel"), { recursive: true });
  mkdirSync(path.join(tree, "efi/loader/entries"), { recursive: true });
  mkdirSync(path.join(tree, "efi/os/6.12"), { recursive: true });
  writeFileSync(path.join(tree, "etc/os-release"), 'ID=os\nPRETTY_NAME="OS"\n');
  writeFileSync(path.join(tree, "etc/kernel/entry-token"), "os\n");
  writeFileSync(path.join(tree, "etc/kernel/cmdline"), "root=/dev/vda2 quiet\n");
  writeFileSync(path.join(tree, "efi/os/6.12/linux"), "kernel 6.12\n");
  writeFileSync(path.join(tree, "efi/os/6.12/initrd"), "initrd 6.12\n");
  writeFileSync(path.join(tree, "efi/loader/entries/os-6.12.conf"), "title OS\nversion 6.12\nlinux /os/6.12/linux\ninitrd /os/6.12/initrd\n");
}

function kernelInputs(inputs: string): void {
  writeFileSync(path.join(inputs, "vmlinuz"), Buffer.alloc(40_000, 7));
  writeFileSync(path.join(inputs, "initrd.img"), Buffer.alloc(20_000, 9));
}

/** bootctl list --json=short, one parsed object per entry. */
function entries(view: string): Record<string, unknown>[] {
  return view.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const menuView = async (tree: string) => normalise(await bootctlList(path.join(tree, "efi")), tree);

const addTries: CrashScenario = {
  name: "add --tries 3 (Type #1, kernel and initrd copied)",
  multiStep: true,
  setup: (tree, inputs) => { image(tree); kernelInputs(inputs); },
  args: (tree, inputs) => [...base(tree), "--efivars-path", path.join(inputs, "no-efivars"), "add", "--loader", "systemd-boot", "--tries", "3", "6.13", path.join(inputs, "vmlinuz"), path.join(inputs, "initrd.img")],
  view: menuView,
  checkNew(view, tree) {
    // Boot Loader Specification + kernel-install: $BOOT/<token>/<version>/{linux,initrd}, entry
    // <token>-<version>+3.conf, which bootctl reads as id os-6.13.conf with three tries left.
    const added = entries(view).find((e) => e.id === "os-6.13.conf");
    assert.ok(added, view);
    assert.is(added!.triesLeft, 3);
    assert.is(added!.path, "$TREE/efi/loader/entries/os-6.13+3.conf");
    assert.is(added!.linux, "/os/6.13/linux");
    assert.equal(added!.initrd, ["/os/6.13/initrd.img"]);
    assert.is(added!.options, "root=/dev/vda2 quiet");
    assert.ok(entries(view).some((e) => e.id === "os-6.12.conf"));
    assert.ok(readFileSync(path.join(tree, "efi/os/6.13/linux")).equals(Buffer.alloc(40_000, 7)));
    assert.ok(readFileSync(path.join(tree, "efi/os/6.13/initrd.img")).equals(Buffer.alloc(20_000, 9)));
  },
};

const UKI_OSREL = 'ID=os\nNAME="OS"\nPRETTY_NAME="OS UKI"\nVERSION_ID=42\n';

const addUki: CrashScenario = {
  name: "add --tries 2 of a UKI (EFI/Linux)",
  multiStep: true, // EFI/ and EFI/Linux/ are created first
  setup: (tree, inputs) => {
    image(tree);
    writeFileSync(path.join(inputs, "os.efi"), buildUki({ osrel: UKI_OSREL, cmdline: "root=/dev/vda2", uname: "6.14", linux: Buffer.alloc(30_000, 5) }));
  },
  args: (tree, inputs) => [...base(tree), "--efivars-path", path.join(inputs, "no-efivars"), "add", "--loader", "systemd-boot", "--tries", "2", "6.14", path.join(inputs, "os.efi")],
  view: menuView,
  checkNew(view, tree) {
    // Type #2: EFI/Linux/<token>-<version>+2.efi; bootctl reads its .osrel.
    const uki = entries(view).find((e) => e.id === "os-6.14.efi");
    assert.ok(uki, view);
    assert.is(uki!.triesLeft, 2);
    assert.is(uki!.path, "$TREE/efi/EFI/Linux/os-6.14+2.efi");
    assert.is(uki!.title, "OS UKI");
    assert.ok(readFileSync(path.join(tree, "efi/EFI/Linux/os-6.14+2.efi")).length > 30_000);
  },
};

const GRUBENV = "boot/grub/grubenv";

const addGrub: CrashScenario = {
  name: "add --loader grub --tries 3 (trial in the grubenv)",
  multiStep: true,
  setup: (tree, inputs) => {
    image(tree);
    kernelInputs(inputs);
    mkdirSync(path.join(tree, "boot/grub"), { recursive: true });
    const made = spawnSync("grub-editenv", [path.join(tree, GRUBENV), "create"]);
    assert.is(made.status, 0);
  },
  // Kernel only: the copies are covered above; here the grubenv step matters.
  args: (tree, inputs) => [...base(tree), "add", "--loader", "grub", "--tries", "3", "6.13", path.join(inputs, "vmlinuz")],
  view: async (tree) => `${await menuView(tree)}\n--- grubenv\n${await grubEditenvList(path.join(tree, GRUBENV))}`,
  // Documented order (actions/add-entry.ts withGrubTrial): the grubenv is written before the
  // entry appears, so the new grubenv with the old menu is a state a kill may leave.
  intermediateViews: (oldView, newView) => [`${oldView.split("\n--- grubenv\n")[0]}\n--- grubenv\n${newView.split("\n--- grubenv\n")[1]}`],
  checkNew(view) {
    const [menu, env] = view.split("\n--- grubenv\n") as [string, string];
    // GRUB reads no counter in file names: the entry is uncounted, the tries are in the grubenv
    // (grub/README.md: bootctl_trial / bootctl_tries / bootctl_fallback = the last good entry).
    const added = entries(menu).find((e) => e.id === "os-6.13.conf");
    assert.ok(added, menu);
    assert.is(added!.triesLeft, undefined);
    assert.is(env, "bootctl_trial=os-6.13\nbootctl_tries=3\nbootctl_fallback=os-6.12\n");
  },
};

const defaultLine = (view: string) => view.split("\n").find((l) => l.startsWith("title: ")) ?? "";

const addMakeDefault: CrashScenario = {
  name: "add --make-default on an image (entry, then loader.conf default)",
  multiStep: true,
  setup: (tree, inputs) => {
    image(tree);
    kernelInputs(inputs);
    writeFileSync(path.join(tree, "efi/loader/loader.conf"), "timeout 3\ndefault os-6.12.conf\n");
  },
  args: (tree, inputs) => [...base(tree), "add", "--loader", "systemd-boot", "--title", "OS 6.13", "--make-default", "6.13", path.join(inputs, "vmlinuz")],
  view: async (tree) => normalise(await bootctlList(path.join(tree, "efi"), { defaultMarker: true }), tree),
  // actions/add-entry.ts: the entry is written first, loader.conf may name it only after that;
  // in between the new menu has the old default.
  intermediateViews: (oldView, newView) => [newView.replace(defaultLine(newView), defaultLine(oldView))],
  checkNew: (view) => {
    assert.ok(entries(view).some((e) => e.id === "os-6.13.conf"), view);
    // bootctl takes the default from loader.conf: the new entry.
    assert.match(defaultLine(view), /^title: OS 6\.13 \(default\)/);
  },
};

/** Two kernels installed, as kernel-install lays them out. */
function twoKernels(tree: string): void {
  image(tree);
  mkdirSync(path.join(tree, "efi/os/6.11"), { recursive: true });
  writeFileSync(path.join(tree, "efi/os/6.11/linux"), "kernel 6.11\n");
  writeFileSync(path.join(tree, "efi/os/6.11/initrd"), "initrd 6.11\n");
  writeFileSync(path.join(tree, "efi/loader/entries/os-6.11+0-3.conf"), "title OS\nversion 6.11\nlinux /os/6.11/linux\ninitrd /os/6.11/initrd\n");
}

const onlyOs612 = (view: string) => {
  assert.equal(entries(view).map((e) => e.id), ["os-6.12.conf"]);
};

const remove: CrashScenario = {
  name: "remove 6.11 (entry, then its files and directory)",
  idempotent: false,
  multiStep: true,
  setup: (tree) => twoKernels(tree),
  args: (tree) => [...base(tree), "remove", "6.11"],
  view: menuView,
  checkNew: (view, tree) => {
    onlyOs612(view);
    assert.is(spawnSync("test", ["-e", path.join(tree, "efi/os/6.11")]).status, 1, "kernel-install remove deletes $BOOT/<token>/<version>");
  },
};

const unlink: CrashScenario = {
  name: "unlink os-6.11.conf (entry, then the files only it used)",
  // Once the entry is gone the id matches nothing: what completes an interrupted unlink is
  // `cleanup` (bootctl's answer too), which must reach exactly the state unlink reaches.
  recoveryArgs: (tree) => [...base(tree), "cleanup"],
  multiStep: true,
  setup: (tree) => twoKernels(tree),
  args: (tree) => [...base(tree), "unlink", "os-6.11.conf"],
  view: menuView,
  checkNew: (view, tree) => {
    onlyOs612(view);
    assert.is(spawnSync("test", ["-e", path.join(tree, "efi/os/6.11/linux")]).status, 1, "bootctl unlink removes the files only this entry used");
    assert.is(spawnSync("test", ["-e", path.join(tree, "efi/os/6.12/linux")]).status, 0);
  },
};

const cleanup: CrashScenario = {
  name: "cleanup (files under $BOOT/os/ no entry uses)",
  multiStep: true,
  setup: (tree) => {
    image(tree);
    mkdirSync(path.join(tree, "efi/os/6.10"), { recursive: true });
    writeFileSync(path.join(tree, "efi/os/6.10/linux"), "stale kernel\n");
    writeFileSync(path.join(tree, "efi/os/6.10/initrd"), "stale initrd\n");
  },
  args: (tree) => [...base(tree), "cleanup"],
  view: menuView,
  // bootctl reads no unreferenced file: its menu is the same before and after; the snapshots
  // (every file old or new, the next run converging) carry this scenario.
  viewUnchanged: true,
  checkNew: (view, tree) => {
    assert.equal(entries(view).map((e) => e.id), ["os-6.12.conf"]);
    assert.is(spawnSync("test", ["-e", path.join(tree, "efi/os/6.10/linux")]).status, 1);
  },
};

test("SIGKILL at every write-related system call of add (Type #1, UKI, GRUB trial, --make-default), remove, unlink and cleanup", async () => {
  for (const [t, p] of [["strace", "strace"], ["bootctl", "systemd-boot"], ["grub-editenv", "grub-common"], ["mount", "mount"]] as const) requireTool(t, p);
  const started = Date.now();
  const reports = await killEverywhere([addTries, addUki, addGrub, addMakeDefault, remove, unlink, cleanup]);
  for (const r of reports) console.log(`  ${formatReport(r)}`);
  console.log(`  add-crash: ${Date.now() - started} ms`);
  for (const r of reports) {
    assert.ok(r.kills >= 4, `${r.name}: only ${r.kills} kills`);
    assert.ok(r.outcomes.old > 0 && r.outcomes.new + r.outcomes.completed > 0, `${r.name}: ${JSON.stringify(r.outcomes)}`);
  }
});

test.run();
