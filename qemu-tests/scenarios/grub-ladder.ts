/**
 * GRUB 2.06, automatic fallback with a grubenv counter: a standalone GRUB whose grub.cfg loads
 * boot_counter from the ESP's grubenv, counts it down with save_env before each boot of the new
 * entry, and boots the fallback entry once it reaches 0. The new entry's system reboots without
 * marking success every time. After each boot the host copies grubenv out with mtools and reads
 * it with `grub-editenv FILE list`.
 */
import { guestCmdline } from "../lib/guest-init.ts";
import { installGrub, readGrubenv, renderCountingGrubCfg } from "../lib/grub.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const TRIES = 3;

const scenario: Scenario = {
  name: "grub-ladder",
  title: "GRUB: boot_counter=3 in grubenv, new entry reboots every time → 2, 1, 0, then the fallback entry boots",
  loader: "grub",
  budgetMs: 40_000,
  async run(ctx: ScenarioContext) {
    const esp = await ctx.newDisk();
    const initialEnv = { default_entry: "new", fallback_entry: "old", boot_counter: String(TRIES) };
    await installGrub(esp, {
      grubEfi: await ctx.assets.grubEfi(),
      vmlinuz: ctx.assets.kernel.vmlinuz,
      initrd: ctx.assets.initramfs.path,
      grubCfg: renderCountingGrubCfg([
        { id: "new", title: "New (under test)", cmdline: guestCmdline("new", ["reboot"]) },
        { id: "old", title: "Old (known good)", cmdline: guestCmdline("old", ["poweroff"]) },
      ]),
      env: initialEnv,
    });
    ctx.expectEqual(await readGrubenv(esp), initialEnv, "grubenv before the first boot");
    const machine = await ctx.machine({ disk: esp });
    const steps = await machine.bootSequence({
      maxBoots: TRIES + 2,
      observe: async (result) => {
        const env = await readGrubenv(esp);
        await ctx.observed(`grubenv after ${result.label}`, env);
        ctx.sequence.push(`${markerValue(result, "GRUB_CHOSEN") ?? "?"}(${markerValue(result, "GRUB_COUNTER") ?? "?"})`);
        return env;
      },
      until: ({ result }) => markerValue(result, "BOOTED") === "old",
    });

    ctx.expectEqual(steps.length, TRIES + 1, "boots until the fallback entry started");
    for (const [i, { result, observed }] of steps.entries()) {
      ctx.expectCleanEnd(result);
      const left = String(Math.max(TRIES - i - 1, 0));
      const entry = i < TRIES ? "new" : "old";
      ctx.expectEqual(markerValue(result, "GRUB_CHOSEN"), entry, `${result.label}: GRUB's choice`);
      ctx.expectEqual(markerValue(result, "GRUB_COUNTER"), left, `${result.label}: GRUB's counter`);
      ctx.expectEqual(markerValue(result, "BOOTED"), entry, `${result.label}: booted entry`);
      ctx.expectEqual(markerValue(result, "RESULT")?.split(" ")[0], i < TRIES ? "reboot" : "poweroff", `${result.label}: guest result`);
      ctx.expectEqual(observed, { ...initialEnv, boot_counter: left }, `${result.label}: grubenv afterwards`);
    }
    const fsck = await esp.fsck();
    await ctx.observed("fsck.vfat -n", fsck.report);
    ctx.expect(fsck.clean, `the ESP is not clean after GRUB's save_env: ${fsck.report}`);
  },
};

export default scenario;
