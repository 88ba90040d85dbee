/**
 * Issue 8 #3 (systemd-boot) and #10: `bootctl-ts set-oneshot` run inside the guest writes
 * LoaderEntryOneShot; systemd-boot boots that entry at the next boot only (it deletes the
 * variable when it reads it, Boot Loader Interface), and the boot after is the default again. The
 * host reads the machine's NVRAM after the first boot and asks `bootctl-ts predict` with those
 * variables what comes next; the boots must follow it.
 */
import { UNTIL_IDENTIFIED } from "../lib/guest-init.ts";
import { markerValue } from "../lib/qemu.ts";
import { bootAndSelect } from "../lib/sdboot-selection.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const scenario: Scenario = {
  name: "sd-3-oneshot",
  title: "systemd-boot: set-oneshot in the guest → the next boot is that entry, the one after the default again",
  loader: "systemd-boot",
  budgetMs: 50_000,
  async run(ctx: ScenarioContext) {
    const { machine, statusJson, prediction } = await bootAndSelect(ctx, { verb: "set-oneshot", target: { label: "other", title: "Other" }, first: { label: "main", title: "Main" } });
    ctx.expectEqual(statusJson.oneShot, "test-1.0.conf", "boot-1: status reports the one-shot entry");

    const second = await machine.boot();
    ctx.noteBoot(second);
    // Boot 3 only has to show which entry started (its guest would run set-oneshot again).
    const third = await machine.boot(UNTIL_IDENTIFIED);
    ctx.noteBoot(third);
    ctx.expectCleanEnd(second);
    ctx.expectIdentified(third);
    ctx.expectEqual(markerValue(second, "LOADER_ENTRY_SELECTED"), "test-1.0.conf", "boot-2: LoaderEntrySelected (the one-shot entry)");
    ctx.expectEqual(markerValue(second, "BOOTED"), "other", "boot-2: booted entry");
    ctx.expectEqual(markerValue(second, "LOADER_ENTRY_ONESHOT"), "", "boot-2: LoaderEntryOneShot (consumed by systemd-boot)");
    ctx.expectEqual(markerValue(third, "LOADER_ENTRY_SELECTED"), "test-2.0.conf", "boot-3: LoaderEntrySelected (the default again)");
    ctx.expectEqual(markerValue(third, "BOOTED"), "main", "boot-3: booted entry");
    await ctx.expectPredicted(prediction, [second, third], "issue 8 #10 (after boot-1)");
  },
};

export default scenario;
