/**
 * systemd-boot, automatic fallback: a new entry with 3 tries whose system never comes up (its
 * kernel panics every boot) is tried three times, renamed by systemd-boot before each try
 * (new+3 → new+2-1 → new+1-2 → new+0-3, the boot-counting spec), and then the old entry boots by
 * itself. The host reads the ESP back with mtools after every boot.
 */
import { guestCmdline } from "../lib/guest-init.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";
import { bootCountPath, countedEntryFile, entryFiles, installSystemdBoot } from "../lib/sdboot.ts";

const TRIES = 3;

const scenario: Scenario = {
  name: "sdboot-fallback",
  title: "systemd-boot: new entry +3 panics every boot → +2-1, +1-2, +0-3, then the old entry boots",
  loader: "systemd-boot",
  budgetMs: 40_000,
  async run(ctx: ScenarioContext) {
    const esp = await ctx.newDisk();
    await installSystemdBoot(esp, {
      vmlinuz: ctx.assets.kernel.vmlinuz,
      initrd: ctx.assets.initramfs.path,
      // No `default`: a default matching the counted file would defeat the fallback.
      entries: [
        { file: countedEntryFile("new", TRIES), title: "New (under test)", sortKey: "test", version: "2", options: guestCmdline("new", ["panic"]) },
        { file: countedEntryFile("old"), title: "Old (known good)", sortKey: "test", version: "1", options: guestCmdline("old", ["poweroff"]) },
      ],
    });
    ctx.expectEqual(await entryFiles(esp), ["new+3.conf", "old.conf"], "entries before the first boot");
    const machine = await ctx.machine({ disk: esp });
    const steps = await machine.bootSequence({
      maxBoots: TRIES + 2,
      observe: async (result) => {
        const entries = await entryFiles(esp);
        await ctx.observed(`entries after ${result.label}`, entries.join(" "));
        ctx.sequence.push(markerValue(result, "LOADER_ENTRY_SELECTED") ?? markerValue(result, "BOOTED") ?? "?");
        return entries;
      },
      until: ({ result }) => markerValue(result, "BOOTED") === "old",
    });

    for (const [i, { result, observed }] of steps.entries()) {
      ctx.expectCleanEnd(result);
      if (i < TRIES) {
        const selected = countedEntryFile("new", TRIES - i, i);
        const renamed = countedEntryFile("new", TRIES - i - 1, i + 1);
        ctx.expectEqual(markerValue(result, "BOOTED"), "new", `${result.label}: booted entry`);
        ctx.expectEqual(markerValue(result, "LOADER_ENTRY_SELECTED"), selected, `${result.label}: LoaderEntrySelected`);
        ctx.expectEqual(markerValue(result, "LOADER_BOOT_COUNT_PATH"), bootCountPath(renamed), `${result.label}: LoaderBootCountPath`);
        ctx.expect(result.panic && markerValue(result, "RESULT")?.startsWith("panic") === true, `${result.label}: the guest did not panic`);
        ctx.expectEqual(observed, [renamed, "old.conf"], `${result.label}: entries on the ESP afterwards`);
      }
    }
    ctx.expectEqual(steps.length, TRIES + 1, "boots until the old entry started");
    const last = steps[TRIES];
    ctx.expect(last !== undefined, "no fallback boot");
    ctx.expectEqual(markerValue(last.result, "BOOTED"), "old", "fallback boot: booted entry");
    ctx.expectEqual(markerValue(last.result, "LOADER_ENTRY_SELECTED"), "old.conf", "fallback boot: LoaderEntrySelected");
    ctx.expectEqual(markerValue(last.result, "LOADER_BOOT_COUNT_PATH"), "", "fallback boot: LoaderBootCountPath (old.conf is not counted)");
    ctx.expectEqual(last.observed, [countedEntryFile("new", 0, TRIES), "old.conf"], "entries after the fallback boot");
    const fsck = await esp.fsck();
    await ctx.observed("fsck.vfat -n", fsck.report);
    ctx.expect(fsck.clean, `the ESP is not clean after the boots: ${fsck.report}`);
  },
};

export default scenario;
