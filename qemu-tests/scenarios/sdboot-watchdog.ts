/**
 * systemd-boot, a hang caught by a watchdog: the new entry (one try) runs a guest script from the
 * ESP, then hangs with softdog armed (3 s margin). The watchdog resets the machine without the host
 * stepping in, systemd-boot has already counted the try (new+1 → new+0-1), and the next boot falls
 * back to the old entry. The boots follow `bootctl-ts predict` run on the image before the first
 * one (issue 8 #10).
 */
import { guestCmdline, guestScriptPath } from "../lib/guest-init.ts";
import { EspTree } from "../lib/host-bootctl.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";
import { countedEntryFile, entryFiles, installSystemdBoot } from "../lib/sdboot.ts";

const MARGIN_S = 3;

const scenario: Scenario = {
  name: "sdboot-watchdog",
  title: "systemd-boot: new entry +1 hangs, softdog resets the machine → new+0-1, then the old entry boots",
  loader: "systemd-boot",
  budgetMs: 30_000,
  async run(ctx: ScenarioContext) {
    const esp = await ctx.newDisk();
    await installSystemdBoot(esp, {
      vmlinuz: ctx.assets.kernel.vmlinuz,
      initrd: ctx.assets.initramfs.path,
      entries: [
        {
          file: countedEntryFile("new", 1),
          title: "New (under test)",
          sortKey: "test",
          version: "2",
          options: guestCmdline("new", [{ script: "arm" }, { hangWatchdog: MARGIN_S }]),
        },
        { file: countedEntryFile("old"), title: "Old (known good)", sortKey: "test", version: "1", options: guestCmdline("old", ["poweroff"]) },
      ],
    });
    await esp.mkdirs("/bootctl-test");
    await esp.writeFile(guestScriptPath("arm"), 'mark "SCRIPT=arm entry=$T_entry"\n');
    // The hard timeout is well above a slow boot plus the margin, so only the watchdog can end boot 1 in time.
    // Issue 8 #10: predict on the image before the first boot (a hang reset by the watchdog is a failed boot).
    const prediction = await (await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l))).predictImage(esp);
    const machine = await ctx.machine({ disk: esp, timeoutMs: 90_000 });
    const steps = await machine.bootSequence({
      maxBoots: 3,
      observe: async (result) => {
        const entries = await entryFiles(esp);
        await ctx.observed(`entries after ${result.label}`, entries.join(" "));
        ctx.sequence.push(markerValue(result, "LOADER_ENTRY_SELECTED") ?? "?");
        return entries;
      },
      until: ({ result }) => markerValue(result, "BOOTED") === "old",
    });
    ctx.expectEqual(steps.length, 2, "boots until the old entry started");
    const [hung, fallback] = steps;
    ctx.expect(hung !== undefined && fallback !== undefined, "missing boots");
    ctx.expectCleanEnd(hung.result);
    ctx.expectEqual(markerValue(hung.result, "SCRIPT"), "arm entry=new", "boot-1: the ESP script ran");
    ctx.expectEqual(markerValue(hung.result, "RESULT")?.split(" ")[0], "hang-wd", "boot-1: guest result");
    const armedAt = hung.result.markers.find((m) => m.key === "RESULT")?.atMs ?? 0;
    const resetAfterMs = hung.result.durationMs - armedAt;
    await ctx.observed("watchdog reset after arming (ms)", resetAfterMs);
    ctx.expect(resetAfterMs >= MARGIN_S * 1000 - 500, `boot-1 ended ${resetAfterMs} ms after arming, before the ${MARGIN_S} s margin`);
    ctx.expectEqual(hung.observed, [countedEntryFile("new", 0, 1), "old.conf"], "entries after the hung boot");
    ctx.expectCleanEnd(fallback.result);
    ctx.expectEqual(markerValue(fallback.result, "BOOTED"), "old", "boot-2: booted entry");
    ctx.expectEqual(markerValue(fallback.result, "LOADER_ENTRY_SELECTED"), "old.conf", "boot-2: LoaderEntrySelected");
    await ctx.expectPredicted(prediction, steps.map((st) => st.result), "issue 8 #10");
  },
};

export default scenario;
