/**
 * Issue 8 #8 (systemd-boot) and #10: UEFI BootNext set inside the guest. The guest creates a boot
 * option for a second loader on its ESP with `bootctl-ts efi create` (like `efibootmgr -c`), sets
 * `efi set-next` to it (after restoring BootOrder, which `efi create` changes like efibootmgr -c
 * does, with `efi set-order`; lib/bootnext.ts) and a systemd-boot one-shot entry. The firmware must
 * start that option once (UEFI 2.x §3.1.2: BootNext is deleted before the option is started):
 * boot 2 is the other loader (a tiny GRUB EFI payload that prints a marker and powers off;
 * systemd-boot does not run, so the one-shot stays), boot 3 is back on the disk's default option
 * (Boot0001), where systemd-boot takes the one-shot.
 *
 * Issue 8 #10: `bootctl-ts predict` simulates the boot loader, not the firmware's boot manager; it
 * does not read BootNext. So before every boot the host exports the machine's NVRAM and compares
 * - the firmware's choice with BootNext/BootOrder as the real `bootctl-ts efi list` reads them
 *   (boot 2 starts the option BootNext names; before boot 3 BootNext is gone and BootOrder, restored
 *   without the new option, leads the firmware back to Boot0001), and
 * - systemd-boot's choice with `predict --json` on the ESP read back and those variables: boot 1
 *   the first entry, boot 3 the one-shot (boot 2 did not run systemd-boot, so the prediction made
 *   before boot 2 is the one boot 3 must follow, and the one made before boot 3 must agree).
 */
import { ALT_LABEL, efiListing, installBootNextKit, SET_NEXT_SCRIPT_NAME } from "../lib/bootnext.ts";
import { guestCmdline } from "../lib/guest-init.ts";
import { EspTree } from "../lib/host-bootctl.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const scenario: Scenario = {
  name: "sd-8-bootnext",
  title: "UEFI + systemd-boot: `efi create` + `efi set-next` in the guest → the firmware starts that option once, then Boot0001 again",
  loader: "systemd-boot",
  budgetMs: 40_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
    await tree.installSystemdBoot();
    await installBootNextKit(tree.esp, ctx.dir, 'bootctl_ts set-oneshot test-1.0.conf; mark "ONESHOT_RC=$?"\n');
    await tree.add({ version: "1.0", title: "Once", kernel: vmlinuz, initrd, options: guestCmdline("once", ["poweroff"]) });
    await tree.add({ version: "2.0", title: "Main", kernel: vmlinuz, initrd, options: guestCmdline("main", [{ script: SET_NEXT_SCRIPT_NAME }, "poweroff"]) });
    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });
    const log = (l: string): Promise<void> => ctx.log(l);

    const p1 = await tree.predictImage(esp, { vars: machine.vars });
    const first = await machine.boot();
    ctx.noteBoot(first);
    ctx.expectCleanEnd(first);
    ctx.expectEqual(markerValue(first, "BOOTED"), "main", "boot-1: booted entry");
    await ctx.expectPredicted(p1, [first], "boot-1: issue 8 #10");
    ctx.expectEqual(markerValue(first, "EFI_CREATE_RC"), "0", "boot-1: efi create exit status");
    const created = (markerValue(first, "EFI_CREATED") ?? "").toUpperCase();
    ctx.expect(/^[0-9A-F]{4}$/.test(created), `boot-1: efi create did not name the new option (${created})`);
    ctx.expectEqual(markerValue(first, "EFI_SET_ORDER_RC"), "0", "boot-1: efi set-order exit status");
    ctx.expectEqual(markerValue(first, "EFI_SET_NEXT_RC"), "0", "boot-1: efi set-next exit status");
    ctx.expectEqual(markerValue(first, "ONESHOT_RC"), "0", "boot-1: set-oneshot exit status");

    const nvram2 = await efiListing(machine.vars, ctx.scratch("efivars-2"), log);
    await ctx.observed("efi list before boot-2", nvram2.text.trim().split("\n").join(" | "));
    ctx.expectEqual(nvram2.bootNext, created, "before boot-2: BootNext in the NVRAM (efi list)");
    const p2 = await tree.predictImage(esp, { vars: machine.vars });
    const second = await machine.boot();
    ctx.noteBoot(second, "alt payload");
    ctx.expectCleanEnd(second);
    ctx.expectEqual(second.bootOptions.map((b) => `${b.option} ${b.description}`), [`Boot${nvram2.bootNext} ${ALT_LABEL}`], "boot-2: the option the firmware started is the one BootNext named");
    ctx.expectEqual(markerValue(second, "BOOTED"), "alt", "boot-2: booted loader");

    const nvram3 = await efiListing(machine.vars, ctx.scratch("efivars-3"), log);
    await ctx.observed("efi list before boot-3", nvram3.text.trim().split("\n").join(" | "));
    ctx.expectEqual(nvram3.bootNext, undefined, "before boot-3: BootNext (deleted by the firmware before it started the option)");
    const p3 = await tree.predictImage(esp, { vars: machine.vars });
    const third = await machine.boot();
    ctx.noteBoot(third);
    ctx.expectCleanEnd(third);
    // OVMF walks BootOrder (Boot0000 is its UiApp, an application it skips) to the disk's option.
    ctx.expect(nvram3.bootOrder.includes("0001") && !nvram3.bootOrder.includes(nvram2.bootNext ?? ""), `before boot-3: BootOrder ${nvram3.bootOrder.join(",")} (restored by efi set-order) should hold Boot0001 and not the BootNext option`);
    ctx.expectEqual(third.bootOptions.map((b) => b.option), ["Boot0001"], "boot-3: the firmware is back on the disk's option");
    ctx.expectEqual(markerValue(third, "BOOT_CURRENT"), "0001", "boot-3: BootCurrent");
    ctx.expectEqual(markerValue(third, "LOADER_ENTRY_SELECTED"), "test-1.0.conf", "boot-3: systemd-boot took the one-shot that boot-2 left alone");
    await ctx.expectPredicted(p2, [third], "boot-3 (systemd-boot's next run after the BootNext boot): issue 8 #10, predicted before boot-2");
    await ctx.expectPredicted(p3, [third], "boot-3: issue 8 #10");
  },
};

export default scenario;
