/**
 * systemd-boot, power lost during the boot: the new entry (2 tries) comes up and the host then cuts
 * the power (SIGKILL of QEMU, nothing unmounted or synced in the guest). systemd-boot's counting
 * rename happened in the firmware before the kernel started, so it survives; after two cut boots
 * (new+2 → new+1-1 → new+0-2) the old entry boots by itself and the ESP is clean. The boots
 * follow `bootctl-ts predict` run on the image before the first one (issue 8 #10).
 */
import { guestCmdline } from "../lib/guest-init.ts";
import { EspTree } from "../lib/host-bootctl.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";
import { countedEntryFile, entryFiles, installSystemdBoot } from "../lib/sdboot.ts";

const TRIES = 2;

const scenario: Scenario = {
  name: "sdboot-powercut",
  title: "systemd-boot: power cut (QEMU SIGKILL) during each boot of new+2 → new+1-1, new+0-2, then the old entry boots",
  loader: "systemd-boot",
  budgetMs: 30_000,
  async run(ctx: ScenarioContext) {
    const esp = await ctx.newDisk();
    await installSystemdBoot(esp, {
      vmlinuz: ctx.assets.kernel.vmlinuz,
      initrd: ctx.assets.initramfs.path,
      entries: [
        { file: countedEntryFile("new", TRIES), title: "New (under test)", sortKey: "test", version: "2", options: guestCmdline("new", ["freeze"]) },
        { file: countedEntryFile("old"), title: "Old (known good)", sortKey: "test", version: "1", options: guestCmdline("old", ["poweroff"]) },
      ],
    });
    // Issue 8 #10: predict on the image before the first boot (a power cut is a failed boot).
    const prediction = await (await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l))).predictImage(esp);
    const machine = await ctx.machine({ disk: esp });
    const steps = await machine.bootSequence({
      maxBoots: TRIES + 2,
      bootOptions: { stopOnMarker: (m) => m.key === "FROZEN", stopSignal: "SIGKILL" },
      observe: async (result) => {
        const entries = await entryFiles(esp);
        await ctx.observed(`entries after ${result.label}`, entries.join(" "));
        ctx.sequence.push(markerValue(result, "LOADER_ENTRY_SELECTED") ?? "?");
        return entries;
      },
      until: ({ result }) => markerValue(result, "BOOTED") === "old",
    });
    ctx.expectEqual(steps.length, TRIES + 1, "boots until the old entry started");
    for (const [i, { result, observed }] of steps.entries()) {
      if (i < TRIES) {
        ctx.expect(result.stoppedOnMarker && result.signal === "SIGKILL", `${result.label}: the power was not cut at FROZEN (${result.signal ?? result.exitCode})`);
        ctx.expectEqual(markerValue(result, "LOADER_ENTRY_SELECTED"), countedEntryFile("new", TRIES - i, i), `${result.label}: LoaderEntrySelected`);
        ctx.expectEqual(observed, [countedEntryFile("new", TRIES - i - 1, i + 1), "old.conf"], `${result.label}: entries after the power cut`);
      } else {
        ctx.expectCleanEnd(result);
        ctx.expectEqual(markerValue(result, "BOOTED"), "old", `${result.label}: booted entry`);
        ctx.expectEqual(observed, [countedEntryFile("new", 0, TRIES), "old.conf"], `${result.label}: entries afterwards`);
      }
    }
    await ctx.expectPredicted(prediction, steps.map((st) => st.result), "issue 8 #10");
    const fsck = await esp.fsck();
    await ctx.observed("fsck.vfat -n", fsck.report);
    ctx.expect(fsck.clean, `the ESP is not clean after the power cuts: ${fsck.report}`);
  },
};

export default scenario;
