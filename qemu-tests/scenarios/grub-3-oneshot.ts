/**
 * Issue 8 #3 (GRUB) and #10: `bootctl-ts set-oneshot` run inside the guest writes `next_entry`
 * (grub-reboot semantics); 00_header boots it once and clears it (`set next_entry=` +
 * `save_env`) before booting, so the boot after is the default again. The host reads the disk back
 * after the first boot and asks `bootctl-ts predict --loader grub` what comes next.
 */
import { guestCmdline } from "../lib/guest-init.ts";
import { guestRun } from "../lib/guest-runs.ts";
import { diskGrubenv, grubBootView, installGrubBls, writeGrubCfg } from "../lib/grub-bls.ts";
import { EspTree } from "../lib/host-bootctl.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const scenario: Scenario = {
  name: "grub-3-oneshot",
  title: "GRUB: set-oneshot in the guest → next_entry boots once, then the default again",
  loader: "grub",
  budgetMs: 50_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
    await installGrubBls(tree, await ctx.assets.grubEfi());
    await tree.add({ version: "1.0", title: "Other", loader: "grub", kernel: vmlinuz, initrd, options: guestCmdline("test-1.0", ["poweroff"]) });
    await tree.add({
      version: "2.0", title: "Main", loader: "grub", kernel: vmlinuz, initrd,
      options: guestCmdline("test-2.0", [{ cli: ["set-oneshot", "test-1.0"] }, "poweroff"]),
    });
    await writeGrubCfg(tree, ctx.dir);
    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });

    const first = await machine.boot();
    ctx.noteBoot(first, markerValue(first, "BOOTED"));
    ctx.expectCleanEnd(first);
    ctx.expectEqual(grubBootView(first), { grubDefault: "", tries: "", once: "", booted: "test-2.0" }, "boot-1: no saved_entry → GRUB's first entry");
    ctx.expectEqual(guestRun(first, ["set-oneshot"])?.status, 0, "boot-1: set-oneshot exit status");
    const afterFirst = await diskGrubenv(esp);
    await ctx.observed("grubenv after boot-1", afterFirst);
    ctx.expectEqual(afterFirst, { next_entry: "test-1.0" }, "grubenv after set-oneshot (grub-reboot writes next_entry)");

    await tree.readBack(esp);
    const prediction = await tree.predict({ loader: "grub" });
    const second = await machine.boot();
    ctx.noteBoot(second, markerValue(second, "BOOTED"));
    const afterSecond = await diskGrubenv(esp);
    await ctx.observed("grubenv after boot-2", afterSecond);
    const third = await machine.boot();
    ctx.noteBoot(third, markerValue(third, "BOOTED"));
    for (const r of [second, third]) ctx.expectCleanEnd(r);
    ctx.expectEqual(grubBootView(second), { grubDefault: "test-1.0", tries: "", once: "true", booted: "test-1.0" }, "boot-2: the one-shot entry (boot_once)");
    ctx.expectEqual(afterSecond, { next_entry: "" }, "grubenv after boot-2 (00_header cleared next_entry before booting)");
    ctx.expectEqual(grubBootView(third), { grubDefault: "", tries: "", once: "", booted: "test-2.0" }, "boot-3: the default again");
    await ctx.expectPredictedIds(prediction, [second, third].map((b) => markerValue(b, "BOOTED")), "issue 8 #10 (after boot-1)");
  },
};

export default scenario;
