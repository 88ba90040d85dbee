/**
 * Issue 8 #9 (GRUB) and #10: the power is cut while bootctl-ts rewrites the grubenv in the guest.
 * The real CLI runs with the power-cut hook preloaded (guest/powercut-hook.cjs): at the chosen
 * file-system call on a path containing "grubenv" it prints FROZEN and blocks, and the host kills
 * QEMU (SIGKILL: no unmount, no sync, no flush). The cut point of each boot is written to the ESP
 * by the host before that boot (CUT_FILE). bootctl-ts replaces the block by temp file + fsync +
 * rename + directory fsync (src/adapters/grubenv-file.ts), so the cuts are
 *
 *   after:write:1:grubenv    the temp file `.#grubenv.….bootctl-tmp` was written, not yet synced
 *                            nor renamed → the old block, exactly
 *   after:rename:1:grubenv   the rename returned, the directory was not synced → old or new block
 *   none                     the verb ran to its end, then the guest froze without unmounting or
 *                            syncing → the new block (what the verb reported done is on the disk)
 *
 * After every cut the next boot must still reach a good entry, and GRUB must read the block as the
 * old or the new variables, never anything else: the host reads it back with mtools and the real
 * `grub-editenv FILE list` (a 1024-byte block it accepts), and GRUB's own choice is seen in its
 * markers (GRUB_DEFAULT, GRUB_TRIES) at the next boot. Before every boot the host reads the ESP
 * back and runs `bootctl-ts predict --json --loader grub` on it (issue 8 #10): the entry it
 * predicts first is the entry the next boot reports.
 *
 * Expected variables come from the contract (grub/README.md: marking a trial good makes it
 * `saved_entry`, removes bootctl_trial/tries/fallback, sets bootctl_state=good, which GRUB clears
 * at the next boot; set-default writes `saved_entry` as grub-set-default does) and from GRUB
 * (00_header boots `saved_entry`, or the first entry when it is unset; with a trial the counting
 * fragment makes the fallback the default, the trial's own menu entry takes over and saves
 * bootctl_tries − 1 and bootctl_booted before its kernel runs; any entry that runs records itself
 * in bootctl_booted).
 *
 * - grub-9-powercut-bless: `bless-boot good` on a trial (`add --loader grub --tries 3`).
 * - grub-9-powercut-set-default: `set-default test-1.0` with no saved_entry yet.
 * - grub-9-powercut-add: `add --loader grub --tries 2` of a new kernel in the guest, followed (when
 *   it returned) by what a distribution's kernel hook runs next, update-grub (grub-mkconfig: the
 *   menu rendered by `bootctl-ts grub render` into grub.cfg.new, then mv). add copies the kernel
 *   and initrd (temp + rename each), then writes the grubenv (the trial: bootctl_trial,
 *   bootctl_tries, bootctl_fallback = saved_entry) and then the BLS entry, each by temp file +
 *   fsync + rename + directory fsync. The cuts:
 *     after:rename:1:grubenv         the trial's rename returned, not yet synced → old or trial block;
 *                                    no entry, grub.cfg old
 *     after:rename:1:loader/entries  the entry's rename returned → the trial block (synced before),
 *                                    entry old or new, grub.cfg old
 *     none                           add returned, update-grub ran, then the power was cut → all new
 *   (the kernel copy, cut in sd-9-powercut-add, goes through the same durable-fs code). A trial
 *   whose menu entry GRUB does not have yet (grub.cfg not yet regenerated) is a state GRUB itself
 *   resolves (grub/README.md): the fragment makes the fallback (= saved_entry, test-1.0) the
 *   default and names the trial in bootctl_pick, but only the trial's own menu entry could make
 *   it the default, so GRUB boots test-1.0 — not the menu's entry 0, test-2.0 here, which is what
 *   an unknown `default` would give (normal/menu.c) and what earlier versions booted. No try is
 *   used; test-1.0's entry records itself in bootctl_booted, and `bless-boot good`, run in every
 *   boot of the base entry before add, must refuse (exit 1, nothing written): the trial never
 *   booted. So "old or new" is, for what boots: the old default until update-grub ran, the
 *   trial after it, and only a boot of the trial may be marked (boot 4 marks it good). predict,
 *   which runs grub.cfg through its evaluator, names the entry that boots; it reports such a boot
 *   uncounted, so its tries are compared only where the predicted boot is the trial's.
 */
