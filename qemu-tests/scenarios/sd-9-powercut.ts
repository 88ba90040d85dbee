/**
 * Issue 8 #9 (systemd-boot): the power is cut while bootctl-ts writes in the guest. The real CLI
 * runs with the power-cut hook preloaded (guest/powercut-hook.cjs): at the chosen file-system call
 * it prints FROZEN and blocks, and the host kills QEMU (SIGKILL: no unmount, no sync, no flush).
 * The cut point of each boot is written to the ESP by the host before that boot (CUT_FILE).
 * "none" runs the verb to its end, then the guest freezes without unmounting or syncing: what the
 * verb reported as done must be on the disk (it fsyncs before it returns).
 *
 * After every cut the next boot must still reach a good entry and the state must read as the old
 * or the new one, never anything else (the contract; renames and EFI variable writes are
 * atomic, so there is no third state).
 *
 * - sd-9-powercut-bless: `bless-boot good` cut before the rename (old), right after it, before the
 *   directory fsync (old or new), then run to its end (new).
 * - sd-9-powercut-set-default: `set-default` cut before LoaderEntryDefault is opened (old), right
 *   after the variable write returned (new: SetVariable is done when write() returns).
 * - sd-9-powercut-add: `add --tries 2` of a new kernel, cut after the kernel copy was written
 *   (old), right after the entry's rename (old or new), then run to its end (new).
 *
 * Issue 8 #10: before every boot the host reads the ESP back and exports the machine's NVRAM
 * (LoaderEntryDefault written by the guest), runs `bootctl-ts predict --json` on them, and the
 * entry systemd-boot then selects and the name it renames it to (LoaderEntrySelected,
 * LoaderBootCountPath) must be the prediction's first attempt.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CUT_FILE, guestCmdline, guestScriptPath } from "../lib/guest-init.ts";
import { guestRuns } from "../lib/guest-runs.ts";
import { EspTree, type PredictJson } from "../lib/host-bootctl.ts";
import type { EspImage } from "../lib/disk.ts";
import { markerValue, type BootResult, type Machine } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";
import { entryFiles } from "../lib/sdboot.ts";

const CUT = { stopOnMarker: (m: { key: string }) => m.key === "FROZEN", stopSignal: "SIGKILL" as const };

/** Issue 8 #10: predict on the disk and NVRAM as they are before the next boot. */
function predictNext(tree: EspTree, machine: Machine, esp: EspImage): Promise<PredictJson> {
  return tree.predictImage(esp, { vars: machine.vars });
}

/** The boot systemd-boot made must be the first attempt predict foresaw from the state before it. */
async function expectAsPredicted(ctx: ScenarioContext, prediction: PredictJson, result: BootResult): Promise<void> {
  await ctx.expectPredicted(prediction, [result], `${result.label}: issue 8 #10`);
}

async function cutBoot(ctx: ScenarioContext, tree: EspTree, machine: Machine, esp: EspImage, spec: string): Promise<BootResult> {
  await esp.writeFile(CUT_FILE, spec);
  const prediction = await predictNext(tree, machine, esp);
  const result = await machine.boot(CUT);
  ctx.noteBoot(result);
  await expectAsPredicted(ctx, prediction, result);
  await ctx.observed(`${result.label}: cut ${spec}, frozen at`, markerValue(result, "FROZEN") ?? "(never frozen)");
  await ctx.observed(`entries after ${result.label}`, (await entryFiles(esp)).join(" "));
  ctx.expect(!result.shell && !result.timedOut, `${result.label}: the boot did not reach the cut (see ${result.consoleLog})`);
  ctx.expectEqual(markerValue(result, "CUT_SPEC"), spec, `${result.label}: cut point the guest read`);
  ctx.expect(result.stoppedOnMarker && result.signal === "SIGKILL", `${result.label}: the power was not cut at FROZEN (${result.signal ?? result.exitCode})`);
  return result;
}

async function treeWithScripts(ctx: ScenarioContext): Promise<EspTree> {
  const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
  await tree.installSystemdBoot();
  await mkdir(join(tree.esp, "bootctl-test"), { recursive: true });
  await writeFile(join(tree.esp, ...CUT_FILE.split("/").filter(Boolean)), "none\n");
  return tree;
}

