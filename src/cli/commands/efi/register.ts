/** Verbs of the EFI variables domain. Declarations only; bodies load lazily (see ../../invocation.ts). */
import type { RegisterCommands } from "../../invocation.ts";

export const registerEfi: RegisterCommands = (_cli, _define) => {};