import { join } from "node:path";
import { mkdir, writeFile } from "node:fs/promises";
import { CUT_FILE, guestCmdline, guestScriptPath } from "../lib/guest-init.ts";
import { guestRun, runJson } from "../lib/guest-runs.ts";
import type { EspImage } from "../lib/disk.ts";
import { GRUB_ESP_DIR, diskGrubenv, grubBootView, grubCfgHead, grubCfgTail, installGrubBls, menuIds, writeGrubCfg, type GrubBootView } from "../lib/grub-bls.ts";
import { EspTree } from "../lib/host-bootctl.ts";
import { markerValue, type BootResult, type Machine } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";
import { entryFiles } from "../lib/sdboot.ts";

const CUT = { stopOnMarker: (m: { key: string }) => m.key === "FROZEN", stopSignal: "SIGKILL" as const };

type Env = Record<string, string>;

/** The block's variables in name order (the comparison is about the set, not the order in the block). */
function sorted(env: Env): Env {
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The grubenv on the disk (mtools + `grub-editenv FILE list`), logged. */
async function grubenvAfter(ctx: ScenarioContext, esp: EspImage, label: string): Promise<Env> {
  const env = await diskGrubenv(esp);
  await ctx.observed(`grubenv after ${label}`, env);
  await ctx.observed(`${GRUB_ESP_DIR} after ${label}`, (await esp.list(`/${GRUB_ESP_DIR}`)).join(" "));
  return sorted(env);
}

/** Index of `actual` in [old, new]; fails when it is neither. */
function oldOrNew(ctx: ScenarioContext, actual: Env, oldEnv: Env, newEnv: Env, what: string): 0 | 1 {
  const a = JSON.stringify(actual);
  if (a === JSON.stringify(sorted(oldEnv))) return 0;
  if (a === JSON.stringify(sorted(newEnv))) return 1;
  ctx.expect(false, `${what}: grubenv ${a} is neither the old ${JSON.stringify(sorted(oldEnv))} nor the new ${JSON.stringify(sorted(newEnv))} block`);
}

/** Index of `actual` in `allowed` ([old, new]); fails when it is neither. */
function oneOf(ctx: ScenarioContext, actual: string[], allowed: string[][], what: string): number {
  const i = allowed.findIndex((a) => JSON.stringify(a) === JSON.stringify(actual));
  ctx.expect(i >= 0, `${what}: ${JSON.stringify(actual)} is neither the old ${JSON.stringify(allowed[0])} nor the new ${JSON.stringify(allowed[1])} state`);
  return i;
}

/** What predict says of the next boot: the entry, and GRUB's bootctl_tries after it ("" uncounted). */
interface NextBoot {
  id: string;
  tries: string;
}

/**
 * `bootctl-ts predict --json --loader grub` on what the disk holds now (read back into the
 * staging tree, whose /boot/grub link leads to EFI/BOOT; no `esp` before the first boot, when the
 * tree was just written to the disk): its first attempt is the next boot.
 */
async function predictNext(ctx: ScenarioContext, tree: EspTree, esp: EspImage | undefined): Promise<NextBoot> {
  if (esp !== undefined) await tree.readBack(esp);
  const prediction = await tree.predict({ loader: "grub" });
  const first = prediction.attempts[0];
  ctx.expect(first !== undefined, `predict foresaw no boot: ${prediction.summary}`);
  return { id: first.id, tries: first.tries === undefined ? "" : String(first.tries.left) };
}

/** One boot with the cut point `spec`; checks the guest reached the cut and the power was cut there. */
async function cutBoot(ctx: ScenarioContext, machine: Machine, esp: EspImage, spec: string): Promise<BootResult> {
  await esp.writeFile(CUT_FILE, spec);
  const result = await machine.boot(CUT);
  ctx.noteBoot(result, `${markerValue(result, "BOOTED") ?? "?"}(${markerValue(result, "GRUB_TRIES") ?? "?"})`);
  await ctx.observed(`${result.label}: cut ${spec}, frozen at`, markerValue(result, "FROZEN") ?? "(never frozen)");
  ctx.expect(!result.shell && !result.timedOut, `${result.label}: the boot did not reach the cut (see ${result.consoleLog})`);
  ctx.expectEqual(markerValue(result, "CUT_SPEC"), spec, `${result.label}: cut point the guest read`);
  ctx.expect(result.stoppedOnMarker && result.signal === "SIGKILL", `${result.label}: the power was not cut at FROZEN (${result.signal ?? result.exitCode})`);
  if (spec !== "none") {
    const frozen = markerValue(result, "FROZEN") ?? "";
    const [when, op, , match] = spec.split(":");
    ctx.expect(frozen.startsWith(`${when} ${op} `) && frozen.includes(match ?? ""), `${result.label}: frozen at ${JSON.stringify(frozen)}, not at ${spec}`);
  }
  return result;
}

/** A boot GRUB made: its choice and counter, and the prediction made from the disk before it. */
function expectBoot(ctx: ScenarioContext, result: BootResult, view: GrubBootView, predicted: NextBoot, what: string): void {
  ctx.expectEqual(grubBootView(result), view, `${result.label}: GRUB's choice and counter (${what})`);
  const observed: NextBoot = { id: markerValue(result, "BOOTED") ?? "?", tries: markerValue(result, "GRUB_TRIES") ?? "?" };
  ctx.expectEqual(observed, predicted, `${result.label}: booted entry and tries left vs bootctl-ts predict --loader grub on the disk before it (issue 8 #10)`);
}

async function grubTree(ctx: ScenarioContext): Promise<EspTree> {
  const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
  await installGrubBls(tree, await ctx.assets.grubEfi());
  await mkdir(join(tree.esp, "bootctl-test"), { recursive: true });
  await writeFile(join(tree.esp, ...CUT_FILE.split("/").filter(Boolean)), "none\n");
  return tree;
}

const bless: Scenario = {
  name: "grub-9-powercut-bless",
  title: "GRUB: power cut while `bless-boot good` rewrites the grubenv in the guest → the next boot works, GRUB reads the old or the new block",
  loader: "grub",
  budgetMs: 40_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await grubTree(ctx);
    await tree.add({ version: "1.0", title: "Old", loader: "grub", kernel: vmlinuz, initrd, options: guestCmdline("test-1.0", ["poweroff"]) });
    await tree.cli(["--quiet", "set-default", "--loader", "grub", "test-1.0"]);
    await tree.add({
      version: "2.0", title: "New", loader: "grub", tries: 3, kernel: vmlinuz, initrd,
      options: guestCmdline("test-2.0", [{ clicut: ["bless-boot", "good"] }, "freeze"]),
    });
    await writeGrubCfg(tree, ctx.dir);
    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });
    /** The trial's block after GRUB counted a boot with `tries` left (grub/README.md). */
    const trial = (tries: string): Env => ({
      saved_entry: "test-1.0", bootctl_trial: "test-2.0", bootctl_tries: tries, bootctl_fallback: "test-1.0", bootctl_booted: "test-2.0",
    });
    const GOOD: Env = { saved_entry: "test-2.0", bootctl_booted: "test-2.0", bootctl_state: "good" };

    // Boot 1: GRUB counts 3 → 2; the cut comes after the temp file's write: the old block, exactly.
    const p1 = await predictNext(ctx, tree, undefined);
    const b1 = await cutBoot(ctx, machine, esp, "after:write:1:grubenv");
    expectBoot(ctx, b1, { grubDefault: "test-2.0", tries: "2", once: "", booted: "test-2.0" }, p1, "the trial, counted");
    ctx.expectEqual(await grubenvAfter(ctx, esp, b1.label), sorted(trial("2")), "after a cut behind the temp file's write: the old block");

    // Boot 2: GRUB read the old block (2 → 1); the cut comes right after the rename.
    const p2 = await predictNext(ctx, tree, esp);
    const b2 = await cutBoot(ctx, machine, esp, "after:rename:1:grubenv");
    expectBoot(ctx, b2, { grubDefault: "test-2.0", tries: "1", once: "", booted: "test-2.0" }, p2, "GRUB read the old block and counted on");
    const state2 = oldOrNew(ctx, await grubenvAfter(ctx, esp, b2.label), trial("1"), GOOD, "after a cut right after the rename");
    await ctx.log(`  the unsynced rename ${state2 === 0 ? "was lost (old block)" : "survived (new block)"}`);

    // Boot 3: the verb runs to its end, then the power is cut.
    const p3 = await predictNext(ctx, tree, esp);
    const b3 = await cutBoot(ctx, machine, esp, "none");
    const run3 = guestRun(b3, ["bless-boot", "good"]);
    if (state2 === 0) {
      // Old block: the trial's last try (1 → 0, not yet out of tries); marking good ends counting.
      expectBoot(ctx, b3, { grubDefault: "test-2.0", tries: "0", once: "", booted: "test-2.0" }, p3, "the trial's last try");
      ctx.expectEqual(run3?.status, 0, `${b3.label}: bless-boot good exit status`);
      ctx.expectEqual(await grubenvAfter(ctx, esp, b3.label), sorted(GOOD), "after bless-boot good returned and the power was cut: the new block");
    } else {
      // New block: GRUB cleared bootctl_state and boots saved_entry uncounted; nothing to mark.
      expectBoot(ctx, b3, { grubDefault: "test-2.0", tries: "", once: "", booted: "test-2.0" }, p3, "saved_entry = the blessed trial, uncounted");
      ctx.expectEqual(run3?.status, 1, `${b3.label}: bless-boot good on an uncounted boot fails (E_NOT_COUNTING)`);
      ctx.expectEqual(await grubenvAfter(ctx, esp, b3.label), sorted({ saved_entry: "test-2.0", bootctl_booted: "test-2.0", bootctl_state: "" }),
        "after the uncounted boot: GRUB cleared the mark, bless-boot changed nothing");
    }
    // The temp files the cuts left are not boot state; the completed write removed them.
    if (state2 === 0) {
      const left = (await esp.list(`/${GRUB_ESP_DIR}`)).filter((n) => n.endsWith(".bootctl-tmp"));
      ctx.expectEqual(left, [], "temp files of the grubenv after a completed bless-boot good");
    }
  },
};

