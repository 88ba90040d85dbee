/**
 * Issue 8 #2 (systemd-boot) and #10: a deployment added with `bootctl-ts add --tries 3` fails its
 * first boot (the system reboots before anything marks it good), then comes up: the boot-success
 * service (`service.cjs health`, then `mark-good`, as its units run them) blesses it, i.e. renames
 * the entry to its name without counter (systemd-bless-boot semantics), so it stays the default
 * with no counting on later boots. The host predicted the sequence with `predict --fail 1`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { guestCmdline } from "../lib/guest-init.ts";
import { guestRun } from "../lib/guest-runs.ts";
import { EspTree } from "../lib/host-bootctl.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";
import { bootCountPath, entryFiles } from "../lib/sdboot.ts";

const scenario: Scenario = {
  name: "sd-2-fail-once-bless",
  title: "systemd-boot: `add --tries 3` deployment fails once, then the service blesses it → it stays the default, uncounted",
  loader: "systemd-boot",
  budgetMs: 40_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
    await tree.installSystemdBoot();
    await tree.add({ version: "1.0", title: "Old", kernel: vmlinuz, initrd, options: guestCmdline("old", ["poweroff"]) });
    await tree.add({
      version: "2.0", title: "New", tries: 3, kernel: vmlinuz, initrd,
      options: guestCmdline("new", [{ failOnce: "first-boot" }, { check: "services-up", exit: 0 }, "boot-complete", "poweroff"]),
    });
    // The flag the new system's first boot trips over (guest step fail-once).
    await mkdir(join(tree.esp, "bootctl-test"), { recursive: true });
    await writeFile(join(tree.esp, "bootctl-test", "first-boot"), "fail\n");
    const prediction = await tree.predict({ fail: 1 });

    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });
    const boots = [];
    const entriesAfter: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const result = await machine.boot();
      boots.push(result);
      ctx.noteBoot(result);
      entriesAfter.push(await entryFiles(esp));
      await ctx.observed(`entries after ${result.label}`, entriesAfter[i]!.join(" "));
      ctx.expectCleanEnd(result);
      ctx.expectEqual(markerValue(result, "BOOTED"), "new", `${result.label}: booted entry`);
    }
    const [first, second, third] = boots as [typeof boots[0], typeof boots[0], typeof boots[0]];

    ctx.expectEqual(markerValue(first, "LOADER_ENTRY_SELECTED"), "test-2.0+3.conf", "boot-1: LoaderEntrySelected");
    ctx.expectEqual(markerValue(first, "FAIL_ONCE"), "first-boot", "boot-1: the first boot failed");
    ctx.expectEqual(markerValue(first, "RESULT")?.split(" ")[0], "reboot", "boot-1: guest result");
    ctx.expectEqual(entriesAfter[0], ["test-1.0.conf", "test-2.0+2-1.conf"], "entries after the failed boot");

    ctx.expectEqual(markerValue(second, "LOADER_ENTRY_SELECTED"), "test-2.0+2-1.conf", "boot-2: LoaderEntrySelected");
    ctx.expectEqual(markerValue(second, "LOADER_BOOT_COUNT_PATH"), bootCountPath("test-2.0+1-2.conf"), "boot-2: LoaderBootCountPath");
    ctx.expectEqual(markerValue(second, "BOOT_COMPLETE"), "reached", "boot-2: health checks");
    ctx.expectEqual(guestRun(second, ["mark-good"])?.status, 0, "boot-2: service.cjs mark-good exit status");
    ctx.expectEqual(entriesAfter[1], ["test-1.0.conf", "test-2.0.conf"], "entries after the blessing boot (counter removed)");

    ctx.expectEqual(markerValue(third, "LOADER_ENTRY_SELECTED"), "test-2.0.conf", "boot-3: LoaderEntrySelected (the blessed entry stays the default)");
    ctx.expectEqual(markerValue(third, "LOADER_BOOT_COUNT_PATH"), "", "boot-3: LoaderBootCountPath (a blessed entry is not counted)");
    ctx.expectEqual(guestRun(third, ["mark-good"])?.status, 0, "boot-3: mark-good on an uncounted boot exits 0");
    ctx.expectEqual(entriesAfter[2], ["test-1.0.conf", "test-2.0.conf"], "entries after boot-3");

    await ctx.expectPredicted(prediction, [first, second], "issue 8 #10");
    ctx.expectEqual(prediction.finalId, markerValue(third, "LOADER_ENTRY_SELECTED"), "prediction: the entry that boots from then on");
    const fsck = await esp.fsck();
    await ctx.observed("fsck.vfat -n", fsck.report);
    ctx.expect(fsck.clean, `the ESP is not clean after the boots: ${fsck.report}`);
  },
};

export default scenario;
