/** Verbs of the GRUB configuration domain. Declarations only; bodies load lazily (see ../../invocation.ts). */
import type { RegisterCommands } from "../../invocation.ts";

export const registerGrub: RegisterCommands = (_cli, _define) => {};
