/**
 * Issue 9 (faults), process level: the `efi` verbs (efibootmgr's -n, -N, -o, -B, -a, -A, -c)
 * through the real CLI on an efivarfs-format directory, killed with SIGKILL at every call of
 * every write-related system call (test/support/strace-kill.ts). Each variable is replaced or
 * removed in one step; `efibootmgr -v` (libefivar, EFIVARFS_PATH) reads the old variables or the
 * new ones. delete and create change two variables, in efibootmgr's order; the state between is
 * the one efibootmgr itself leaves when interrupted, and it is allowed explicitly below. The same
 * verb run again finishes an interrupted delete.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { requireTool } from "../support/exec.ts";
import { efibootmgrV, formatReport, killEverywhere, type CrashScenario } from "../support/strace-kill.ts";

const FIXTURE = new URL("../../fixtures/efivars/ovmf-after-boot", import.meta.url).pathname;
const GLOBAL = "8be4df61-93ca-11d2-aa0d-00e098032b8c";
const ESP_GUID = "5b3c8e2a-0d64-4a8e-9f53-7c1e2d9a4b61";

function vars(tree: string): void {
  cpSync(FIXTURE, path.join(tree, "vars"), { recursive: true });
  // Boot0002 inactive (LOAD_OPTION_ACTIVE, bit 0 of the load option's attributes, cleared), so
  // that set-active has something to do. efivarfs file: u32 variable attributes, then the data.
  const file = path.join(tree, "vars", `Boot0002-${GLOBAL}`);
  const bytes = readFileSync(file);
  bytes.writeUInt32LE(bytes.readUInt32LE(4) & ~1, 4);
  writeFileSync(file, bytes);
}

const efi = (...args: string[]) => (tree: string, inputs: string) => ["--efivars-path", path.join(tree, "vars"), "efi", ...args.map((a) => a.replace("$IN", inputs))];
const view = (tree: string) => efibootmgrV(path.join(tree, "vars"));
const line = (text: string, start: string) => text.split("\n").find((l) => l.startsWith(start));
const withoutLine = (text: string, start: string) => text.split("\n").filter((l) => !l.startsWith(start)).join("\n");

function scenario(name: string, args: string[], checkNew: (view: string) => void, extra: Partial<CrashScenario> = {}): CrashScenario {
  return { name, setup: vars, args: efi(...args), view, checkNew, ...extra };
}

const scenarios: CrashScenario[] = [
  scenario("efi set-next 3 (BootNext replaced)", ["set-next", "3"], (v) => assert.is(line(v, "BootNext:"), "BootNext: 0003")),
  scenario("efi clear-next (BootNext deleted)", ["clear-next"], (v) => assert.is(line(v, "BootNext"), undefined)),
  scenario("efi set-order 3,0,1 (BootOrder replaced)", ["set-order", "3,0,1"], (v) => assert.is(line(v, "BootOrder:"), "BootOrder: 0003,0000,0001")),
  scenario("efi set-inactive 1 (Boot0001 rewritten)", ["set-inactive", "1"], (v) => assert.match(v, /^Boot0001 {2}UEFI QEMU DVD-ROM/m)),
  scenario("efi set-active 2 (Boot0002 rewritten)", ["set-active", "2"], (v) => assert.match(v, /^Boot0002\* UEFI Misc Device/m)),
  scenario("efi delete 1 (Boot0001 deleted, then BootOrder; BootNext kept)", ["delete", "1"], (v) => {
    assert.is(line(v, "Boot0001"), undefined);
    assert.is(line(v, "BootOrder:"), "BootOrder: 0000,0002,0003");
    // The fixture's BootNext is 0001: kept, as efibootmgr -b 1 -B keeps it (the firmware drops a
    // BootNext naming a missing option at the next boot, UEFI 2.10 §3.1.2).
    assert.is(line(v, "BootNext:"), "BootNext: 0001");
  }, {
    multiStep: true,
    // efibootmgr -B deletes the option, then rewrites BootOrder: in between, BootOrder still
    // names 0001 (firmware skips a missing option). Re-running `efi delete 1` there finishes the
    // job (ops/efi-boot-manager.ts planBootOptionDeletion; efibootmgr -B refuses: "Could not
    // delete variable") and reaches exactly the new state, BootNext still 0001; its BootOrder
    // write also removes a temp of BootOrder the kill left.
    intermediateViews: (oldView) => [withoutLine(oldView, "Boot0001")],
  }),
  scenario("efi create (Boot0004 from the GPT, first in BootOrder)", ["create", "--disk", "$IN/disk.img", "--part", "1", "--loader", "\\EFI\\os\\shimx64.efi", "--label", "OS"], (v) => {
    // efibootmgr -c: the lowest free number, HD(part, GPT, partition GUID, start, size)/File(loader).
    assert.is(line(v, "Boot0004"), `Boot0004* OS\tHD(1,GPT,${ESP_GUID},0x800,0x2000)/File(\\EFI\\os\\shimx64.efi)`);
    assert.is(line(v, "BootOrder:"), "BootOrder: 0004,0000,0001,0002,0003");
  }, {
    setup: (tree, inputs) => {
      vars(tree);
      const disk = path.join(inputs, "disk.img");
      writeFileSync(disk, Buffer.alloc(0));
      assert.is(spawnSync("truncate", ["-s", "8M", disk]).status, 0);
      const r = spawnSync("sgdisk", ["-n", "1:2048:+4M", "-t", "1:ef00", "-u", `1:${ESP_GUID}`, disk], { encoding: "utf8" });
      assert.is(r.status, 0, r.stderr);
    },
    multiStep: true,
    // The option is written before BootOrder names it (efibootmgr's order): in between it exists
    // unlisted. A second create picks the next free number, like efibootmgr -c.
    intermediateViews: (oldView, newView) => [withoutLine(newView, "BootOrder:").replace(/^(Timeout:.*)$/m, `$1\n${line(oldView, "BootOrder:")}`)],
    rerunConverges: false,
  }),
];

test("SIGKILL at every write-related system call of the efi verbs (efibootmgr -v reads old or new)", async () => {
  for (const [t, p] of [["strace", "strace"], ["efibootmgr", "efibootmgr"], ["sgdisk", "gdisk"]] as const) requireTool(t, p);
  const started = Date.now();
  const reports = await killEverywhere(scenarios);
  for (const r of reports) console.log(`  ${formatReport(r)}`);
  console.log(`  efi-crash: ${Date.now() - started} ms`);
  for (const r of reports) {
    assert.ok(r.kills >= 2, `${r.name}: only ${r.kills} kills`);
    assert.ok(r.outcomes.old > 0 && r.outcomes.new + r.outcomes.completed > 0, `${r.name}: ${JSON.stringify(r.outcomes)}`);
  }
});

test.run();
