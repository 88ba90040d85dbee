/** Verbs of the EFI variables domain. Declarations only; bodies load lazily (see ../../invocation.ts). */
import type { RegisterCommands } from "../../invocation.ts";

export const registerEfi: RegisterCommands = (cli, define) => {
  define(
    cli
      .command("efi <action> [...args]", "UEFI boot manager variables: list, set-next, clear-next, set-order, delete, set-active, set-inactive, create")
      .usage("efi list [-v] | efi set-next N | efi clear-next | efi set-order N,N,... | efi delete N | efi set-active N | efi set-inactive N | efi create --disk IMG --part N --loader PATH --label TEXT")
      .option("-v, --verbose", "list: show device paths and optional data, like efibootmgr -v")
      .option("--disk <image>", "create: disk image or block device holding the ESP (its GPT fills the HD() node)")
      .option("--part <n>", "create: partition number of the ESP on --disk")
      .option("--loader <path>", "create: loader path on the ESP, e.g. \\EFI\\debian\\shimx64.efi")
      .option("--label <text>", "create: description of the new boot option")
      .option("--inactive", "create: create the option inactive (efibootmgr -A)")
      .example("bootctl-ts efi list -v")
      .example("bootctl-ts --efivars-path ./vars efi set-order 0001,0000"),
    () => import("./efi.ts"),
  );
};