const setDefault: Scenario = {
  name: "grub-9-powercut-set-default",
  title: "GRUB: power cut while `set-default` rewrites the grubenv in the guest → the next boot uses the old or the new saved_entry",
  loader: "grub",
  budgetMs: 45_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await grubTree(ctx);
    await tree.add({ version: "1.0", title: "Target", loader: "grub", kernel: vmlinuz, initrd, options: guestCmdline("test-1.0", ["poweroff"]) });
    await tree.add({
      version: "2.0", title: "First", loader: "grub", kernel: vmlinuz, initrd,
      options: guestCmdline("test-2.0", [{ clicut: ["set-default", "test-1.0"] }, "freeze"]),
    });
    await writeGrubCfg(tree, ctx.dir);
    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });
    const OLD: Env = {};
    const NEW: Env = { saved_entry: "test-1.0" };
    const FIRST: GrubBootView = { grubDefault: "", tries: "", once: "", booted: "test-2.0" };
    const TARGET: GrubBootView = { grubDefault: "test-1.0", tries: "", once: "", booted: "test-1.0" };

    // No saved_entry: GRUB boots its first entry (the newest).
    const p1 = await predictNext(ctx, tree, undefined);
    const b1 = await cutBoot(ctx, machine, esp, "after:write:1:grubenv");
    expectBoot(ctx, b1, FIRST, p1, "no saved_entry → the first entry");
    ctx.expectEqual(await grubenvAfter(ctx, esp, b1.label), OLD, "after a cut behind the temp file's write: the old block");

    const p2 = await predictNext(ctx, tree, esp);
    const b2 = await cutBoot(ctx, machine, esp, "after:rename:1:grubenv");
    expectBoot(ctx, b2, FIRST, p2, "GRUB read the old block");
    const state2 = oldOrNew(ctx, await grubenvAfter(ctx, esp, b2.label), OLD, NEW, "after a cut right after the rename");
    await ctx.log(`  the unsynced rename ${state2 === 0 ? "was lost (old block)" : "survived (new block)"}`);

    if (state2 === 0) {
      const p3 = await predictNext(ctx, tree, esp);
      const b3 = await cutBoot(ctx, machine, esp, "none");
      expectBoot(ctx, b3, FIRST, p3, "GRUB read the old block");
      ctx.expectEqual(guestRun(b3, ["set-default"])?.status, 0, `${b3.label}: set-default exit status`);
      ctx.expectEqual(await grubenvAfter(ctx, esp, b3.label), NEW, "after set-default returned and the power was cut: the new block");
      const left = (await esp.list(`/${GRUB_ESP_DIR}`)).filter((n) => n.endsWith(".bootctl-tmp"));
      ctx.expectEqual(left, [], "temp files of the grubenv after a completed set-default");
    }
    // The new saved_entry boots (this entry powers off cleanly).
    const pLast = await predictNext(ctx, tree, esp);
    const last = await machine.boot();
    ctx.noteBoot(last, markerValue(last, "BOOTED"));
    ctx.expectCleanEnd(last);
    expectBoot(ctx, last, TARGET, pLast, "saved_entry from set-default");
    ctx.expectEqual(await grubenvAfter(ctx, esp, last.label), NEW, "grubenv after the target's boot (unchanged)");
  },
};

