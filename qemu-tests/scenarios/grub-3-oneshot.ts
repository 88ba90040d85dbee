/**
 * Issue 8 #3 (GRUB) and #10: `bootctl-ts set-oneshot` run inside the guest writes `next_entry`
 * (grub-reboot semantics); 00_header boots it once and clears it (`set next_entry=` +
 * `save_env`) before booting, so the boot after is the default again. The host reads the disk back
 * after the first boot and asks `bootctl-ts predict --loader grub` what comes next.
 */
import { diskGrubenv, grubBootAndSelect, grubBootView } from "../lib/grub-bls.ts";
import { UNTIL_IDENTIFIED } from "../lib/guest-init.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const scenario: Scenario = {
  name: "grub-3-oneshot",
  title: "GRUB: set-oneshot in the guest → next_entry boots once, then the default again",
  loader: "grub",
  budgetMs: 50_000,
  async run(ctx: ScenarioContext) {
    const { esp, machine, envAfterFirst, prediction } = await grubBootAndSelect(ctx, "set-oneshot", { target: "Other", first: "Main" });
    ctx.expectEqual(envAfterFirst, { next_entry: "test-1.0" }, "grubenv after set-oneshot (grub-reboot writes next_entry)");

    const second = await machine.boot();
    ctx.noteBoot(second, markerValue(second, "BOOTED"));
    const afterSecond = await diskGrubenv(esp);
    await ctx.observed("grubenv after boot-2", afterSecond);
    // Boot 3 only has to show which entry started (its guest would run set-oneshot again).
    const third = await machine.boot(UNTIL_IDENTIFIED);
    ctx.noteBoot(third, markerValue(third, "BOOTED"));
    ctx.expectCleanEnd(second);
    ctx.expectIdentified(third);
    ctx.expectEqual(grubBootView(second), { grubDefault: "test-1.0", tries: "", once: "true", booted: "test-1.0" }, "boot-2: the one-shot entry (boot_once)");
    ctx.expectEqual(afterSecond, { next_entry: "" }, "grubenv after boot-2 (00_header cleared next_entry before booting)");
    ctx.expectEqual(grubBootView(third), { grubDefault: "", tries: "", once: "", booted: "test-2.0" }, "boot-3: the default again");
    await ctx.expectPredictedIds(prediction, [second, third].map((b) => markerValue(b, "BOOTED")), "issue 8 #10 (after boot-1)");
  },
};

export default scenario;
