/**
 * Issue 16, the distribution's update path on a real Debian system (systemd as PID 1, the
 * bootctl-ts package installed with dpkg -i, /etc/kernel/tries = 3):
 *
 * 1. The installed kernel boots counted (kernel-install gave it +3 when systemd-boot was
 *    installed); bootctl-ts-health.service passes before boot-complete.target,
 *    bootctl-ts-bless.service blesses it after; systemd's systemd-bless-boot.service is skipped
 *    (the package's drop-in), so it is blessed once. Then a second real Debian kernel package
 *    (the release's security update) is installed with dpkg -i: its hooks run (initramfs-tools,
 *    zz-systemd-boot → kernel-install → bootctl-ts's plugin), and the machine reboots.
 * 2. The new kernel boots (+3 → +2-1); the required health check fails (it declares that kernel
 *    bad); systemd records the failure, boot-complete.target fails, OnFailure= starts
 *    bootctl-ts-boot-failure.service, which marks the entry bad and reboots.
 * 3. The previous kernel boots, passes, and bootctl-ts-bless.service runs after
 *    boot-complete.target. (Issue 20) It records the rollback (/var/lib/bootctl-ts/rollbacks.json,
 *    shown by `bootctl-ts status --json` in that boot), and the journal has the structured
 *    messages with their MESSAGE_IDs and BOOTCTL_TS_* fields: blessed (boot 1), health check
 *    failed and marked bad (boot 2), fell back (boot 3).
 *
 * Every boot's entry equals `bootctl-ts predict` on the disk before it; every assertion about
 * the guest comes from its journal, read from the disk after the boot.
 */
import type { GuestOsId } from "../lib/realos/guest-os.ts";
import { RealMachine } from "../lib/realos/machine.ts";
import { expectBefore, expectJournal, GrubView, journalLines, kernelEnd, SdbootView, units } from "../lib/realos/scenario-kit.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";
import { MACHINE_ID } from "../lib/realos/image.ts";
import { MESSAGE_IDS } from "../../src/ops/journal.ts";
import type { RealBoot } from "../lib/realos/machine.ts";

/** The journal entries of a boot with one of bootctl-ts's MESSAGE_IDs (structured, through logger --journald). */
function structured(boot: RealBoot, id: string): { message: string; fields: Record<string, string> }[] {
  return boot.journal.filter((e) => e.messageId === id).map((e) => ({ message: e.message, fields: e.fields ?? {} }));
}

const UNITS = ["bootctl-ts-health.service", "boot-complete.target", "bootctl-ts-bless.service", "systemd-bless-boot.service", "bootctl-ts-boot-failure.service", "btq-action.service"];

