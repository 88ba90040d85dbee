/**
 * Issue 8 #4 (systemd-boot) and #10: `bootctl-ts set-default` run inside the guest writes
 * LoaderEntryDefault, which systemd-boot prefers over loader.conf and the first entry at every
 * boot (Boot Loader Interface), so the choice persists across boots. The host reads the NVRAM after
 * the first boot and checks the next boots against `bootctl-ts predict` with those variables.
 */
import { guestCmdline } from "../lib/guest-init.ts";
import { guestRun, runJson } from "../lib/guest-runs.ts";
import { EspTree, exportEfivars } from "../lib/host-bootctl.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const scenario: Scenario = {
  name: "sd-4-set-default",
  title: "systemd-boot: set-default in the guest → that entry boots at every later boot",
  loader: "systemd-boot",
  budgetMs: 50_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
    await tree.installSystemdBoot();
    await tree.add({ version: "1.0", title: "Chosen", kernel: vmlinuz, initrd, options: guestCmdline("chosen", ["poweroff"]) });
    await tree.add({
      version: "2.0", title: "First", kernel: vmlinuz, initrd,
      options: guestCmdline("first", [{ cli: ["set-default", "test-1.0.conf"] }, { cli: ["--json=short", "status"] }, "poweroff"]),
    });
    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });

    const first = await machine.boot();
    ctx.noteBoot(first);
    ctx.expectCleanEnd(first);
    ctx.expectEqual(markerValue(first, "LOADER_ENTRY_SELECTED"), "test-2.0.conf", "boot-1: LoaderEntrySelected (first in order)");
    ctx.expectEqual(guestRun(first, ["set-default"])?.status, 0, "boot-1: set-default exit status");
    const status = guestRun(first, ["--json=short", "status"]);
    ctx.expect(status?.status === 0, "boot-1: status in the guest failed");
    ctx.expectEqual(runJson<{ default: { id: string } | null }>(status).default?.id, "test-1.0.conf", "boot-1: status reports the new default");

    const prediction = await tree.predict({ efivars: await exportEfivars(machine.vars, ctx.scratch("efivars-1")) });
    const later = [await machine.boot(), await machine.boot()];
    for (const r of later) {
      ctx.noteBoot(r);
      ctx.expectCleanEnd(r);
      ctx.expectEqual(markerValue(r, "LOADER_ENTRY_SELECTED"), "test-1.0.conf", `${r.label}: LoaderEntrySelected (the default set in boot-1)`);
      ctx.expectEqual(markerValue(r, "LOADER_ENTRY_DEFAULT"), "test-1.0.conf", `${r.label}: LoaderEntryDefault`);
    }
    // predict stops at the first successful boot of the default; the second later boot is the same entry.
    await ctx.expectPredicted(prediction, later.slice(0, 1), "issue 8 #10 (after boot-1)");
    ctx.expectEqual(prediction.finalId, "test-1.0.conf", "prediction: the entry that boots from then on");
  },
};

export default scenario;