function oneOf(ctx: ScenarioContext, actual: string[], allowed: string[][], what: string): number {
  const i = allowed.findIndex((a) => JSON.stringify(a) === JSON.stringify(actual));
  ctx.expect(i >= 0, `${what}: ${JSON.stringify(actual)} is neither the old ${JSON.stringify(allowed[0])} nor the new ${JSON.stringify(allowed[1])} state`);
  return i;
}

const bless: Scenario = {
  name: "sd-9-powercut-bless",
  title: "systemd-boot: power cut during `bless-boot good` in the guest → the next boot still works, state old or new",
  loader: "systemd-boot",
  budgetMs: 60_000,
  async run(ctx) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await treeWithScripts(ctx);
    await tree.add({ version: "1.0", title: "Old", kernel: vmlinuz, initrd, options: guestCmdline("old", ["poweroff"]) });
    await tree.add({ version: "2.0", title: "New", tries: 3, kernel: vmlinuz, initrd, options: guestCmdline("new", [{ clicut: ["bless-boot", "good"] }, "freeze"]) });
    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });

    const b1 = await cutBoot(ctx, tree, machine, esp, "before:rename:1");
    ctx.expectEqual(markerValue(b1, "LOADER_ENTRY_SELECTED"), "test-2.0+3.conf", "boot-1: LoaderEntrySelected");
    ctx.expectEqual(await entryFiles(esp), ["test-1.0.conf", "test-2.0+2-1.conf"], "after a cut before the rename: the old state");

    const b2 = await cutBoot(ctx, tree, machine, esp, "after:rename:1");
    ctx.expectEqual(markerValue(b2, "LOADER_ENTRY_SELECTED"), "test-2.0+2-1.conf", "boot-2: LoaderEntrySelected (still a good entry)");
    const state2 = oneOf(ctx, await entryFiles(esp), [["test-1.0.conf", "test-2.0+1-2.conf"], ["test-1.0.conf", "test-2.0.conf"]], "after a cut right after the rename");
    await ctx.log(`  the unsynced rename ${state2 === 0 ? "was lost (old state)" : "survived (new state)"}`);

    const b3 = await cutBoot(ctx, tree, machine, esp, "none");
    ctx.expectEqual(markerValue(b3, "BOOTED"), "new", "boot-3: booted entry");
    const run3 = guestRuns(b3)[0];
    if (state2 === 0) {
      ctx.expectEqual(markerValue(b3, "LOADER_ENTRY_SELECTED"), "test-2.0+1-2.conf", "boot-3: LoaderEntrySelected");
      ctx.expectEqual(run3?.status, 0, "boot-3: bless-boot good exit status");
    } else {
      ctx.expectEqual(markerValue(b3, "LOADER_ENTRY_SELECTED"), "test-2.0.conf", "boot-3: LoaderEntrySelected (blessed by boot-2)");
      ctx.expectEqual(run3?.status, 1, "boot-3: bless-boot good on an uncounted boot fails (not counting)");
    }
    ctx.expectEqual(await entryFiles(esp), ["test-1.0.conf", "test-2.0.conf"], "after bless-boot good returned and the power was cut: the new state");
  },
};

const setDefault: Scenario = {
  name: "sd-9-powercut-set-default",
  title: "systemd-boot: power cut during `set-default` in the guest → the next boot uses the old or the new default",
  loader: "systemd-boot",
  budgetMs: 50_000,
  async run(ctx) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await treeWithScripts(ctx);
    await tree.add({ version: "1.0", title: "Target", kernel: vmlinuz, initrd, options: guestCmdline("target", ["poweroff"]) });
    await tree.add({ version: "2.0", title: "First", kernel: vmlinuz, initrd, options: guestCmdline("first", [{ clicut: ["set-default", "test-1.0.conf"] }, "freeze"]) });
    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });

    const b1 = await cutBoot(ctx, tree, machine, esp, "before:open-write:1:LoaderEntryDefault");
    ctx.expectEqual(markerValue(b1, "LOADER_ENTRY_SELECTED"), "test-2.0.conf", "boot-1: LoaderEntrySelected");
    const b2 = await cutBoot(ctx, tree, machine, esp, "after:write:1:LoaderEntryDefault");
    ctx.expectEqual(markerValue(b2, "LOADER_ENTRY_SELECTED"), "test-2.0.conf", "boot-2: LoaderEntrySelected (the cut before the write left no default)");
    ctx.expectEqual(markerValue(b2, "LOADER_ENTRY_DEFAULT"), "", "boot-2: LoaderEntryDefault");
    const p3 = await predictNext(tree, machine, esp);
    const b3 = await machine.boot();
    ctx.noteBoot(b3);
    ctx.expectCleanEnd(b3);
    await expectAsPredicted(ctx, p3, b3);
    ctx.expectEqual(markerValue(b3, "LOADER_ENTRY_SELECTED"), "test-1.0.conf", "boot-3: LoaderEntrySelected (the variable written before the cut)");
    ctx.expectEqual(markerValue(b3, "LOADER_ENTRY_DEFAULT"), "test-1.0.conf", "boot-3: LoaderEntryDefault");
  },
};

