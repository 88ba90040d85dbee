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
 * compiled from source (about 8 ms when set in the launcher). Best effort: a Node without
 * `process.getBuiltinModule` or a V8 that refuses the flag runs with its defaults.
 */

/** 4 x V8 11.3's default interrupt budget (67,584 bytes of bytecode). */
export const SHORT_RUN_V8_FLAGS = "--interrupt-budget=270336";

/** Sets the flags, unless BOOTCTL_TS_V8_DEFAULTS=1 (set by the launcher in the run that writes the code cache). */
export function tuneV8ForShortRun(): void {
  if (process.env.BOOTCTL_TS_V8_DEFAULTS === "1") return;
  try {
    process.getBuiltinModule("node:v8").setFlagsFromString(SHORT_RUN_V8_FLAGS);
  } catch {
    // Only speed depends on it.
  }
}
