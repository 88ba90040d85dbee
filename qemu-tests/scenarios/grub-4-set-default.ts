/**
 * Issue 8 #4 (GRUB) and #10: `bootctl-ts set-default` run inside the guest writes `saved_entry`
 * (grub-set-default semantics), which 00_header (GRUB_DEFAULT=saved) makes the default at every
 * later boot. The host reads the disk back after the first boot and checks the next boots against
 * `bootctl-ts predict --loader grub`.
 */
import { diskGrubenv, grubBootAndSelect, grubBootView } from "../lib/grub-bls.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const scenario: Scenario = {
  name: "grub-4-set-default",
  title: "GRUB: set-default in the guest → saved_entry boots at every later boot",
  loader: "grub",
  budgetMs: 50_000,
  async run(ctx: ScenarioContext) {
    const { esp, machine, envAfterFirst, prediction } = await grubBootAndSelect(ctx, "set-default", { target: "Chosen", first: "First" });
    ctx.expectEqual(envAfterFirst, { saved_entry: "test-1.0" }, "grubenv after set-default (grub-set-default writes saved_entry)");

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
