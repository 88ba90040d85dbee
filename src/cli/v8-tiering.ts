/**
 * V8's tiering, tuned for a command that lives a fraction of a second.
 *
 * V8 compiles a function with its optimizing compiler (TurboFan) on a background thread once the
 * function has run enough bytecode (the "interrupt budget", 66 KiB by default in Node 20's V8 11.3,
 * times a few ticks). A `list` of 2,000 entries crosses that budget in its last third: the
 * optimized code mostly lands after the loop that wanted it, the compiles compete with the garbage
 * collector's helper threads for the second core, and exiting waits for the compiles still
 * running (Node disposes V8's platform, which joins its worker threads). Measured on a 2-core
 * machine, medians of 31 and 15 alternating runs (default / 4x / 8x budget): `list` of 2,000
 * entries 136.2 / 132.5 / 131.2 ms; `grub check` of a 5,000-entry grub.cfg, long enough to profit
 * from optimized code, 128.9 / 128.4 / 136.8 ms. 4x keeps the first without costing the second.
 * Disabling TurboFan instead (`--turbo-filter=~`) doubled that `grub check`.
 *
 * Set once the verb's code is loaded, not at start-up: V8 checks its flags before it takes a code
 * cache, so Node's built-in modules and our bundle's cache loaded after a flag change would be
 * compiled from source (about 8 ms when set in the launcher).
 *
 * Only on the V8 it was measured on. V8's tiering flags are internal and change between
 * versions: V8 12 (Node 22) and later no longer have `--interrupt-budget` (setting it prints
 * "Error: unrecognized flag" on stderr and changes nothing), and V8 10 (Node 18) has it with
 * another default and another tiering around it. Other versions run with V8's defaults.
 */

import { builtinModule } from "../builtin-modules.ts";

/** Flags by V8 major version; 11 (Node 20): 4 x V8 11.3's default interrupt budget (67,584 bytes of bytecode). */
export const SHORT_RUN_V8_FLAGS: Readonly<Record<number, string>> = { 11: "--interrupt-budget=270336" };

/** The flags for the V8 this process runs on ("" when none are known to help). */
export function shortRunFlagsFor(v8Version: string): string {
  return SHORT_RUN_V8_FLAGS[Number.parseInt(v8Version, 10)] ?? "";
}

/** Sets the flags, unless BOOTCTL_TS_V8_DEFAULTS=1 (set by the launcher in the run that writes the code cache). */
export function tuneV8ForShortRun(): void {
  if (process.env.BOOTCTL_TS_V8_DEFAULTS === "1") return;
  const flags = shortRunFlagsFor(process.versions.v8);
  if (flags !== "") builtinModule("node:v8").setFlagsFromString(flags);
}
