/**
 * A control for the harness itself: a disk whose ESP holds no boot loader. OVMF finds nothing to
 * start and falls through to its built-in UEFI Shell; the harness must see that on the serial
 * console and end the boot at once as "nothing booted", not wait for the hard timeout.
 */
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const scenario: Scenario = {
  name: "harness-shell",
  title: "harness: an ESP without a loader ends in the UEFI shell, detected at once",
  loader: "firmware",
  budgetMs: 20_000,
  async run(ctx: ScenarioContext) {
    const esp = await ctx.newDisk();
    await esp.mkdirs("/EFI/BOOT");
    const timeoutMs = 90_000;
    const machine = await ctx.machine({ disk: esp, timeoutMs });
    const result = await machine.boot();
    ctx.sequence.push(result.shell ? "UEFI shell" : "?");
    ctx.expect(result.shell, `the UEFI shell was not detected (see ${result.consoleLog})`);
    ctx.expect(!result.timedOut, "the boot ran into the hard timeout instead of stopping at the shell");
    ctx.expectEqual(result.markers.length, 0, "guest markers from a disk with nothing to boot");
  },
};

export default scenario;
