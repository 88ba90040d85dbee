/**
 * Issue 8 #4 (GRUB) and #10: `bootctl-ts set-default` run inside the guest writes `saved_entry`
 * (grub-set-default semantics), which 00_header (GRUB_DEFAULT=saved) makes the default at every
 * later boot. The host reads the disk back after the first boot and checks the next boots against
 * `bootctl-ts predict --loader grub`.
 */
import { guestCmdline } from "../lib/guest-init.ts";
import { guestRun } from "../lib/guest-runs.ts";
import { diskGrubenv, grubBootView, installGrubBls, writeGrubCfg } from "../lib/grub-bls.ts";
import { EspTree } from "../lib/host-bootctl.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const scenario: Scenario = {
  name: "grub-4-set-default",
  title: "GRUB: set-default in the guest → saved_entry boots at every later boot",
  loader: "grub",
  budgetMs: 50_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
    await installGrubBls(tree, await ctx.assets.grubEfi());
    await tree.add({ version: "1.0", title: "Chosen", loader: "grub", kernel: vmlinuz, initrd, options: guestCmdline("test-1.0", ["poweroff"]) });
    await tree.add({
      version: "2.0", title: "First", loader: "grub", kernel: vmlinuz, initrd,
      options: guestCmdline("test-2.0", [{ cli: ["set-default", "test-1.0"] }, "poweroff"]),
    });
    await writeGrubCfg(tree, ctx.dir);
    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });

    const first = await machine.boot();
    ctx.noteBoot(first, markerValue(first, "BOOTED"));
    ctx.expectCleanEnd(first);
    ctx.expectEqual(grubBootView(first), { grubDefault: "", tries: "", once: "", booted: "test-2.0" }, "boot-1: no saved_entry → GRUB's first entry");
    ctx.expectEqual(guestRun(first, ["set-default"])?.status, 0, "boot-1: set-default exit status");
    const env = await diskGrubenv(esp);
    await ctx.observed("grubenv after boot-1", env);
    ctx.expectEqual(env, { saved_entry: "test-1.0" }, "grubenv after set-default (grub-set-default writes saved_entry)");

    await tree.readBack(esp);
    const prediction = await tree.predict({ loader: "grub" });
    const later = [await machine.boot(), await machine.boot()];
    for (const r of later) {
      ctx.noteBoot(r, markerValue(r, "BOOTED"));
      ctx.expectCleanEnd(r);
      ctx.expectEqual(grubBootView(r), { grubDefault: "test-1.0", tries: "", once: "", booted: "test-1.0" }, `${r.label}: saved_entry boots`);
    }
    ctx.expectEqual(await diskGrubenv(esp), { saved_entry: "test-1.0" }, "grubenv after the later boots (unchanged)");
    // predict stops at the first successful boot of the default; the second later boot is the same entry.
    await ctx.expectPredictedIds(prediction, later.slice(0, 1).map((b) => markerValue(b, "BOOTED")), "issue 8 #10 (after boot-1)");
    ctx.expectEqual(prediction.finalId, "test-1.0", "prediction: the entry that boots from then on");
  },
};

export default scenario;
