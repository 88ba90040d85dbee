/**
 * Issue 8 #1 (systemd-boot) and #10: a new deployment installed with the real
 * `bootctl-ts add --tries 3` never comes up (its kernel panics every boot). systemd-boot tries it
 * three times, renaming the entry before each try (the boot-counting spec:
 * +3 → +2-1 → +1-2 → +0-3), then boots the previous deployment by itself. Inside that boot the
 * real `bootctl-ts status --json` must report the new entry as bad (out of tries) and the old one
 * as selected, with nothing left to assess. Before the first boot `bootctl-ts predict --json` runs
 * on the image tree from the host; the entries booted must be the ones it predicted.
 */
import { guestCmdline } from "../lib/guest-init.ts";
import { guestRun, runJson } from "../lib/guest-runs.ts";
import { EspTree } from "../lib/host-bootctl.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";
import { bootCountPath, entryFiles } from "../lib/sdboot.ts";

const TRIES = 3;

interface StatusJson {
  selected: string | null;
  bootAssessment: string | null;
  badEntries: string[];
  default: { id: string } | null;
}

const scenario: Scenario = {
  name: "sd-1-add-fallback",
  title: "systemd-boot: `add --tries 3` deployment panics every boot → +2-1, +1-2, +0-3, old boots; status there reports it bad",
  loader: "systemd-boot",
  budgetMs: 40_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
    await tree.installSystemdBoot();
    await tree.add({ version: "1.0", title: "Old", kernel: vmlinuz, initrd, options: guestCmdline("old", [{ cli: ["--json=short", "status"] }, "poweroff"]) });
    await tree.add({ version: "2.0", title: "New", tries: TRIES, kernel: vmlinuz, initrd, options: guestCmdline("new", ["panic"]) });
    // kernel-install's names: <entry-token>-<version>[+tries].conf.
    ctx.expectEqual(await tree.entryFiles(), ["test-1.0.conf", "test-2.0+3.conf"], "entries written by bootctl-ts add");
    const prediction = await tree.predict();

    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });
    const steps = await machine.bootSequence({
      maxBoots: TRIES + 2,
      observe: async (result) => {
        ctx.noteBoot(result);
        const entries = await entryFiles(esp);
        await ctx.observed(`entries after ${result.label}`, entries.join(" "));
        return entries;
      },
      until: ({ result }) => markerValue(result, "BOOTED") === "old",
    });

    // The boot-counting spec: LEFT-1, DONE+1 before each try; a +0 entry sorts last.
    for (const [i, { result, observed }] of steps.slice(0, TRIES).entries()) {
      ctx.expectCleanEnd(result);
      const before = `test-2.0+${TRIES - i}${i > 0 ? `-${i}` : ""}.conf`;
      const after = `test-2.0+${TRIES - i - 1}-${i + 1}.conf`;
      ctx.expectEqual(markerValue(result, "BOOTED"), "new", `${result.label}: booted entry`);
      ctx.expectEqual(markerValue(result, "LOADER_ENTRY_SELECTED"), before, `${result.label}: LoaderEntrySelected`);
      ctx.expectEqual(markerValue(result, "LOADER_BOOT_COUNT_PATH"), bootCountPath(after), `${result.label}: LoaderBootCountPath`);
      ctx.expect(result.panic, `${result.label}: the new deployment's kernel did not panic`);
      ctx.expectEqual(observed, ["test-1.0.conf", after], `${result.label}: entries afterwards`);
    }
    ctx.expectEqual(steps.length, TRIES + 1, "boots until the old deployment started");
    const last = steps[TRIES]!;
    ctx.expectCleanEnd(last.result);
    ctx.expectEqual(markerValue(last.result, "LOADER_ENTRY_SELECTED"), "test-1.0.conf", "fallback boot: LoaderEntrySelected");
    ctx.expectEqual(markerValue(last.result, "LOADER_BOOT_COUNT_PATH"), "", "fallback boot: LoaderBootCountPath (the old entry is not counted)");

    const status = guestRun(last.result, ["--json=short", "status"]);
    ctx.expect(status !== undefined && status.status === 0, `fallback boot: bootctl-ts status in the guest did not succeed (${status?.output.join(" | ") ?? "not run"})`);
    const json = runJson<StatusJson>(status);
    await ctx.observed("status --json in the fallback boot", json);
    ctx.expectEqual(json.selected, "test-1.0.conf", "status in the fallback boot: selected entry");
    ctx.expectEqual(json.badEntries, ["test-2.0.conf"], "status in the fallback boot: entries out of tries (fallen back from)");
    ctx.expectEqual(json.bootAssessment, "clean", "status in the fallback boot: assessment of an uncounted boot");

    await ctx.expectPredicted(prediction, steps.map((s) => s.result), "issue 8 #10");
    ctx.expectEqual(prediction.end, "blessed", "prediction: how the sequence ends");
    const fsck = await esp.fsck();
    await ctx.observed("fsck.vfat -n", fsck.report);
    ctx.expect(fsck.clean, `the ESP is not clean after the boots: ${fsck.report}`);
  },
};

export default scenario;
