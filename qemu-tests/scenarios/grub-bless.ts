/**
 * GRUB 2.06, success path: the new entry's first boot counts boot_counter 3 → 2 in grubenv, the
 * guest marks it good by removing boot_counter from grubenv (rewriting the 1024-byte block in
 * place; a busybox stand-in until bootctl-ts does it), and the next boot starts the new entry with
 * no trial running. grubenv is read back with mtools and `grub-editenv FILE list` after each boot.
 */
import { guestCmdline } from "../lib/guest-init.ts";
import { installGrub, readGrubenv, renderCountingGrubCfg } from "../lib/grub.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const scenario: Scenario = {
  name: "grub-bless",
  title: "GRUB: boot_counter=3, the new entry boots and clears the counter in the guest → it boots again uncounted",
  loader: "grub",
  budgetMs: 30_000,
  async run(ctx: ScenarioContext) {
    const esp = await ctx.newDisk();
    await installGrub(esp, {
      grubEfi: await ctx.assets.grubEfi(),
      vmlinuz: ctx.assets.kernel.vmlinuz,
      initrd: ctx.assets.initramfs.path,
      grubCfg: renderCountingGrubCfg([
        { id: "new", title: "New (under test)", cmdline: guestCmdline("new", [{ grubenvUnset: "boot_counter" }, "poweroff"]) },
        { id: "old", title: "Old (known good)", cmdline: guestCmdline("old", ["poweroff"]) },
      ]),
      env: { default_entry: "new", fallback_entry: "old", boot_counter: "3" },
    });
    const machine = await ctx.machine({ disk: esp });
    const blessed = { default_entry: "new", fallback_entry: "old" };
    for (const [label, counter] of [["boot-1", "2"], ["boot-2", ""]] as const) {
      const result = await machine.boot();
      const env = await readGrubenv(esp);
      await ctx.observed(`grubenv after ${label}`, env);
      ctx.sequence.push(`${markerValue(result, "GRUB_CHOSEN") ?? "?"}(${markerValue(result, "GRUB_COUNTER") ?? "?"})`);
      ctx.expectCleanEnd(result);
      ctx.expectEqual(markerValue(result, "GRUB_COUNTER"), counter, `${label}: GRUB's counter`);
      ctx.expectEqual(markerValue(result, "GRUB_CHOSEN"), "new", `${label}: GRUB's choice`);
      ctx.expectEqual(markerValue(result, "BOOTED"), "new", `${label}: booted entry`);
      ctx.expectEqual(markerValue(result, "GRUBENV_UNSET"), "boot_counter", `${label}: the guest's grubenv edit`);
      ctx.expectEqual(env, blessed, `${label}: grubenv afterwards`);
    }
    const fsck = await esp.fsck();
    await ctx.observed("fsck.vfat -n", fsck.report);
    ctx.expect(fsck.clean, `the ESP is not clean after the guest's grubenv rewrite: ${fsck.report}`);
  },
};

export default scenario;
