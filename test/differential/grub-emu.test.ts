/**
 * Differential: what our evaluator says GRUB boots (model/grub-eval.ts) against real GRUB
 * 2.06 running the same grub.cfg in grub-emu, for every fixture and several grubenv states.
 *
 * Harness: test/support/grub-emu.ts (a FAT image with the fixture plus a final `set
 * timeout=0` as /boot/grub/grub.cfg and the grubenv written by grub-editenv; every entry GRUB
 * executes prints "Booting `TITLE'", submenus too: that list is the title path; environment
 * files are read back after the boot). In grub-emu `grub_platform` is `emu`; the evaluator is
 * told so.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "../../src/formats/grubcfg/parser.ts";
import { evaluateGrubScript } from "../../src/model/grub-eval.ts";
import { fixtures } from "../formats/grubcfg/generators.ts";
import { requireTool } from "../support/exec.ts";
import { GrubEmuDisk } from "../support/grub-emu.ts";
import { mapPool } from "../support/pool.ts";
import { withTempRoot } from "../support/tmp.ts";

const EMU_VARIABLES: Record<string, string> = { prefix: "(hd0)/boot/grub", root: "hd0", grub_platform: "emu", grub_cpu: "x86_64" };

type Env = Record<string, string>;
/** A grubenv state: the file at $prefix/grubenv (undefined = none) and other environment files by path on hd0. */
interface State { grubenv: Env | undefined; files?: Record<string, Env> }

const COMMON: Record<string, State> = {
  "missing": { grubenv: undefined },
  "fresh": { grubenv: {} },
  "next_entry=1": { grubenv: { next_entry: "1" } },
  "saved_entry by index path": { grubenv: { saved_entry: "1>1", next_entry: "" } },
};
const MENDER_DIR = "/grub-mender-grubenv";
function mender(env: Env): State {
  const lock = { editing: "0" };
  return { grubenv: {}, files: { [`${MENDER_DIR}/mender_grubenv1/env`]: env, [`${MENDER_DIR}/mender_grubenv1/lock`]: lock, [`${MENDER_DIR}/mender_grubenv2/env`]: env, [`${MENDER_DIR}/mender_grubenv2/lock`]: lock } };
}
/** Scheme-specific states per fixture family (file name prefix). */
const SPECIFIC: Record<string, Record<string, State>> = {
  "synthetic-header": {
    "one-shot into a submenu": { grubenv: { next_entry: "s>s>>2", saved_entry: "a" } },
    "saved submenu entry": { grubenv: { saved_entry: "s>s1" } },
  },
  "fedora": {
    "greenboot counter exhausted": { grubenv: { boot_counter: "0", boot_success: "0" } },
    "greenboot counting": { grubenv: { boot_counter: "2", boot_success: "0" } },
    "boot_success": { grubenv: { boot_success: "1", boot_indeterminate: "1", saved_entry: "x" } },
  },
  "rauc": {
    "rauc B first": { grubenv: { ORDER: "B A", A_OK: "1", B_OK: "1", A_TRY: "0", B_TRY: "0" } },
    "rauc A tried": { grubenv: { ORDER: "A B", A_OK: "1", B_OK: "1", A_TRY: "1", B_TRY: "0" } },
    "rauc both tried": { grubenv: { ORDER: "A B", A_OK: "1", B_OK: "1", A_TRY: "1", B_TRY: "1" } },
  },
  "snapd": {
    "snapd try": { grubenv: { kernel_status: "try" } },
    "snapd trying": { grubenv: { kernel_status: "trying" } },
  },
  "mender": {
    "mender upgrade, first try": mender({ upgrade_available: "1", bootcount: "0", mender_boot_part: "3" }),
    "mender upgrade, failed": mender({ upgrade_available: "1", bootcount: "1", mender_boot_part: "3" }),
  },
  "ubuntu": {
    "recordfail": { grubenv: { recordfail: "1", next_entry: "Advanced options for Ubuntu>Ubuntu, with Linux 5.15.0-100-generic (recovery mode)" } },
    "saved_entry by title path": { grubenv: { saved_entry: "Advanced options for Ubuntu>Ubuntu, with Linux 5.15.0-100-generic (recovery mode)" } },
  },
  "opensuse": {},
};

