/** Verbs of the boot assessment and deployment domain. Declarations only; bodies load lazily (see ../../invocation.ts). */
import type { RegisterCommands } from "../../invocation.ts";

export const registerDeploy: RegisterCommands = (_cli, _define) => {};
