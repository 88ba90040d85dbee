/** Verbs of the GRUB environment block domain. Declarations only; bodies load lazily (see ../../invocation.ts). */
import type { RegisterCommands } from "../../invocation.ts";

export const registerGrubenv: RegisterCommands = (_cli, _define) => {};
