/**
 * Issue 8 #4 (GRUB), #8 (GRUB) and #10: `bootctl-ts set-default` run inside the guest writes
 * `saved_entry` (grub-set-default semantics); 00_header boots it at every later boot. The same
 * boot also sets UEFI BootNext to another loader on the ESP with `bootctl-ts efi create` +
 * `efi set-order` + `efi set-next` (lib/bootnext.ts): the firmware starts that option once
 * instead of GRUB (boot 2, UEFI 2.x §3.1.2), then GRUB again from Boot0001 with the saved default
 * (boots 3 and 4).
 *
 * Issue 8 #10: `predict --loader grub` simulates GRUB, not the firmware's BootNext; the firmware's
 * choice is compared with BootNext/BootOrder as the real `bootctl-ts efi list` reads them from the
 * exported NVRAM, and GRUB's choice with `predict --loader grub` run on the disk read back after
 * boot 1 (boot 2 did not run GRUB, so it is the next GRUB boot, boot 3, that must follow it).
 */
import { ALT_LABEL, efiListing, installBootNextKit, SET_NEXT_SCRIPT_NAME } from "../lib/bootnext.ts";
import { diskGrubenv, grubBootAndSelect, grubBootView } from "../lib/grub-bls.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const scenario: Scenario = {
  name: "grub-4-set-default",
  title: "GRUB: set-default in the guest → saved_entry at every later boot; BootNext set there too → the firmware starts that option once, then GRUB",
  loader: "grub",
  budgetMs: 50_000,
  async run(ctx: ScenarioContext) {
    const { esp, machine, first, envAfterFirst, prediction } = await grubBootAndSelect(ctx, "set-default", { target: "Chosen", first: "First" }, {
      prepare: (tree) => installBootNextKit(tree.esp, ctx.dir),
      steps: [{ script: SET_NEXT_SCRIPT_NAME }],
    });
    ctx.expectEqual(envAfterFirst, { saved_entry: "test-1.0" }, "grubenv after set-default (grub-set-default writes saved_entry)");
    for (const m of ["EFI_CREATE_RC", "EFI_SET_ORDER_RC", "EFI_SET_NEXT_RC"]) ctx.expectEqual(markerValue(first, m), "0", `boot-1: ${m}`);
    const created = (markerValue(first, "EFI_CREATED") ?? "").toUpperCase();
    ctx.expect(/^[0-9A-F]{4}$/.test(created), `boot-1: efi create did not name the new option (${created})`);

    const log = (l: string): Promise<void> => ctx.log(l);
    const nvram2 = await efiListing(machine.vars, ctx.scratch("efivars-2"), log);
    await ctx.observed("efi list before boot-2", nvram2.text.trim().split("\n").join(" | "));
    ctx.expectEqual(nvram2.bootNext, created, "before boot-2: BootNext in the NVRAM (efi list)");
    const alt = await machine.boot();
    ctx.noteBoot(alt, "alt payload");
    ctx.expectCleanEnd(alt);
    ctx.expectEqual(alt.bootOptions.map((b) => `${b.option} ${b.description}`), [`Boot${nvram2.bootNext} ${ALT_LABEL}`], "boot-2: the option the firmware started is the one BootNext named");
    ctx.expectEqual(markerValue(alt, "BOOTED"), "alt", "boot-2: booted loader");

    const nvram3 = await efiListing(machine.vars, ctx.scratch("efivars-3"), log);
    ctx.expectEqual(nvram3.bootNext, undefined, "before boot-3: BootNext (deleted by the firmware before it started the option)");
    const later = [await machine.boot(), await machine.boot()];
    for (const r of later) {
      ctx.noteBoot(r, markerValue(r, "BOOTED"));
      ctx.expectCleanEnd(r);
      ctx.expectEqual(grubBootView(r), { grubDefault: "test-1.0", tries: "", once: "", booted: "test-1.0" }, `${r.label}: saved_entry boots`);
    }
    // OVMF walks BootOrder (Boot0000 is its UiApp, an application it skips) to the disk's option.
    ctx.expect(nvram3.bootOrder.includes("0001") && !nvram3.bootOrder.includes(nvram2.bootNext ?? ""), `before boot-3: BootOrder ${nvram3.bootOrder.join(",")} (restored by efi set-order) should hold Boot0001 and not the BootNext option`);
    ctx.expectEqual(markerValue(later[0]!, "BOOT_CURRENT"), "0001", "boot-3: BootCurrent (the disk's option, GRUB)");
    ctx.expectEqual(await diskGrubenv(esp), { saved_entry: "test-1.0" }, "grubenv after the later boots (unchanged)");
    // predict stops at the first successful boot of the default; the second later boot is the same entry.
    await ctx.expectPredictedIds(prediction, later.slice(0, 1).map((b) => markerValue(b, "BOOTED")), "issue 8 #10 (after boot-1; boot-2 was the firmware's BootNext)");
    ctx.expectEqual(prediction.finalId, "test-1.0", "prediction: the entry that boots from then on");
  },
};

export default scenario;
