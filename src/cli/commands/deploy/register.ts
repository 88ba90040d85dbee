/** Verbs of boot assessment and deployment. Declarations only; bodies load lazily. */
import type { RegisterCommands } from "../../invocation.ts";

export const registerDeploy: RegisterCommands = (cli, define) => {
  define(
    cli
      .command("bless-boot [verb]", "Mark the current boot good, bad or indeterminate, or print its state (status, the default)")
      .usage("bless-boot [status|good|bad|indeterminate]")
      .example("bootctl-ts bless-boot good"),
    () => import("./bless-boot.ts"),
  );
  define(
    cli
      .command("health", "Run the health checks (required.d, wanted.d), then the green.d or red.d hooks")
      .option("--timeout <seconds>", "Time limit per check (default 120)"),
    () => import("./health.ts"),
  );
  define(
    cli
      .command("install-units", "Install the boot-success service and its systemd units (under --root) and enable them")
      .option("--node <path>", "Path of node in the target system (default /usr/bin/node)"),
    () => import("./install-units.ts"),
  );
};
