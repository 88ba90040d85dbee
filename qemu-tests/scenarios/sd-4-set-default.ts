/**
 * Issue 8 #4 (systemd-boot) and #10: `bootctl-ts set-default` run inside the guest writes
 * LoaderEntryDefault, which systemd-boot prefers over loader.conf and the first entry at every
 * boot (Boot Loader Interface), so the choice persists across boots. The host reads the NVRAM after
 * the first boot and checks the next boots against `bootctl-ts predict` with those variables.
 */
import { markerValue } from "../lib/qemu.ts";
import { bootAndSelect } from "../lib/sdboot-selection.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const scenario: Scenario = {
  name: "sd-4-set-default",
  title: "systemd-boot: set-default in the guest → that entry boots at every later boot",
  loader: "systemd-boot",
  budgetMs: 50_000,
  async run(ctx: ScenarioContext) {
    const { machine, statusJson, prediction } = await bootAndSelect(ctx, { verb: "set-default", target: { label: "chosen", title: "Chosen" }, first: { label: "first", title: "First" } });
    ctx.expectEqual(statusJson.default?.id, "test-1.0.conf", "boot-1: status reports the new default");

    const later = [await machine.boot(), await machine.boot()];
    for (const r of later) {
      ctx.noteBoot(r);
      ctx.expectCleanEnd(r);
      ctx.expectEqual(markerValue(r, "LOADER_ENTRY_SELECTED"), "test-1.0.conf", `${r.label}: LoaderEntrySelected (the default set in boot-1)`);
      ctx.expectEqual(markerValue(r, "LOADER_ENTRY_DEFAULT"), "test-1.0.conf", `${r.label}: LoaderEntryDefault`);
    }
    // predict stops at the first successful boot of the default; the second later boot is the same entry.
    await ctx.expectPredicted(prediction, later.slice(0, 1), "issue 8 #10 (after boot-1)");
    ctx.expectEqual(prediction.finalId, "test-1.0.conf", "prediction: the entry that boots from then on");
  },
};

export default scenario;
