/** Default and one-shot selection, and menu timeouts, on systemd-boot or GRUB. Declarations only. */
import type { LazyCommandBody, RegisterCommands } from "../../invocation.ts";
import type { SelectionVerb } from "./select.ts";

const body = (verb: SelectionVerb): LazyCommandBody => () =>
  import("./select.ts").then((m) => ({ default: (invocation) => m.runSelection(invocation, verb) }));

export const registerSelect: RegisterCommands = (cli, define) => {
  const loader = ["--loader <name>", "systemd-boot or grub (default: detected)"] as const;
  const force = ["--force", "Write the id even when it matches no entry of the menu"] as const;
  define(cli.command("set-default <id>", "Boot this entry by default: LoaderEntryDefault (systemd-boot) or saved_entry (GRUB); '' removes; an id that matches no entry is refused").option(...loader).option(...force).example("bootctl-ts set-default fedora-6.12.1-200.fc41.x86_64.conf").example("bootctl-ts set-default --loader grub 0"), body("set-default"));
  define(cli.command("set-oneshot <id>", "Boot this entry once, at the next boot: LoaderEntryOneShot (systemd-boot) or next_entry (GRUB); '' removes; an id that matches no entry is refused").option(...loader).option(...force).example("bootctl-ts set-oneshot @default"), body("set-oneshot"));
  define(cli.command("set-timeout <seconds>", "Menu timeout (systemd-boot): seconds, menu-force, menu-hidden, menu-disabled; '' removes. LoaderConfigTimeout, or on an image (--root without --efivars-path) loader.conf's timeout").option(...loader).example("bootctl-ts set-timeout 5").example("bootctl-ts set-timeout menu-force"), body("set-timeout"));
  define(cli.command("set-timeout-oneshot <seconds>", "Menu timeout for the next boot only (systemd-boot)").option(...loader).example("bootctl-ts set-timeout-oneshot 30"), body("set-timeout-oneshot"));
};
