/**
 * Issue 8 #2 (GRUB) and #10: a deployment added with `bootctl-ts add --loader grub --tries 3`
 * fails its first boot (reboots before anything marks it good), then comes up: the boot-success
 * service (`service.cjs health`, then `mark-good`, as its units run them) marks it good in the
 * grubenv. The contract (grub/README.md, GRUB_DEFAULT=saved): marking good makes the trial the
 * `saved_entry` and ends counting (bootctl_trial/tries/fallback removed, bootctl_state=good,
 * which GRUB clears at the next boot); from then on 00_header boots saved_entry, uncounted. The
 * host predicted the sequence with `predict --fail 1 --loader grub`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { guestCmdline } from "../lib/guest-init.ts";
import { guestRun } from "../lib/guest-runs.ts";
import { diskGrubenv, grubBootView, installGrubBls, writeGrubCfg } from "../lib/grub-bls.ts";
import { EspTree } from "../lib/host-bootctl.ts";
import { markerValue, type BootResult } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const scenario: Scenario = {
  name: "grub-2-fail-once-bless",
  title: "GRUB: `add --loader grub --tries 3` deployment fails once, then the service marks it good → saved_entry, counting ended",
  loader: "grub",
  budgetMs: 40_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
    await installGrubBls(tree, await ctx.assets.grubEfi());
    await tree.add({ version: "1.0", title: "Old", loader: "grub", kernel: vmlinuz, initrd, options: guestCmdline("test-1.0", ["poweroff"]) });
    await tree.cli(["--quiet", "set-default", "--loader", "grub", "test-1.0"]);
    await tree.add({
      version: "2.0", title: "New", loader: "grub", tries: 3, kernel: vmlinuz, initrd,
      options: guestCmdline("test-2.0", [{ failOnce: "first-boot" }, { check: "services-up", exit: 0 }, "boot-complete", "poweroff"]),
    });
    // The flag the new system's first boot trips over (guest step fail-once).
    await mkdir(join(tree.esp, "bootctl-test"), { recursive: true });
    await writeFile(join(tree.esp, "bootctl-test", "first-boot"), "fail\n");
    await writeGrubCfg(tree, ctx.dir);
    const prediction = await tree.predict({ fail: 1, loader: "grub" });

    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });
    const boots: BootResult[] = [];
    const envs: Record<string, string>[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await machine.boot();
      boots.push(result);
      ctx.noteBoot(result, `${markerValue(result, "BOOTED") ?? "?"}(${markerValue(result, "GRUB_TRIES") ?? "?"})`);
      const env = await diskGrubenv(esp);
      envs.push(env);
      await ctx.observed(`grubenv after ${result.label}`, env);
      ctx.expectCleanEnd(result);
    }
    const [first, second, third] = boots as [BootResult, BootResult, BootResult];

    ctx.expectEqual(grubBootView(first), { grubDefault: "test-2.0", tries: "2", once: "", booted: "test-2.0" }, "boot-1: GRUB's choice and counter");
    ctx.expectEqual(markerValue(first, "FAIL_ONCE"), "first-boot", "boot-1: the first boot failed");
    ctx.expectEqual(markerValue(first, "RESULT")?.split(" ")[0], "reboot", "boot-1: guest result");
    ctx.expectEqual(envs[0], {
      saved_entry: "test-1.0", bootctl_trial: "test-2.0", bootctl_tries: "2", bootctl_fallback: "test-1.0", bootctl_booted: "test-2.0",
    }, "grubenv after the failed boot");

    ctx.expectEqual(grubBootView(second), { grubDefault: "test-2.0", tries: "1", once: "", booted: "test-2.0" }, "boot-2: GRUB's choice and counter");
    ctx.expectEqual(markerValue(second, "BOOT_COMPLETE"), "reached", "boot-2: health checks");
    ctx.expectEqual(guestRun(second, ["mark-good"])?.status, 0, "boot-2: service.cjs mark-good exit status");
    ctx.expectEqual(envs[1], { saved_entry: "test-2.0", bootctl_booted: "test-2.0", bootctl_state: "good" }, "grubenv after the blessing boot (trial ended, saved_entry = the trial)");

    // No trial: the fragment only clears bootctl_state (saving an unset bootctl_tries removes it).
    ctx.expectEqual(grubBootView(third), { grubDefault: "test-2.0", tries: "", once: "", booted: "test-2.0" }, "boot-3: GRUB boots saved_entry, uncounted");
    ctx.expectEqual(guestRun(third, ["mark-good"])?.status, 0, "boot-3: mark-good on an uncounted boot exits 0");
    ctx.expectEqual(envs[2], { saved_entry: "test-2.0", bootctl_booted: "test-2.0", bootctl_state: "" }, "grubenv after boot-3 (GRUB cleared the mark)");

    await ctx.expectPredictedIds(prediction, [first, second].map((b) => markerValue(b, "BOOTED")), "issue 8 #10");
    ctx.expectEqual(prediction.finalId, markerValue(third, "BOOTED"), "prediction: the entry that boots from then on");
    const fsck = await esp.fsck();
    await ctx.observed("fsck.vfat -n", fsck.report);
    ctx.expect(fsck.clean, `the ESP is not clean after the boots: ${fsck.report}`);
  },
};

export default scenario;
