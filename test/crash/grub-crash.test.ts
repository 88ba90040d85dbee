/**
 * Issue 9 (faults), process level: `grub render --output FILE` (the BLS entries as GRUB
 * menuentries, written crash-safely) and `install-units` (the boot-success service, its units
 * and their enablement links under --root), killed with SIGKILL at every call of every
 * write-related system call (test/support/strace-kill.ts). The grub.cfg fragment is always the
 * old one or the new one and passes `grub-script-check`; systemd's `systemctl --root` sees the
 * units enabled or not, never a half-installed unit, and the next run completes the install.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { requireTool } from "../support/exec.ts";
import { formatReport, grubScriptCheck, killEverywhere, spawnCollect, type CrashScenario } from "../support/strace-kill.ts";

const CFG = "boot/grub/bls.cfg";

const render: CrashScenario = {
  name: "grub render --output (grub.cfg fragment replaced)",
  setup: (tree) => {
    const entries = path.join(tree, "efi/loader/entries");
    mkdirSync(entries, { recursive: true });
    mkdirSync(path.join(tree, "boot/grub"), { recursive: true });
    writeFileSync(path.join(entries, "os-6.12.conf"), "title OS 6.12\nversion 6.12\nlinux /os/6.12/linux\ninitrd /os/6.12/initrd\noptions root=/dev/vda2 quiet\n");
    writeFileSync(path.join(tree, CFG), "menuentry 'OS 6.11' --id os-6.11 {\n\tlinux /os/6.11/linux root=/dev/vda2\n}\n");
  },
  args: (tree) => ["--root", tree, "--esp-path", "/efi", "grub", "render", "--output", `/${CFG}`],
  // What GRUB reads: the file, and whether its script parser accepts it.
  view: async (tree) => `${await grubScriptCheck(path.join(tree, CFG))}\n${readFileSync(path.join(tree, CFG), "utf8")}`,
  checkNew: (view) => {
    assert.ok(view.startsWith("ok\n"), view);
    // One menuentry per BLS entry, id = the entry id without .conf (as blscfg/grub-mkconfig do).
    assert.match(view, /^menuentry .*--id='os-6\.12'.* 'OS 6\.12' \{$/m);
    assert.match(view, /^\tlinux '\/os\/6\.12\/linux' 'root=\/dev\/vda2' 'quiet'$/m);
    assert.match(view, /^\tinitrd '\/os\/6\.12\/initrd'$/m);
    assert.not.match(view, /6\.11/);
  },
};

const UNITS = ["bootctl-ts-health.service", "bootctl-ts-bless.service", "bootctl-ts-boot-failure.service"];

const installUnits: CrashScenario = {
  name: "install-units --root (service, units, enablement links)",
  multiStep: true,
  setup: (tree) => {
    mkdirSync(path.join(tree, "etc"), { recursive: true });
    // install-units refuses a root without the Node its units run.
    mkdirSync(path.join(tree, "usr/bin"), { recursive: true });
    writeFileSync(path.join(tree, "usr/bin/node"), "#!/bin/sh\n", { mode: 0o755 });
  },
  args: (tree) => ["--root", tree, "install-units"],
  // systemd's own reading of the unit files and links under the root, unit by unit.
  view: async (tree) => {
    const states: string[] = [];
    for (const unit of UNITS) {
      const r = await spawnCollect("systemctl", [`--root=${tree}`, "is-enabled", unit]);
      states.push(r.stdout.trim() || (/No such file or directory/.test(r.stderr) ? "not-found" : `error: ${r.stderr.trim()}`));
    }
    return states.join("\n") + "\n";
  },
  // Files first, links after them: between old and new each unit is missing, installed but not
  // yet linked (disabled), or linked; the failure unit has no [Install] section (static).
  intermediateViews: () => {
    const out: string[] = [];
    for (const a of ["not-found", "disabled", "enabled"]) for (const b of ["not-found", "disabled", "enabled"]) for (const c of ["not-found", "static"]) out.push(`${a}\n${b}\n${c}\n`);
    return out;
  },
  checkNew: (view, tree) => {
    // health: RequiredBy=boot-complete.target (enabled); bless: WantedBy (enabled); the failure
    // unit is started by OnFailure= only (static).
    assert.is(view, "enabled\nenabled\nstatic\n");
    assert.ok(readFileSync(path.join(tree, "usr/lib/bootctl-ts/service.cjs")).length > 1000);
  },
};

test("SIGKILL at every write-related system call of grub render --output and install-units", async () => {
  for (const [t, p] of [["strace", "strace"], ["grub-script-check", "grub-common"], ["systemctl", "systemd"]] as const) requireTool(t, p);
  const started = Date.now();
  const reports = await killEverywhere([render, installUnits]);
  for (const r of reports) console.log(`  ${formatReport(r)}`);
  console.log(`  grub-crash: ${Date.now() - started} ms`);
  for (const r of reports) {
    assert.ok(r.kills >= 4, `${r.name}: only ${r.kills} kills`);
    assert.ok(r.outcomes.old > 0 && r.outcomes.new + r.outcomes.completed > 0, `${r.name}: ${JSON.stringify(r.outcomes)}`);
  }
});

test.run();
