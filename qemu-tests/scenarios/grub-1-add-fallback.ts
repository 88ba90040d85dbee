/**
 * Issue 8 #1 (GRUB) and #10: stock GRUB 2.06 (grub-mkstandalone) with bootctl-ts's counting
 * (grub/bootctl-counting.cfg after 00_header's environment handling, menu rendered by the real
 * `bootctl-ts grub render`). The old deployment is the saved default (`set-default --loader
 * grub`); the updater runs `bootctl-ts add --loader grub --tries 3` on the tree from the host,
 * which writes an uncounted BLS entry and puts it on trial in the grubenv (bootctl_trial,
 * bootctl_tries=3, bootctl_fallback = saved_entry). The new kernel panics every boot. The contract
 * (grub/README.md): the trial's own menu entry saves bootctl_tries − 1 and bootctl_booted before
 * its kernel runs (2, 1, 0), and with 0 tries left GRUB boots bootctl_fallback by itself, whose
 * entry records itself in bootctl_booted. In that boot the real `bootctl-ts bless-boot
 * status --json` must see the trial out of tries and the fallback booted; `predict --json --loader
 * grub` on the tree (which runs the tree's grub.cfg boot after boot) must have foreseen every boot.
 */
import { guestCmdline } from "../lib/guest-init.ts";
import { guestRun, runJson } from "../lib/guest-runs.ts";
import { diskGrubenv, grubBootView, installGrubBls, menuIds, treeGrubenv, writeGrubCfg } from "../lib/grub-bls.ts";
import { EspTree } from "../lib/host-bootctl.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const TRIES = 3;

interface BlessStatusJson {
  state: string;
  loader: string;
  grub?: { trial?: string; tries?: number; fallback?: string; booted?: string };
}

const scenario: Scenario = {
  name: "grub-1-add-fallback",
  title: "GRUB: `add --loader grub --tries 3` deployment panics every boot → tries 2, 1, 0, then GRUB boots the fallback by itself",
  loader: "grub",
  budgetMs: 40_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
    await installGrubBls(tree, await ctx.assets.grubEfi());
    await tree.add({
      version: "1.0", title: "Old", loader: "grub", kernel: vmlinuz, initrd,
      options: guestCmdline("test-1.0", [{ cli: ["--json=short", "bless-boot", "status"] }, { cli: ["--json=short", "status"] }, "poweroff"]),
    });
    await tree.cli(["--quiet", "set-default", "--loader", "grub", "test-1.0"]);
    await tree.add({ version: "2.0", title: "New", loader: "grub", tries: TRIES, kernel: vmlinuz, initrd, options: guestCmdline("test-2.0", ["panic"]) });
    // GRUB reads no counter in file names: the entry is uncounted, the trial is in the grubenv.
    ctx.expectEqual(await tree.entryFiles(), ["test-1.0.conf", "test-2.0.conf"], "entries written by bootctl-ts add --loader grub");
    ctx.expectEqual(await treeGrubenv(tree), {
      saved_entry: "test-1.0", bootctl_trial: "test-2.0", bootctl_tries: String(TRIES), bootctl_fallback: "test-1.0",
    }, "grubenv after add (grub/README.md: trial, tries, fallback = the saved default)");
    const menu = await writeGrubCfg(tree, ctx.dir);
    await ctx.observed("grub.cfg menu", menuIds(menu).join(" "));
    ctx.expectEqual(menuIds(menu), ["test-2.0", "test-1.0"], "menu entry ids rendered by bootctl-ts grub render");
    const prediction = await tree.predict({ loader: "grub" });

    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });
    const steps = await machine.bootSequence({
      maxBoots: TRIES + 2,
      observe: async (result) => {
        ctx.noteBoot(result, `${markerValue(result, "BOOTED") ?? "?"}(${markerValue(result, "GRUB_TRIES") ?? "?"})`);
        const env = await diskGrubenv(esp);
        await ctx.observed(`grubenv after ${result.label}`, env);
        return env;
      },
      until: ({ result }) => markerValue(result, "BOOTED") === "test-1.0",
    });

    ctx.expectEqual(steps.length, TRIES + 1, "boots until the old deployment started");
    for (const [i, { result, observed }] of steps.slice(0, TRIES).entries()) {
      const left = String(TRIES - i - 1);
      ctx.expectCleanEnd(result);
      ctx.expectEqual(grubBootView(result), { grubDefault: "test-2.0", tries: left, once: "", booted: "test-2.0" }, `${result.label}: GRUB's choice and counter`);
      ctx.expect(result.panic, `${result.label}: the new deployment's kernel did not panic`);
      ctx.expectEqual([observed["bootctl_tries"], observed["bootctl_booted"]], [left, "test-2.0"], `${result.label}: bootctl_tries and bootctl_booted saved by the trial's menu entry before booting`);
    }
    const last = steps[TRIES]!;
    ctx.expectCleanEnd(last.result);
    ctx.expectEqual(grubBootView(last.result), { grubDefault: "test-1.0", tries: "0", once: "", booted: "test-1.0" }, "fallback boot: GRUB's choice");
    ctx.expectEqual(last.observed, {
      saved_entry: "test-1.0", bootctl_trial: "test-2.0", bootctl_tries: "0", bootctl_fallback: "test-1.0", bootctl_booted: "test-1.0",
    }, "grubenv after the fallback boot");

    const bless = guestRun(last.result, ["--json=short", "bless-boot", "status"]);
    ctx.expect(bless?.status === 0, `fallback boot: bless-boot status failed (${bless?.output.join(" | ") ?? "not run"})`);
    const json = runJson<BlessStatusJson>(bless);
    await ctx.observed("bless-boot status --json in the fallback boot", json);
    ctx.expectEqual([json.loader, json.state], ["grub", "clean"], "fallback boot: bless-boot status (the fallback is not on trial)");
    ctx.expectEqual(json.grub, { trial: "test-2.0", tries: 0, fallback: "test-1.0", booted: "test-1.0" }, "fallback boot: the trial out of tries, the fallback booted");
    const status = guestRun(last.result, ["--json=short", "status"]);
    ctx.expect(status?.status === 0, `fallback boot: status failed (${status?.output.join(" | ") ?? "not run"})`);
    await ctx.observed("status --json in the fallback boot", runJson(status));
    ctx.expectEqual(runJson<{ bootAssessment: string }>(status).bootAssessment, "clean", "fallback boot: status bootAssessment");

    await ctx.expectPredictedIds(prediction, steps.map((s) => markerValue(s.result, "BOOTED")), "issue 8 #10");
    ctx.expectEqual(prediction.attempts.slice(0, TRIES).map((a) => a.tries?.left), [2, 1, 0], "prediction: tries left after each counted boot");
    ctx.expectEqual([prediction.end, prediction.finalId], ["blessed", "test-1.0"], "prediction: how the sequence ends");
    const fsck = await esp.fsck();
    await ctx.observed("fsck.vfat -n", fsck.report);
    ctx.expect(fsck.clean, `the ESP is not clean after GRUB's save_env: ${fsck.report}`);
  },
};

export default scenario;