/** The guest adds a new kernel (the running deployment's) as version 3.0 with 2 tries. */
const ADD_SCRIPT = `mkdir -p /etc/kernel
echo "${guestCmdline("added", ["poweroff"])}" >/etc/kernel/cmdline
step_clicut add --entry-token test --tries 2 --title Added 3.0 /efi/test/1.0/linux /efi/test/1.0/initrd.img
`;

const add: Scenario = {
  name: "sd-9-powercut-add",
  title: "systemd-boot: power cut during `add --tries 2` in the guest → the next boot reaches the base or the added entry",
  loader: "systemd-boot",
  budgetMs: 60_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await treeWithScripts(ctx);
    await writeFile(join(tree.esp, ...guestScriptPath("add").split("/").filter(Boolean)), ADD_SCRIPT);
    await tree.add({ version: "1.0", title: "Base", kernel: vmlinuz, initrd, options: guestCmdline("base", [{ script: "add" }, "freeze"]) });
    const esp = await ctx.newDisk("disk", { espMiB: 96 });
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });
    const OLD = ["test-1.0.conf"];
    const NEW = ["test-1.0.conf", "test-3.0+2.conf"];

    const b1 = await cutBoot(ctx, tree, machine, esp, "after:copyFile:1");
    ctx.expectEqual(markerValue(b1, "BOOTED"), "base", "boot-1: booted entry");
    ctx.expectEqual(await entryFiles(esp), OLD, "after a cut behind the kernel copy: the old state");

    const b2 = await cutBoot(ctx, tree, machine, esp, "after:rename:1:loader/entries");
    ctx.expectEqual(markerValue(b2, "BOOTED"), "base", "boot-2: booted entry (the half-done add left the base entry)");
    const state2 = oneOf(ctx, await entryFiles(esp), [OLD, NEW], "after a cut right after the entry's rename");
    await ctx.log(`  the unsynced entry rename ${state2 === 0 ? "was lost (old state)" : "survived (new state)"}`);
    if (state2 === 0) {
      const b3 = await cutBoot(ctx, tree, machine, esp, "none");
      ctx.expectEqual(markerValue(b3, "BOOTED"), "base", "boot-3: booted entry");
      ctx.expectEqual(guestRuns(b3)[0]?.status, 0, "boot-3: add exit status");
      ctx.expectEqual(await entryFiles(esp), NEW, "after add returned and the power was cut: the new state");
      ctx.expectEqual(await esp.readText("/loader/entries/test-3.0+2.conf"),
        "title      Added\nversion    3.0\noptions    " + guestCmdline("added", ["poweroff"]) + "\nlinux      /test/3.0/linux\ninitrd     /test/3.0/initrd.img\n",
        "after add returned and the power was cut: the entry is complete");
    }
    // What add reported as done survived the cut, complete: the added entry (newest version)
    // boots next, counted. (Before the file layer synced FAT with syncfs, this entry came back
    // empty after the cut and systemd-boot skipped it.)
    const pLast = await predictNext(tree, machine, esp);
    const last = await machine.boot();
    ctx.noteBoot(last);
    ctx.expectCleanEnd(last);
    await expectAsPredicted(ctx, pLast, last);
    ctx.expectEqual(markerValue(last, "LOADER_ENTRY_SELECTED"), "test-3.0+2.conf", `${last.label}: the added entry boots, counted`);
    ctx.expectEqual(markerValue(last, "BOOTED"), "added", `${last.label}: booted entry`);
  },
};

export default [bless, setDefault, add];
