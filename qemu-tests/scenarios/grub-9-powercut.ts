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
 * (00_header boots `saved_entry`, or the first entry when it is unset; the counting fragment lowers
 * bootctl_tries by one and saves it before the entry runs).
 *
 * - grub-9-powercut-bless: `bless-boot good` on a trial (`add --loader grub --tries 3`).
 * - grub-9-powercut-set-default: `set-default test-1.0` with no saved_entry yet.
 */
import { join } from "node:path";
import { mkdir, writeFile } from "node:fs/promises";
import { CUT_FILE, guestCmdline } from "../lib/guest-init.ts";
import { guestRun } from "../lib/guest-runs.ts";
import type { EspImage } from "../lib/disk.ts";
import { GRUB_ESP_DIR, diskGrubenv, grubBootView, installGrubBls, writeGrubCfg, type GrubBootView } from "../lib/grub-bls.ts";
import { EspTree } from "../lib/host-bootctl.ts";
import { markerValue, type BootResult, type Machine } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

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
    const [when, op] = spec.split(":");
    ctx.expect(frozen.startsWith(`${when} ${op} `) && frozen.includes("grubenv"), `${result.label}: frozen at ${JSON.stringify(frozen)}, not at ${spec}`);
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

export default [bless, setDefault];