/** Fixtures that re-enter themselves through `configfile` or are fragments are left out. */
const SKIP = /efi-stub|fragment/;

function statesFor(name: string): Record<string, State> {
  const family = Object.keys(SPECIFIC).find((k) => name.startsWith(k));
  const specific = family ? SPECIFIC[family]! : {};
  // Mender sleeps 10 s on a missing environment: only its own states (which provide one).
  return family === "mender" ? specific : { ...COMMON, ...specific };
}

interface EmuResult { titles: string[]; files: Record<string, Env> }

function allFiles(state: State): Record<string, Env> {
  return { ...(state.grubenv ? { "/boot/grub/grubenv": state.grubenv } : {}), ...(state.files ?? {}) };
}

async function runEmu(dir: string, cfg: string, state: State): Promise<EmuResult> {
  const disk = new GrubEmuDisk(dir);
  disk.writeFile("/boot/grub/grub.cfg", cfg);
  for (const [imagePath, env] of Object.entries(allFiles(state))) disk.writeEnv(imagePath, env);
  const { titles } = await disk.boot();
  const files: Record<string, Env> = {};
  for (const imagePath of Object.keys(allFiles(state))) files[imagePath] = Object.fromEntries(disk.readEnv(imagePath));
  return { titles, files };
}

test("the evaluator boots what grub-emu boots and saves what it saves", async () => {
  for (const [tool, pkg] of [["grub-emu", "grub-emu"], ["grub-editenv", "grub-common"], ["mformat", "mtools"]] as const) requireTool(tool, pkg);
  const cases = fixtures().filter((f) => !SKIP.test(f.name)).flatMap((f) => Object.entries(statesFor(f.name)).map(([label, state]) => ({ f, label, state })));
  const failures: string[] = [];
  let booted = 0;
  await mapPool(cases, 2, async ({ f, label: stateLabel, state }) => {
    const cfg = f.text + (f.text.endsWith("\n") ? "" : "\n") + "set timeout=0\n";
    const real = await withTempRoot((dir) => runEmu(dir, cfg, state));
    const files = Object.fromEntries(Object.entries(state.files ?? {}).map(([p, e]) => [`(hd0)${p}`, new Map(Object.entries(e))]));
    const ours = evaluateGrubScript(parse(cfg), { grubenv: state.grubenv ? new Map(Object.entries(state.grubenv)) : undefined, files, variables: EMU_VARIABLES, emulator: true });
    const oursTitles = ours.chosen ? ours.chosen.titlePath : [];
    if (real.titles.length > 0) booted++;
    const label = `${f.name} [${stateLabel}]`;
    if (JSON.stringify(real.titles) !== JSON.stringify(oursTitles)) failures.push(`${label}: grub-emu booted ${JSON.stringify(real.titles)}, we say ${JSON.stringify(oursTitles)}`);
    for (const [imagePath, realEnv] of Object.entries(real.files)) {
      const oursEnv = Object.fromEntries(ours.files.get(`(hd0)${imagePath}`) ?? []);
      const sorted = (e: Env) => JSON.stringify(Object.entries(e).sort(([a], [b]) => (a < b ? -1 : 1)));
      if (sorted(realEnv) !== sorted(oursEnv)) failures.push(`${label}: ${imagePath} after boot ${JSON.stringify(realEnv)}, we say ${JSON.stringify(oursEnv)}`);
    }
  });
  assert.ok(booted > cases.length / 2, `grub-emu booted an entry in only ${booted} of ${cases.length} cases`);
  assert.equal(failures, []);
});

test.run();
