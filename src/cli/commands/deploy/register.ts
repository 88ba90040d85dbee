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
};
