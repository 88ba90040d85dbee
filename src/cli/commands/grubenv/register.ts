/** Verbs of the GRUB environment block domain. Declarations only; bodies load lazily (see ../../invocation.ts). */
import type { RegisterCommands } from "../../invocation.ts";

export const registerGrubenv: RegisterCommands = (cli, define) => {
  define(
    cli
      .command("grubenv [...args]", "Edit the GRUB environment block like grub-editenv: [FILE] create | list | set NAME=VALUE... | unset NAME...")
      .usage("grubenv [FILE] create | list | set NAME=VALUE... | unset NAME...\n\n  FILE '-' or omitted: the grubenv GRUB reads (/boot/grub/grubenv, /boot/grub2/grubenv or EFI/*/grubenv on the ESP, under --root)\n  FILE given: a path inside --root (read as in a chroot there)")
      .option("-v, --verbose", "Accepted for grub-editenv compatibility (no effect)")
      .example("bootctl-ts grubenv /boot/grub/grubenv set saved_entry=0 boot_success=1")
      .example("bootctl-ts --json grubenv list"),
    () => import("./grubenv.ts"),
  );
};
