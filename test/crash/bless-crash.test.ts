/**
 * Issue 9 (faults), process level: `bless-boot good|bad` through the real CLI, killed with
 * SIGKILL at every call of every write-related system call (test/support/strace-kill.ts).
 * - systemd-boot: the booted entry (LoaderBootCountPath in an efivarfs-format directory) is
 *   renamed to its good or bad name in one rename(2); systemd 252's `bootctl list` reads the
 *   old name or the new one, never both or neither.
 * - GRUB (grubenv counting, no LoaderBootCountPath): the grubenv is replaced atomically;
 *   `grub-editenv list` reads the old block or the new one.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { requireTool } from "../support/exec.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { bootctlList, formatReport, grubEditenvList, killEverywhere, normalise, type CrashScenario } from "../support/strace-kill.ts";

function entries(view: string): Record<string, unknown>[] {
  return view.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The ESP of a system booted into os-6.12+1-1.conf (one try used, one left), 6.11 the last good one. */
function booted(tree: string, inputs: string): void {
  const dir = path.join(tree, "efi/loader/entries");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "os-6.12+1-1.conf"), "title OS 6.12\nversion 6.12\nlinux /os/6.12/linux\n");
  writeFileSync(path.join(dir, "os-6.11.conf"), "title OS 6.11\nversion 6.11\nlinux /os/6.11/linux\n");
  mkdirSync(path.join(inputs, "efivars"));
  writeLoaderString(path.join(inputs, "efivars"), "LoaderBootCountPath", "\\loader\\entries\\os-6.12+1-1.conf");
}

const sdArgs = (verb: string) => (tree: string, inputs: string) => ["--root", tree, "--esp-path", "/efi", "--efivars-path", path.join(inputs, "efivars"), "bless-boot", verb];
const sdView = async (tree: string) => normalise(await bootctlList(path.join(tree, "efi")), tree);

const sdGood: CrashScenario = {
  name: "bless-boot good (systemd-boot: rename to the uncounted name)",
  setup: booted,
  args: sdArgs("good"),
  view: sdView,
  checkNew(view) {
    // systemd-bless-boot good: the counter is dropped from the name; bootctl then shows no tries.
    const e = entries(view).find((x) => x.id === "os-6.12.conf");
    assert.ok(e, view);
    assert.is(e!.path, "$TREE/efi/loader/entries/os-6.12.conf");
    assert.is(e!.triesLeft, undefined);
  },
};

const sdBad: CrashScenario = {
  name: "bless-boot bad (systemd-boot: rename to +0-DONE)",
  setup: booted,
  args: sdArgs("bad"),
  view: sdView,
  checkNew(view) {
    // systemd-bless-boot bad (bless-boot.c): +LEFT-DONE becomes +0-DONE, the tries left set to zero.
    const e = entries(view).find((x) => x.id === "os-6.12.conf");
    assert.ok(e, view);
    assert.is(e!.path, "$TREE/efi/loader/entries/os-6.12+0-1.conf");
    assert.is(e!.triesLeft, 0);
    assert.is(e!.triesDone, 1);
  },
};

const GRUBENV = "boot/grub/grubenv";

/** GRUB booted the trial entry (bootctl_booted = bootctl_trial), greenboot's counter beside it. */
function grubBooted(tree: string, inputs: string): void {
  mkdirSync(path.join(tree, "boot/grub"), { recursive: true });
  const file = path.join(tree, GRUBENV);
  for (const args of [["create"], ["set", "saved_entry=os-6.11", "bootctl_trial=os-6.12", "bootctl_tries=1", "bootctl_fallback=os-6.11", "bootctl_booted=os-6.12"]]) {
    assert.is(spawnSync("grub-editenv", [file, ...args]).status, 0);
  }
  mkdirSync(path.join(inputs, "efivars")); // booted by GRUB: no LoaderBootCountPath
  mkdirSync(path.join(tree, "efi"));
}

const grubArgs = (verb: string) => (tree: string, inputs: string) => ["--root", tree, "--esp-path", "/efi", "--efivars-path", path.join(inputs, "efivars"), "bless-boot", verb];
const grubView = (tree: string) => grubEditenvList(path.join(tree, GRUBENV));

const grubGood: CrashScenario = {
  name: "bless-boot good (GRUB: trial ends in the grubenv)",
  setup: grubBooted,
  args: grubArgs("good"),
  view: grubView,
  // grub/README.md: good makes the trial the saved default and ends the trial; bootctl_state
  // describes the current boot.
  checkNew: (view) => assert.is(view, "saved_entry=os-6.12\nbootctl_booted=os-6.12\nbootctl_state=good\n"),
};

const grubBad: CrashScenario = {
  name: "bless-boot bad (GRUB: no tries left, fallback next)",
  setup: grubBooted,
  args: grubArgs("bad"),
  view: grubView,
  checkNew: (view) => assert.is(view, "saved_entry=os-6.11\nbootctl_trial=os-6.12\nbootctl_tries=0\nbootctl_fallback=os-6.11\nbootctl_booted=os-6.12\nbootctl_state=bad\n"),
};

test("SIGKILL at every write-related system call of bless-boot good|bad (systemd-boot and GRUB)", async () => {
  for (const [t, p] of [["strace", "strace"], ["bootctl", "systemd-boot"], ["grub-editenv", "grub-common"], ["mount", "mount"]] as const) requireTool(t, p);
  const started = Date.now();
  const reports = await killEverywhere([sdGood, sdBad, grubGood, grubBad]);
  for (const r of reports) console.log(`  ${formatReport(r)}`);
  console.log(`  bless-crash: ${Date.now() - started} ms`);
  for (const r of reports) {
    assert.ok(r.kills >= 3, `${r.name}: only ${r.kills} kills`);
    assert.ok(r.outcomes.old > 0 && r.outcomes.new > 0, `${r.name}: ${JSON.stringify(r.outcomes)}`);
    assert.is(r.outcomes.intermediate, 0, r.name);
  }
});

test.run();
