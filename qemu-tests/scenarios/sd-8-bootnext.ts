/**
 * Issue 8 #8: UEFI BootNext set inside the guest. The guest creates a boot option for a second
 * loader on its ESP with `bootctl-ts efi create` (like `efibootmgr -c`), sets `efi set-next` to
 * it (after restoring BootOrder, which `efi create` changes like efibootmgr -c does, with
 * `efi set-order`) and a systemd-boot one-shot entry. The firmware must start that option once (UEFI 2.x §3.1.2:
 * BootNext is deleted before the option is started): boot 2 is the other loader (a tiny GRUB EFI
 * payload that prints a marker and powers off; systemd-boot does not run, so the one-shot stays),
 * boot 3 is back on the disk's default option (Boot0001), where systemd-boot takes the one-shot.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exec } from "../lib/exec.ts";
import { guestCmdline, guestScriptPath } from "../lib/guest-init.ts";
import { EspTree } from "../lib/host-bootctl.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const ALT_LOADER = "\\EFI\\alt\\alt.efi";

const SET_NEXT_SCRIPT = `need_node && need_rw  # here, not in the $(…) subshells below
order=$(bootctl_ts efi list | sed -n 's/^BootOrder: //p')
mark "BOOT_ORDER_BEFORE=$order"
out=$(bootctl_ts efi create --disk /dev/vda --part 1 --loader '${ALT_LOADER}' --label Alt-payload 2>&1)
mark "EFI_CREATE_RC=$?"
printf '%s\\n' "$out" | while IFS= read -r l; do mark "EFI_CREATE_OUT=$l"; done
n=$(printf '%s\\n' "$out" | sed -n 's/.*created Boot\\([0-9A-Fa-f]\\{4\\}\\).*/\\1/p' | head -n 1)
mark "EFI_CREATED=$n"
# efibootmgr -c puts the new option first in BootOrder; restore the order so only BootNext selects it.
bootctl_ts efi set-order "$order"; mark "EFI_SET_ORDER_RC=$?"
bootctl_ts efi set-next "$n"; mark "EFI_SET_NEXT_RC=$?"
bootctl_ts set-oneshot test-1.0.conf; mark "ONESHOT_RC=$?"
`;

async function buildAltPayload(dir: string): Promise<string> {
  const cfg = join(dir, "alt.cfg");
  await writeFile(cfg, 'echo "BTQ:BOOTED=alt"\necho "BTQ:RESULT=halt"\nhalt\n');
  const out = join(dir, "alt.efi");
  await exec("grub-mkimage", ["-O", "x86_64-efi", "-p", "/EFI/alt", "-c", cfg, "-o", out, "echo", "halt"]);
  return out;
}

const scenario: Scenario = {
  name: "sd-8-bootnext",
  title: "UEFI: `efi create` + `efi set-next` in the guest → the firmware starts that option once, then Boot0001 again",
  loader: "firmware",
  budgetMs: 40_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
    await tree.installSystemdBoot();
    await mkdir(join(tree.esp, "EFI", "alt"), { recursive: true });
    await mkdir(join(tree.esp, "bootctl-test"), { recursive: true });
    await writeFile(join(tree.esp, "EFI", "alt", "alt.efi"), await readFile(await buildAltPayload(ctx.dir)));
    await writeFile(join(tree.esp, ...guestScriptPath("setnext").split("/").filter(Boolean)), SET_NEXT_SCRIPT);
    await tree.add({ version: "1.0", title: "Once", kernel: vmlinuz, initrd, options: guestCmdline("once", ["poweroff"]) });
    await tree.add({ version: "2.0", title: "Main", kernel: vmlinuz, initrd, options: guestCmdline("main", [{ script: "setnext" }, "poweroff"]) });
    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });

    const first = await machine.boot();
    ctx.noteBoot(first);
    ctx.expectCleanEnd(first);
    ctx.expectEqual(markerValue(first, "BOOTED"), "main", "boot-1: booted entry");
    ctx.expectEqual(markerValue(first, "EFI_CREATE_RC"), "0", "boot-1: efi create exit status");
    const created = markerValue(first, "EFI_CREATED") ?? "";
    ctx.expect(/^[0-9A-F]{4}$/i.test(created), `boot-1: efi create did not name the new option (${created})`);
    ctx.expectEqual(markerValue(first, "EFI_SET_ORDER_RC"), "0", "boot-1: efi set-order exit status");
    ctx.expectEqual(markerValue(first, "EFI_SET_NEXT_RC"), "0", "boot-1: efi set-next exit status");
    ctx.expectEqual(markerValue(first, "ONESHOT_RC"), "0", "boot-1: set-oneshot exit status");

    const second = await machine.boot();
    ctx.noteBoot(second, "alt payload");
    ctx.expectCleanEnd(second);
    ctx.expectEqual(second.bootOptions.map((b) => `${b.option} ${b.description}`), [`Boot${created.toUpperCase()} Alt-payload`], "boot-2: the option the firmware started");
    ctx.expectEqual(markerValue(second, "BOOTED"), "alt", "boot-2: booted loader");

    const third = await machine.boot();
    ctx.noteBoot(third);
    ctx.expectCleanEnd(third);
    ctx.expectEqual(third.bootOptions[0]?.option, "Boot0001", "boot-3: the firmware is back on the disk's option");
    ctx.expectEqual(markerValue(third, "BOOT_CURRENT"), "0001", "boot-3: BootCurrent");
    ctx.expectEqual(markerValue(third, "LOADER_ENTRY_SELECTED"), "test-1.0.conf", "boot-3: systemd-boot took the one-shot that boot-2 left alone");
  },
};

export default scenario;