/**
 * What the guest of the base entry runs: the boot-success service's `bless-boot good` (this boot
 * is never the trial's: it must refuse), then the updater's add, then update-grub when add
 * returned.
 */
function addScript(cmdline: string): string {
  return `need_node && need_rw
mkdir -p /etc/kernel
echo "${cmdline}" >/etc/kernel/cmdline
step_cli --json=short bless-boot status
step_cli bless-boot good
step_clicut add --loader grub --entry-token test --tries 2 --title Added 3.0 /efi/test/1.0/linux /efi/test/1.0/initrd.img || return 1
# update-grub: grub-mkconfig writes grub.cfg.new and renames it over grub.cfg.
bootctl_ts grub render >/tmp/menu.cfg || { mark "UPDATE_GRUB=render failed"; return 1; }
cat /efi/bootctl-test/grub-head.cfg /tmp/menu.cfg /efi/bootctl-test/grub-tail.cfg >/efi/${GRUB_ESP_DIR}/grub.cfg.new && sync \
  && mv -f /efi/${GRUB_ESP_DIR}/grub.cfg.new /efi/${GRUB_ESP_DIR}/grub.cfg && sync && mark "UPDATE_GRUB=done"
`;
}

/** The menu entry ids of the grub.cfg on the disk (mtools read-back). */
async function diskMenuIds(ctx: ScenarioContext, esp: EspImage, label: string): Promise<string[]> {
  const ids = menuIds(await esp.readText(`/${GRUB_ESP_DIR}/grub.cfg`));
  await ctx.observed(`grub.cfg menu after ${label}`, ids.join(" "));
  return ids;
}

