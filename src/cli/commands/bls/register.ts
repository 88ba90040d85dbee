/** Verbs of the Boot Loader Specification (list, status) domain. Declarations only; bodies load lazily (see ../../invocation.ts). */
import type { RegisterCommands } from "../../invocation.ts";

export const registerBls: RegisterCommands = (_cli, _define) => {};
