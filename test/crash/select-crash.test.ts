/**
 * Issue 9 (faults), process level: `set-default`, `set-oneshot`, `set-timeout` (and so
 * `set-timeout-oneshot`, the same write of another variable) through the real CLI, killed with SIGKILL at every call of every
 * write-related system call (test/support/strace-kill.ts):
 * - systemd-boot with an efivarfs-format directory (--efivars-path): each Boot Loader Interface
 *   variable is replaced atomically; libefivar's `efivar -p` reads the old value or the new one;
 * - systemd-boot on an image (no EFI variables): loader.conf's `default`, which systemd 252's
 *   `bootctl list` follows;
 * - GRUB: saved_entry / next_entry in the grubenv, read back with `grub-editenv list`.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_ATTRIBUTES, efivarFileName, encodeEfivarfsFile } from "../../src/formats/efi/efivarfs-file.ts";
import { LOADER_VENDOR_GUID } from "../../src/formats/efi/guids.ts";
import { requireTool } from "../support/exec.ts";
import { writeLoaderString } from "../support/efivars.ts";
import {
  bootctlList, efivarDumpBytes, efivarPrint, formatReport, grubEditenvList, killEverywhere, normalise, type CrashScenario,
} from "../support/strace-kill.ts";

function esp(tree: string): void {
  const dir = path.join(tree, "efi/loader/entries");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "os-6.12.conf"), "title OS 6.12\nversion 6.12\nlinux /os/6.12/linux\n");
  writeFileSync(path.join(dir, "os-6.11.conf"), "title OS 6.11\nversion 6.11\nlinux /os/6.11/linux\n");
}

/** A running systemd-boot: LoaderInfo, a default and a timeout already set. */
function sdBoot(tree: string): void {
  esp(tree);
  const vars = path.join(tree, "efivars");
  mkdirSync(vars);
  writeLoaderString(vars, "LoaderInfo", "systemd-boot 252");
  // systemd-boot 252's LoaderFeatures (src/boot/efi/boot.c): config timeout (one-shot), entry
  // default and one-shot, boot counting, XBOOTLDR, random seed: bits 0–6.
  const features = Buffer.alloc(8);
  features.writeBigUInt64LE(0x7fn);
  writeFileSync(path.join(vars, efivarFileName("LoaderFeatures", LOADER_VENDOR_GUID)), encodeEfivarfsFile({ attributes: DEFAULT_ATTRIBUTES, data: features }));
  writeLoaderString(vars, "LoaderEntryDefault", "os-6.12.conf");
  writeLoaderString(vars, "LoaderConfigTimeout", "3");
}

const sdArgs = (...verb: string[]) => (tree: string) => ["--root", tree, "--esp-path", "/efi", "--efivars-path", path.join(tree, "efivars"), ...verb];
const variable = (name: string) => (tree: string) => efivarPrint(path.join(tree, "efivars"), LOADER_VENDOR_GUID, name);

/** The Boot Loader Interface: NV|BS|RT, UTF-16LE text with a terminating NUL. */
function expectUcs2(view: string, value: string): void {
  assert.match(view, /Non-Volatile\n\s*Boot Service Access\n\s*Runtime Service Access/);
  assert.equal(efivarDumpBytes(view), Buffer.from(`${value}\0`, "utf16le"));
}

const setDefault: CrashScenario = {
  name: "set-default (LoaderEntryDefault replaced)",
  setup: sdBoot,
  args: sdArgs("set-default", "os-6.11.conf"),
  view: variable("LoaderEntryDefault"),
  checkNew: (view) => expectUcs2(view, "os-6.11.conf"),
};

const setOneshot: CrashScenario = {
  name: "set-oneshot (LoaderEntryOneShot created)",
  setup: sdBoot,
  args: sdArgs("set-oneshot", "os-6.11.conf"),
  view: variable("LoaderEntryOneShot"),
  checkNew: (view) => expectUcs2(view, "os-6.11.conf"),
};

const unsetDefault: CrashScenario = {
  name: "set-default '' (LoaderEntryDefault removed)",
  setup: sdBoot,
  args: sdArgs("set-default", ""),
  view: variable("LoaderEntryDefault"),
  checkNew: (view) => assert.is(view, "LoaderEntryDefault: absent"),
};

const setTimeout: CrashScenario = {
  name: "set-timeout 7 (LoaderConfigTimeout replaced)",
  setup: sdBoot,
  args: sdArgs("set-timeout", "7"),
  view: variable("LoaderConfigTimeout"),
  checkNew: (view) => expectUcs2(view, "7"),
};

const loaderConf: CrashScenario = {
  name: "set-default on an image (loader.conf default)",
  setup: (tree) => {
    esp(tree);
    writeFileSync(path.join(tree, "efi/loader/loader.conf"), "timeout 3\ndefault os-6.12.conf\n");
  },
  args: (tree) => ["--root", tree, "--esp-path", "/efi", "set-default", "--loader", "systemd-boot", "os-6.11.conf"],
  view: async (tree) => normalise(await bootctlList(path.join(tree, "efi"), { defaultMarker: true }), tree),
  // bootctl (systemd 252) takes the default from loader.conf and marks it "(default)".
  checkNew: (view) => assert.match(view, /^title: OS 6\.11 \(default\)/m),
};

const GRUBENV = "boot/grub/grubenv";

function grub(tree: string): void {
  mkdirSync(path.join(tree, "boot/grub"), { recursive: true });
  for (const args of [["create"], ["set", "saved_entry=os-6.12"]]) assert.is(spawnSync("grub-editenv", [path.join(tree, GRUBENV), ...args]).status, 0);
}

const grubArgs = (...verb: string[]) => (tree: string) => ["--root", tree, "--esp-path", "/efi", verb[0]!, "--loader", "grub", ...verb.slice(1)];
const grubView = (tree: string) => grubEditenvList(path.join(tree, GRUBENV));

const grubDefault: CrashScenario = {
  name: "set-default on GRUB (saved_entry, like grub-set-default)",
  setup: grub,
  args: grubArgs("set-default", "os-6.11"),
  view: grubView,
  checkNew: (view) => assert.is(view, "saved_entry=os-6.11\n"),
};

const grubOneshot: CrashScenario = {
  name: "set-oneshot on GRUB (next_entry, like grub-reboot)",
  setup: grub,
  args: grubArgs("set-oneshot", "os-6.11"),
  view: grubView,
  checkNew: (view) => assert.is(view, "saved_entry=os-6.12\nnext_entry=os-6.11\n"),
};

test("SIGKILL at every write-related system call of set-default, set-oneshot, set-timeout", async () => {
  for (const [t, p] of [["strace", "strace"], ["bootctl", "systemd-boot"], ["grub-editenv", "grub-common"], ["efivar", "efivar"], ["mount", "mount"]] as const) requireTool(t, p);
  const started = Date.now();
  const reports = await killEverywhere([setDefault, setOneshot, unsetDefault, setTimeout, loaderConf, grubDefault, grubOneshot]);
  for (const r of reports) console.log(`  ${formatReport(r)}`);
  console.log(`  select-crash: ${Date.now() - started} ms`);
  for (const r of reports) {
    assert.ok(r.kills >= 2, `${r.name}: only ${r.kills} kills`);
    assert.ok(r.outcomes.old > 0 && r.outcomes.new + r.outcomes.completed > 0, `${r.name}: ${JSON.stringify(r.outcomes)}`);
    assert.is(r.outcomes.intermediate, 0, r.name);
  }
});

test.run();
