/** Verbs of the Boot Loader Specification (list, status) domain. Declarations only; bodies load lazily (see ../../invocation.ts). */
import type { RegisterCommands } from "../../invocation.ts";

export const registerBls: RegisterCommands = (cli, define) => {
  define(
    cli
      .command("list", "List boot loader entries (Type #1 and #2) in boot order, like 'bootctl list'")
      .usage("list [--json=pretty|short]")
      .example("bootctl-ts --esp-path=/efi --boot-path=/boot list --json=pretty"),
    () => import("./list.ts"),
  );
  define(
    cli
      .command("status", "Show ESP/XBOOTLDR paths, boot loader facts, default/selected/one-shot entries and the boot-assessment state")
      .usage("status [--json=pretty|short] [--format=text|prometheus]")
      .option("--format <format>", "text (default), or prometheus: the boot-assessment metrics the service writes for node_exporter's textfile collector")
      .example("bootctl-ts status")
      .example("bootctl-ts status --format=prometheus")
      .example("bootctl-ts --root /mnt/image --esp-path=/efi status --json=short"),
    () => import("./status.ts"),
  );
};
