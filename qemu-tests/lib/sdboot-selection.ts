/**
 * The set-up shared by the systemd-boot selection scenarios (issue 8 #3 set-oneshot, #4
 * set-default): two entries, 1.0 (the one to select) and 2.0 (first in order, whose guest runs
 * the verb and `status`); the first boot runs the verb, and the host reads the NVRAM afterwards
 * and asks `bootctl-ts predict` what comes next.
 */
import { guestCmdline } from "./guest-init.ts";
import { guestRun, runJson } from "./guest-runs.ts";
import { EspTree, exportEfivars } from "./host-bootctl.ts";
import { markerValue, type Machine } from "./qemu.ts";
import type { ScenarioContext } from "./scenario.ts";

export interface SelectionSetup {
  /** 1.0: the entry the verb selects (payload label and title). */
  target: { label: string; title: string };
  /** 2.0: the entry that boots first and runs the verb. */
  first: { label: string; title: string };
  verb: "set-oneshot" | "set-default";
}

export async function bootAndSelect(ctx: ScenarioContext, setup: SelectionSetup) {
  const { vmlinuz } = ctx.assets.kernel;
  const initrd = ctx.assets.initramfs.path;
  const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
  await tree.installSystemdBoot();
  await tree.add({ version: "1.0", title: setup.target.title, kernel: vmlinuz, initrd, options: guestCmdline(setup.target.label, ["poweroff"]) });
  await tree.add({
    version: "2.0", title: setup.first.title, kernel: vmlinuz, initrd,
    options: guestCmdline(setup.first.label, [{ cli: [setup.verb, "test-1.0.conf"] }, { cli: ["--json=short", "status"] }, "poweroff"]),
  });
  const esp = await ctx.newDisk();
  await tree.writeTo(esp);
  const machine: Machine = await ctx.machine({ disk: esp, node: true });

  const before = await tree.predict();
  const first = await machine.boot();
  ctx.noteBoot(first);
  ctx.expectCleanEnd(first);
  await ctx.expectPredicted(before, [first], "boot-1: issue 8 #10");
  ctx.expectEqual(markerValue(first, "LOADER_ENTRY_SELECTED"), "test-2.0.conf", "boot-1: LoaderEntrySelected (the default: first in order)");
  ctx.expectEqual(guestRun(first, [setup.verb])?.status, 0, `boot-1: ${setup.verb} exit status`);
  const status = guestRun(first, ["--json=short", "status"]);
  ctx.expect(status?.status === 0, "boot-1: status in the guest failed");
  const statusJson = runJson<{ oneShot: string | null; default: { id: string } | null }>(status);
  const prediction = await tree.predict({ efivars: await exportEfivars(machine.vars, ctx.scratch("efivars-1")) });
  return { machine, statusJson, prediction };
}