function sdUpdate(os: GuestOsId): Scenario {
  return {
    name: `os-${os}-sd-update`,
    title: `${os}, systemd-boot: dpkg -i of a second real kernel → it fails its required health check → OnFailure marks it bad, reboot → the previous kernel boots and is blessed after boot-complete.target`,
    loader: "systemd-boot",
    budgetMs: 300_000,
    async run(ctx: ScenarioContext) {
      const variant = await ctx.assets.realos.variant(os, "systemd-boot");
      const image = variant.image;
      const oldRelease = image.tree.kernelRelease;
      const newRelease = image.update.release;
      const machine = await RealMachine.create(ctx, variant);
      const view = await SdbootView.create(ctx, machine);
      const entry = (release: string, counter = ""): string => `${MACHINE_ID}-${release}${counter}.conf`;
      ctx.expectEqual(await view.entries(), [entry(oldRelease, "+3")], "entries as installed (kernel-install with /etc/kernel/tries = 3)");

      // 1. The installed kernel, counted; then the update.
      const { boot: first } = await view.boot({ script: `dpkg -i ${image.updateDebInGuest}`, end: "reboot", failIf: [newRelease], timeoutMs: 400_000 }, "installed kernel, then dpkg -i");
      ctx.expectEqual(markerValue(first.result, "BOOTED"), oldRelease, "boot-1: kernel");
      const u1 = await units(ctx, first, UNITS);
      ctx.expectEqual(u1["bootctl-ts-health.service"]!.result, "done", "boot-1: bootctl-ts-health.service");
      expectBefore(ctx, u1["bootctl-ts-health.service"]!, u1["boot-complete.target"]!, "boot-1: health before boot-complete.target");
      expectBefore(ctx, u1["boot-complete.target"]!, u1["bootctl-ts-bless.service"]!, "boot-1: bless after boot-complete.target");
      ctx.expectEqual(u1["bootctl-ts-bless.service"]!.result, "done", "boot-1: bootctl-ts-bless.service");
      // The package's drop-in: systemd's own unit is pulled in (LoaderBootCountPath is set) but skipped.
      ctx.expectEqual(u1["systemd-bless-boot.service"]!.result, "skipped", "boot-1: systemd-bless-boot.service (must not bless a second time)");
      ctx.expectEqual(journalLines(first, /Marked boot as 'good'/).length, 1, "boot-1: the boot was marked good once");
      const blessed = structured(first, MESSAGE_IDS.blessed);
      ctx.expectEqual(blessed.map((m) => [m.fields["BOOTCTL_TS_ENTRY"], m.fields["BOOTCTL_TS_LOADER"], m.fields["BOOTCTL_TS_TRIES_LEFT"]]), [[entry(oldRelease), "systemd-boot", "2"]], "boot-1: one structured 'blessed' entry (MESSAGE_ID, BOOTCTL_TS_ENTRY, tries left +3 → +2-1)");
      expectJournal(ctx, first, /Setting up linux-image-/, "dpkg configured the new kernel");
      ctx.expectEqual(markerValue(first.result, "SCRIPT_RC")?.split(" ")[0], "0", "boot-1: dpkg -i exit status");
      ctx.expectEqual(kernelEnd(first), "reboot", "boot-1: the machine rebooted after the update");
      ctx.expectEqual(await view.entries(), [entry(oldRelease), entry(newRelease, "+3")].sort(), "entries after the update");

      // 2. The new kernel fails its required check.
      const { boot: second } = await view.boot({ failIf: [newRelease] }, "new kernel, health check fails");
      ctx.expectEqual(markerValue(second.result, "BOOTED"), newRelease, "boot-2: kernel");
      const u2 = await units(ctx, second, UNITS);
      ctx.expectEqual(u2["bootctl-ts-health.service"]!.result, "failed", "boot-2: bootctl-ts-health.service");
      ctx.expectEqual(u2["boot-complete.target"]!.result, "dependency", "boot-2: boot-complete.target");
      ctx.expectEqual(u2["bootctl-ts-boot-failure.service"]!.result !== undefined || u2["bootctl-ts-boot-failure.service"]!.startingUs !== undefined, true, "boot-2: OnFailure started bootctl-ts-boot-failure.service");
      expectJournal(ctx, second, /entry marked bad; rebooting so the boot loader falls back/, "the failure service marked the entry bad and rebooted");
      const failedCheck = structured(second, MESSAGE_IDS.healthCheckFailed);
      ctx.expectEqual(failedCheck.map((m) => [m.fields["BOOTCTL_TS_CHECK"], m.fields["BOOTCTL_TS_CHECK_KIND"], m.fields["BOOTCTL_TS_CHECK_RESULT"]]), [["50-btq-check", "required", "exit status 1"]], "boot-2: a structured 'health check failed' entry");
      const markedBad = structured(second, MESSAGE_IDS.markedBad);
      ctx.expectEqual(markedBad.map((m) => [m.fields["BOOTCTL_TS_ENTRY"], m.fields["BOOTCTL_TS_TRIES_DONE"], m.fields["BOOTCTL_TS_REBOOT"]]), [[entry(newRelease), "1", "1"]], "boot-2: a structured 'marked bad' entry");
      ctx.expectEqual(kernelEnd(second), "reboot", "boot-2: the failure service rebooted");
      ctx.expectEqual(await view.entries(), [entry(oldRelease), entry(newRelease, "+0-1")].sort(), "entries after the failed boot (marked bad)");

      // 3. The previous kernel.
      const { boot: third } = await view.boot({ failIf: [newRelease], script: "bootctl-ts status --json=short" }, "previous kernel");
      ctx.expectEqual(markerValue(third.result, "BOOTED"), oldRelease, "boot-3: kernel");
      const u3 = await units(ctx, third, UNITS);
      ctx.expectEqual(u3["bootctl-ts-health.service"]!.result, "done", "boot-3: bootctl-ts-health.service");
      expectBefore(ctx, u3["boot-complete.target"]!, u3["bootctl-ts-bless.service"]!, "boot-3: bless after boot-complete.target");
      ctx.expectEqual(u3["bootctl-ts-bless.service"]!.result, "done", "boot-3: bootctl-ts-bless.service");
      // The previous kernel's entry was blessed at its first boot (boot-1): nothing is counting now.
      expectJournal(ctx, third, /not booted with boot counting in effect; nothing to mark/, "bless found the entry already good");
      // The rollback, seen by this boot's mark-good.
      const fellBack = structured(third, MESSAGE_IDS.fellBack);
      ctx.expectEqual(fellBack.map((m) => [m.fields["BOOTCTL_TS_ENTRY"], m.fields["BOOTCTL_TS_BOOTED"], m.fields["BOOTCTL_TS_TRIES_DONE"]]), [[entry(newRelease), entry(oldRelease), "1"]], "boot-3: one structured 'fell back' entry");
      ctx.expect(/^health checks failed(: 50-btq-check)?$/.test(fellBack[0]?.fields["BOOTCTL_TS_REASON"] ?? ""), `boot-3: the rollback's reason is the failed health check (${fellBack[0]?.fields["BOOTCTL_TS_REASON"]})`);
      const status = journalLines(third, /"lastRollback"/)[0] ?? "";
      const json = JSON.parse(status.slice(status.indexOf("{"))) as { lastRollback: { from: string; to: string; tries: number; reason: string } | null; rollbacksTotal: number };
      ctx.expectEqual([json.lastRollback?.from, json.lastRollback?.to, json.lastRollback?.tries, json.rollbacksTotal], [entry(newRelease), entry(oldRelease), 1, 1], "boot-3: status --json shows the rollback");
      ctx.expectEqual(kernelEnd(third), "poweroff", "boot-3: powered off by the test");
    },
  };
}

