/** Verbs of the GRUB configuration domain. Declarations only; bodies load lazily (see ../../invocation.ts). */
import type { RegisterCommands } from "../../invocation.ts";

export const registerGrub: RegisterCommands = (cli, define) => {
  define(
    cli
      .command("grub <action> [...args]", "GRUB configuration: menu (list the menu of a grub.cfg), default (which entry GRUB boots), check (grub-script-check), render (BLS entries to GRUB script)")
      .usage("grub menu [--grub-cfg FILE] | grub default [--grub-cfg FILE] [--grubenv FILE] | grub check FILE | grub render [--output FILE]\n\nEvery FILE is a path inside --root (read as in a chroot there), as bootctl --root reads paths.")
      .option("--grub-cfg <file>", "menu/default: the grub.cfg to read, inside --root (default: /boot/grub/grub.cfg, else /boot/grub2/grub.cfg)")
      .option("--grubenv <file>", "default: the grubenv GRUB's load_env reads, inside --root (default: grubenv next to the grub.cfg)")
      .option("--platform <name>", "default: GRUB's $grub_platform (efi, pc, emu; default efi)")
      .option("--output <file>", "render: write the script to FILE, inside --root (crash-safe), instead of standard output")
      .option("--esp-uuid <uuid>", "render: file system UUID of the ESP (entries on it search for it)")
      .option("--boot-uuid <uuid>", "render: file system UUID of XBOOTLDR (entries on it search for it)")
      .option("--esp-prefix <dir>", "render: directory before the paths of entries on the ESP, as GRUB sees them")
      .option("--boot-prefix <dir>", "render: directory before the paths of entries on XBOOTLDR, e.g. /boot for a /boot on the root file system (default on the running system: as grub-mkrelpath names the directory; / for none)")
      .example("bootctl-ts grub menu")
      .example("bootctl-ts --root /mnt grub check /boot/grub/grub.cfg")
      .example("bootctl-ts --json grub default --grub-cfg /boot/grub/grub.cfg --grubenv /boot/grub/grubenv")
      .example("bootctl-ts --esp-path=/efi --boot-path=/boot grub render")
      .example("bootctl-ts --boot-path=/boot grub render --boot-prefix=/boot"),
    () => import("./grub.ts"),
  );
};
