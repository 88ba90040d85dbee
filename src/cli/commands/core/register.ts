/** Verbs that belong to no boot loader: version comparison. */
import type { RegisterCommands } from "../../invocation.ts";

export const registerCore: RegisterCommands = (cli, define) => {
  define(
    cli
      .command("compare-versions [...args]", "Compare two versions: 'A B' prints A < B, A == B or A > B; 'A OP B' tests lt|le|eq|ne|ge|gt")
      .usage("compare-versions [--] A B | compare-versions [--] A OP B")
      .example("bootctl-ts compare-versions 6.1.0-18-amd64 6.1.0-9-amd64")
      .example("bootctl-ts compare-versions 252 lt 253"),
    () => import("./compare-versions.ts"),
  );
};