/** The BLS entries on the disk. */
async function diskEntries(ctx: ScenarioContext, esp: EspImage, label: string): Promise<string[]> {
  const files = await entryFiles(esp);
  await ctx.observed(`loader/entries after ${label}`, files.join(" "));
  return files;
}

interface BlessStatusJson {
  state: string;
  loader: string;
  grub?: { trial?: string; tries?: number; fallback?: string; booted?: string };
}

/**
 * The base entry's `bless-boot status` and `bless-boot good` in a boot: with `trial` in the
 * grubenv (no menu entry for it), status names the base entry as booted and the state clean, and
 * good refuses; without a trial, good refuses as well (nothing on trial).
 */
async function expectNoBlessOfBase(ctx: ScenarioContext, result: BootResult, trial: boolean): Promise<void> {
  const status = guestRun(result, ["--json=short", "bless-boot", "status"]);
  ctx.expect(status?.status === 0, `${result.label}: bless-boot status failed (${status?.output.join(" | ") ?? "not run"})`);
  const json = runJson<BlessStatusJson>(status);
  await ctx.observed(`${result.label}: bless-boot status --json`, json);
  if (trial) {
    ctx.expectEqual([json.loader, json.state, json.grub?.trial, json.grub?.booted], ["grub", "clean", "test-3.0", "test-1.0"],
      `${result.label}: bless-boot status (the trial has no menu entry: GRUB booted and recorded test-1.0)`);
  } else {
    ctx.expectEqual(json.state, "clean", `${result.label}: bless-boot status (no trial)`);
  }
  const good = guestRun(result, ["bless-boot", "good"]);
  await ctx.observed(`${result.label}: bless-boot good`, good?.output.join(" | ") ?? "(not run)");
  ctx.expectEqual(good?.status, 1, `${result.label}: bless-boot good must refuse (E_NOT_COUNTING): test-1.0 booted, not the trial`);
}

