/**
 * UEFI BootNext from inside the guest (issue 8 #8), shared by the systemd-boot and GRUB scenarios.
 *
 * A second loader sits on the ESP at ALT_LOADER: a tiny GRUB core image (grub-mkimage, no memdisk)
 * that prints `BTQ:BOOTED=alt` and powers off, so a boot of it shows that the firmware started
 * that option and not the disk's default one. The guest script SET_NEXT_SCRIPT creates a boot
 * option for it with `bootctl-ts efi create` (like `efibootmgr -c`, which also puts the new option
 * first in BootOrder), restores BootOrder with `efi set-order` so only BootNext selects it, and
 * sets `efi set-next` to it. Markers: BOOT_ORDER_BEFORE, EFI_CREATE_RC, EFI_CREATE_OUT,
 * EFI_CREATED (the new option's number), EFI_SET_ORDER_RC, EFI_SET_NEXT_RC.
 *
 * The firmware's choice is not something `bootctl-ts predict` models (it simulates the boot
 * loader); `efiListing` reads what the host can compare it with instead: the real
 * `bootctl-ts efi list` (efibootmgr's listing) on the machine's NVRAM, exported from its VARS.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exec } from "./exec.ts";
import { guestScriptPath } from "./guest-init.ts";
import { exportEfivars, hostCli } from "./host-bootctl.ts";

export const ALT_LOADER = "\\EFI\\alt\\alt.efi";
export const ALT_LABEL = "Alt-payload";
export const SET_NEXT_SCRIPT_NAME = "setnext";

export const SET_NEXT_SCRIPT = `need_node && need_rw  # here, not in the $(…) subshells below
# BootOrder as efibootmgr writes it (XXXX,YYYY), read straight from efivarfs (init.sh's efiu16).
order=$(efiu16 BootOrder $EFI_GLOBAL_GUID | sed 's/..../&,/g; s/,$//' | tr 'a-f' 'A-F')
mark "BOOT_ORDER_BEFORE=$order"
out=$(bootctl_ts efi create --disk /dev/vda --part 1 --loader '${ALT_LOADER}' --label ${ALT_LABEL} 2>&1)
mark "EFI_CREATE_RC=$?"
printf '%s\\n' "$out" | while IFS= read -r l; do mark "EFI_CREATE_OUT=$l"; done
n=$(printf '%s\\n' "$out" | sed -n 's/.*created Boot\\([0-9A-Fa-f]\\{4\\}\\).*/\\1/p' | head -n 1)
mark "EFI_CREATED=$n"
# efibootmgr -c puts the new option first in BootOrder; restore the order so only BootNext selects it.
bootctl_ts efi set-order "$order"; mark "EFI_SET_ORDER_RC=$?"
bootctl_ts efi set-next "$n"; mark "EFI_SET_NEXT_RC=$?"
`;

/** Puts the alternative loader and the set-next script (plus `extra` shell lines) into an ESP tree. */
export async function installBootNextKit(esp: string, scratchDir: string, extra = ""): Promise<void> {
  const cfg = join(scratchDir, "alt.cfg");
  await writeFile(cfg, 'echo "BTQ:BOOTED=alt"\necho "BTQ:RESULT=halt"\nhalt\n');
  const image = join(scratchDir, "alt.efi");
  await exec("grub-mkimage", ["-O", "x86_64-efi", "-p", "/EFI/alt", "-c", cfg, "-o", image, "echo", "halt"]);
  await mkdir(join(esp, "EFI", "alt"), { recursive: true });
  await mkdir(join(esp, "bootctl-test"), { recursive: true });
  await writeFile(join(esp, "EFI", "alt", "alt.efi"), await readFile(image));
  await writeFile(join(esp, ...guestScriptPath(SET_NEXT_SCRIPT_NAME).split("/").filter(Boolean)), SET_NEXT_SCRIPT + extra);
}

export interface EfiListing {
  bootNext: string | undefined;
  bootCurrent: string | undefined;
  bootOrder: string[];
  text: string;
}

/** `bootctl-ts efi list` (efibootmgr's format) on the NVRAM in `vars`, exported to `dir`. */
export async function efiListing(vars: string, dir: string, log?: (line: string) => Promise<void>): Promise<EfiListing> {
  const efivars = await exportEfivars(vars, dir);
  const { stdout } = await hostCli(["--efivars-path", efivars, "efi", "list"], log);
  const field = (name: string): string | undefined => new RegExp(`^${name}: (.*)$`, "m").exec(stdout)?.[1]?.trim();
  return { bootNext: field("BootNext"), bootCurrent: field("BootCurrent"), bootOrder: (field("BootOrder") ?? "").split(",").filter(Boolean), text: stdout };
}