function grubUpdate(os: GuestOsId): Scenario {
  return {
    name: `os-${os}-grub-update`,
    title: `${os}, GRUB (Debian's grub-efi-amd64, update-grub with bootctl-ts's generators): dpkg -i of a second real kernel → trial fails its required health check → OnFailure marks it bad, reboot → GRUB boots the fallback, blessed after boot-complete.target`,
    loader: "grub",
    budgetMs: 300_000,
    async run(ctx: ScenarioContext) {
      const variant = await ctx.assets.realos.variant(os, "grub");
      const image = variant.image;
      const oldRelease = image.tree.kernelRelease;
      const newRelease = image.update.release;
      const machine = await RealMachine.create(ctx, variant);
      const view = await GrubView.create(ctx, machine);

      // 1. The installed kernel (its entry a trial with 3 tries: kernel-install with /etc/kernel/tries); then the update.
      const { boot: first, before: env1 } = await view.boot({ script: `dpkg -i ${image.updateDebInGuest}`, end: "reboot", failIf: [newRelease], timeoutMs: 400_000 }, "installed kernel, then dpkg -i");
      ctx.expectEqual(markerValue(first.result, "BOOTED"), oldRelease, "boot-1: kernel");
      ctx.expectEqual(env1["bootctl_tries"], "3", "boot-1: grubenv before: the installed kernel's trial has 3 tries");
      const u1 = await units(ctx, first, UNITS);
      ctx.expectEqual(u1["bootctl-ts-health.service"]!.result, "done", "boot-1: bootctl-ts-health.service");
      expectBefore(ctx, u1["bootctl-ts-health.service"]!, u1["boot-complete.target"]!, "boot-1: health before boot-complete.target");
      expectBefore(ctx, u1["boot-complete.target"]!, u1["bootctl-ts-bless.service"]!, "boot-1: bless after boot-complete.target");
      ctx.expectEqual(u1["bootctl-ts-bless.service"]!.result, "done", "boot-1: bootctl-ts-bless.service");
      expectJournal(ctx, first, /Setting up linux-image-/, "dpkg configured the new kernel");
      expectJournal(ctx, first, /Adding Boot Loader Specification entries \(bootctl-ts\)/, "update-grub ran bootctl-ts's 20_bootctl-ts generator");
      ctx.expectEqual(markerValue(first.result, "SCRIPT_RC")?.split(" ")[0], "0", "boot-1: dpkg -i exit status");
      ctx.expectEqual(kernelEnd(first), "reboot", "boot-1: the machine rebooted after the update");

      // 2. The new kernel's trial fails its required check.
      const { boot: second, before: env2 } = await view.boot({ failIf: [newRelease] }, "new kernel's trial, health check fails");
      await ctx.observed("menu after the update", (await view.menu()).map((e) => `${e.id} [${e.linux.split(" ")[0]}]`).join(", "));
      ctx.expectEqual(env2["bootctl_tries"], "3", "boot-2: grubenv before: the new kernel's trial has 3 tries");
      ctx.expectEqual(markerValue(second.result, "BOOTED"), newRelease, "boot-2: kernel");
      const u2 = await units(ctx, second, UNITS);
      ctx.expectEqual(u2["bootctl-ts-health.service"]!.result, "failed", "boot-2: bootctl-ts-health.service");
      ctx.expectEqual(u2["boot-complete.target"]!.result, "dependency", "boot-2: boot-complete.target");
      ctx.expect(u2["bootctl-ts-boot-failure.service"]!.startingUs !== undefined, "boot-2: OnFailure started bootctl-ts-boot-failure.service");
      ctx.expectEqual(kernelEnd(second), "reboot", "boot-2: the failure service rebooted");

      // 3. GRUB's fallback: the previous kernel.
      const { boot: third, before: env3 } = await view.boot({ failIf: [newRelease] }, "fallback");
      ctx.expectEqual(env3["bootctl_tries"], "0", "boot-3: grubenv before: the failed trial is out of tries (marked bad)");
      ctx.expectEqual(markerValue(third.result, "BOOTED"), oldRelease, "boot-3: kernel");
      const u3 = await units(ctx, third, UNITS);
      ctx.expectEqual(u3["bootctl-ts-health.service"]!.result, "done", "boot-3: bootctl-ts-health.service");
      expectBefore(ctx, u3["boot-complete.target"]!, u3["bootctl-ts-bless.service"]!, "boot-3: bless after boot-complete.target");
      ctx.expectEqual(kernelEnd(third), "poweroff", "boot-3: powered off by the test");
    },
  };
}

export default [sdUpdate("debian13"), sdUpdate("debian12"), grubUpdate("debian13"), grubUpdate("debian12")];