/** Compares a GRUB boot with predict: the entry that booted always, the tries where predict counts the boot. */
function expectBootedAsPredicted(ctx: ScenarioContext, result: BootResult, predicted: NextBoot): void {
  const booted = markerValue(result, "BOOTED") ?? "?";
  const tries = predicted.tries === "" ? "" : markerValue(result, "GRUB_TRIES") ?? "?";
  ctx.expectEqual({ id: booted, tries }, predicted, `${result.label}: booted entry (and tries left of a counted boot) vs bootctl-ts predict --loader grub on the disk before it (issue 8 #10)`);
}

const add: Scenario = {
  name: "grub-9-powercut-add",
  title: "GRUB: power cut during `add --loader grub --tries 2` in the guest → the next boot reaches the old default or the trial; grubenv, entries and grub.cfg old or new",
  loader: "grub",
  budgetMs: 60_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await grubTree(ctx);
    const addedCmdline = guestCmdline("test-3.0", [{ cli: ["bless-boot", "good"] }, "poweroff"]);
    await writeFile(join(tree.esp, ...guestScriptPath("add").split("/").filter(Boolean)), addScript(addedCmdline));
    await writeFile(join(tree.esp, "bootctl-test", "grub-head.cfg"), await grubCfgHead());
    await writeFile(join(tree.esp, "bootctl-test", "grub-tail.cfg"), grubCfgTail());
    await tree.add({ version: "1.0", title: "Base", loader: "grub", kernel: vmlinuz, initrd, options: guestCmdline("test-1.0", [{ script: "add" }, "freeze"]) });
    // test-2.0 sorts first in the menu (GRUB's entry 0) but is not the default: a boot that
    // lands on it is the bug this scenario guards against (it shares test-1.0's kernel files).
    await writeFile(join(tree.esp, "loader", "entries", "test-2.0.conf"),
      `title      Other\nversion    2.0\noptions    ${guestCmdline("test-2.0", ["poweroff"])}\nlinux      /test/1.0/linux\ninitrd     /test/1.0/initrd.img\n`);
    await tree.cli(["--quiet", "set-default", "--loader", "grub", "test-1.0"]);
    await writeGrubCfg(tree, ctx.dir);
    const esp = await ctx.newDisk("disk", { espMiB: 96 });
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });
    const OLD: Env = { saved_entry: "test-1.0" };
    /** The block add writes (grub/README.md): the trial with all its tries; GRUB's bookkeeping of an earlier trial (bootctl_booted, bootctl_state) removed. */
    const TRIAL: Env = { saved_entry: "test-1.0", bootctl_trial: "test-3.0", bootctl_tries: "2", bootctl_fallback: "test-1.0" };
    const OLD_ENTRIES = ["test-1.0.conf", "test-2.0.conf"];
    const NEW_ENTRIES = ["test-1.0.conf", "test-2.0.conf", "test-3.0.conf"];
    const OLD_MENU = ["test-2.0", "test-1.0"];
    /**
     * GRUB's view of a boot from the old block, and from the trial block while grub.cfg has no
     * entry for it: the fallback (saved_entry) boots, not entry 0 (test-2.0), and no try is used.
     */
    const FROM_OLD: GrubBootView = { grubDefault: "test-1.0", tries: "", once: "", booted: "test-1.0" };
    const DANGLING: GrubBootView = { grubDefault: "test-1.0", tries: "2", once: "", booted: "test-1.0" };

    // Boot 1: the saved default; add is cut right after the grubenv's rename.
    const p1 = await predictNext(ctx, tree, esp);
    const b1 = await cutBoot(ctx, machine, esp, "after:rename:1:grubenv");
    ctx.expectEqual(grubBootView(b1), FROM_OLD, `${b1.label}: GRUB's choice (saved_entry, no trial)`);
    expectBootedAsPredicted(ctx, b1, p1);
    await expectNoBlessOfBase(ctx, b1, false);
    const env1 = await grubenvAfter(ctx, esp, b1.label);
    const state1 = oldOrNew(ctx, env1, OLD, TRIAL, "after a cut right after the grubenv's rename");
    await ctx.log(`  the unsynced grubenv rename ${state1 === 0 ? "was lost (old block)" : "survived (trial block)"}`);
    ctx.expectEqual(await diskEntries(ctx, esp, b1.label), OLD_ENTRIES, "entries after a cut before the entry was written: old");
    ctx.expectEqual(await diskMenuIds(ctx, esp, b1.label), OLD_MENU, "grub.cfg after a cut inside add: old");

    // Boot 2: the trial, if it survived, has no menu entry yet: GRUB boots the fallback, uncounted,
    // and bless-boot refuses. add runs again and is cut right after the entry's rename (the
    // grubenv was synced before).
    const p2 = await predictNext(ctx, tree, esp);
    const b2 = await cutBoot(ctx, machine, esp, "after:rename:1:loader/entries");
    ctx.expectEqual(grubBootView(b2), state1 === 0 ? FROM_OLD : DANGLING, `${b2.label}: GRUB's choice (${state1 === 0 ? "old block" : "trial without a menu entry → the fallback, not entry 0"})`);
    expectBootedAsPredicted(ctx, b2, p2);
    await expectNoBlessOfBase(ctx, b2, state1 === 1);
    ctx.expectEqual(await grubenvAfter(ctx, esp, b2.label), sorted(TRIAL), "grubenv after a cut behind it (synced before the entry was written): the trial");
    const state2 = oneOf(ctx, await diskEntries(ctx, esp, b2.label), [OLD_ENTRIES, NEW_ENTRIES], "after a cut right after the entry's rename");
    await ctx.log(`  the unsynced entry rename ${state2 === 0 ? "was lost (old entries)" : "survived (new entries)"}`);
    ctx.expectEqual(await diskMenuIds(ctx, esp, b2.label), OLD_MENU, "grub.cfg after a cut inside add: old");

    // Boot 3: the trial still has no menu entry; add runs to its end, update-grub too, then the power is cut.
    const p3 = await predictNext(ctx, tree, esp);
    const b3 = await cutBoot(ctx, machine, esp, "none");
    ctx.expectEqual(grubBootView(b3), DANGLING, `${b3.label}: GRUB's choice (trial without a menu entry → the fallback, not entry 0)`);
    expectBootedAsPredicted(ctx, b3, p3);
    await expectNoBlessOfBase(ctx, b3, true);
    ctx.expectEqual(guestRun(b3, ["add"])?.status, 0, `${b3.label}: add exit status`);
    ctx.expectEqual(markerValue(b3, "UPDATE_GRUB"), "done", `${b3.label}: update-grub after add`);
    ctx.expectEqual(await grubenvAfter(ctx, esp, b3.label), sorted(TRIAL), "grubenv after add returned and the power was cut: the trial, all its tries again");
    ctx.expectEqual(await diskEntries(ctx, esp, b3.label), NEW_ENTRIES, "entries after add returned and the power was cut: new");
    ctx.expectEqual(await esp.readText("/loader/entries/test-3.0.conf"),
      `title      Added\nversion    3.0\noptions    ${addedCmdline}\nlinux      /test/3.0/linux\ninitrd     /test/3.0/initrd.img\n`,
      "the added entry is complete");
    ctx.expectEqual(await diskMenuIds(ctx, esp, b3.label), ["test-3.0", "test-2.0", "test-1.0"], "grub.cfg after update-grub: the trial first (BLS order, newest version first)");

    // Boot 4: the trial boots, counted (all its tries were kept), and is marked good.
    const p4 = await predictNext(ctx, tree, esp);
    const b4 = await machine.boot();
    ctx.noteBoot(b4, `${markerValue(b4, "BOOTED") ?? "?"}(${markerValue(b4, "GRUB_TRIES") ?? "?"})`);
    ctx.expectCleanEnd(b4);
    expectBoot(ctx, b4, { grubDefault: "test-3.0", tries: "1", once: "", booted: "test-3.0" }, p4, "the added deployment on trial");
    ctx.expectEqual(guestRun(b4, ["bless-boot", "good"])?.status, 0, `${b4.label}: bless-boot good of the trial's own boot`);
    ctx.expectEqual(await grubenvAfter(ctx, esp, b4.label), sorted({ saved_entry: "test-3.0", bootctl_booted: "test-3.0", bootctl_state: "good" }),
      "grubenv after the trial's boot was marked good: saved_entry = the trial, counting ended");
  },
};

export default [bless, setDefault, add];
