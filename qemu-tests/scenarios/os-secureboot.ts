/**
 * Issue 16, Secure Boot enforced on a real Debian 13 system: OVMF's Secure Boot build
 * (OVMF_CODE_4M.secboot.fd) with Microsoft's keys enrolled (OVMF_VARS_4M.ms.fd), Microsoft-signed
 * shim → Debian-signed GRUB (shim-signed, grub-efi-amd64-signed, as grub-install put them on the
 * ESP) → Debian-signed kernel. GRUB runs bootctl-ts's counting script (09_bootctl_counting and the
 * rendered entries' hooks, save_env included) in lockdown: the updated kernel's trial boots, fails
 * its required check, is marked bad (which needs the record GRUB saved), and the fallback boots.
 * Then the ESP's GRUB is replaced by Debian's unsigned build of the same GRUB
 * (grub-efi-amd64-unsigned), and shim refuses it: Secure Boot is really on.
 */
import { join } from "node:path";
import { RealMachine } from "../lib/realos/machine.ts";
import { expectJournal, GrubView, kernelEnd } from "../lib/realos/scenario-kit.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const SECURE_BOOT = { code: "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", varsTemplate: "/usr/share/OVMF/OVMF_VARS_4M.ms.fd", smm: true };

const grubSecureBoot: Scenario = {
  name: "os-debian13-grub-secureboot",
  title: "debian13, Secure Boot (shim → signed GRUB → signed kernel, Microsoft keys): the counting script runs in GRUB, the failed trial is marked bad, the fallback boots; an unsigned GRUB is refused",
  loader: "grub",
  budgetMs: 180_000,
  async run(ctx: ScenarioContext) {
    const variant = await ctx.assets.realos.variant("debian13", "grub+updated");
    const oldRelease = variant.image.tree.kernelRelease;
    const newRelease = variant.image.update.release;
    const machine = await RealMachine.create(ctx, variant, { firmware: SECURE_BOOT });
    const view = await GrubView.create(ctx, machine);
    await ctx.observed("ESP loaders", (await machine.esp.list("/EFI/BOOT")).join(" "));

    const { boot: first, before } = await view.boot({ failIf: [newRelease] }, "updated kernel's trial under Secure Boot");
    ctx.expectEqual(before["bootctl_tries"], "3", "grubenv before boot-1: the trial's tries");
    ctx.expectEqual(markerValue(first.result, "BOOTED"), newRelease, "boot-1: kernel");
    expectJournal(ctx, first, /Secure boot enabled/, "the kernel saw Secure Boot on");
    // bless-boot bad acts only on the entry GRUB recorded (save_env in the trial's menu entry).
    expectJournal(ctx, first, /entry marked bad; rebooting so the boot loader falls back/, "the trial GRUB recorded was marked bad");
    ctx.expectEqual(kernelEnd(first), "reboot", "boot-1: rebooted");

    const { boot: second, before: env2 } = await view.boot({ failIf: [newRelease] }, "fallback under Secure Boot");
    ctx.expectEqual(env2["bootctl_tries"], "0", "grubenv before boot-2: the trial is out of tries");
    ctx.expectEqual(markerValue(second.result, "BOOTED"), oldRelease, "boot-2: the previous kernel");
    expectJournal(ctx, second, /Secure boot enabled/, "boot-2: Secure Boot on");
    ctx.expectEqual(kernelEnd(second), "poweroff", "boot-2: powered off by the test");

    // Debian's unsigned GRUB of the same release in place of the signed one: shim must refuse it.
    const unsigned = join(variant.image.tree.dir, "usr/lib/grub/x86_64-efi/monolithic/grubx64.efi");
    await machine.esp.copyIn(unsigned, "/EFI/BOOT/grubx64.efi");
    // Stop once shim's whole answer is on the console (the dialog line grows as it is drawn).
    const REFUSAL = /Verification failed: \([^)]*\) Security Violation|Access Denied/i;
    // Shim draws its dialog with cursor moves (console_alertbox), so the words can be split by
    // escape sequences on the serial line: match the text with the sequences taken out.
    const plain = (t: string) => t.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1b./g, "");
    const refused = await machine.machine.boot({ timeoutMs: 90_000, stopOnLine: (t) => REFUSAL.test(plain(t)) });
    ctx.noteBoot(refused, "unsigned GRUB: refused");
    const why = REFUSAL.exec(plain(refused.lines.map((l) => l.text).join("\n")))?.[0];
    await ctx.observed(`${refused.label}: the firmware's answer`, why ?? "(none)");
    ctx.expect(why !== undefined, `${refused.label}: shim did not refuse the unsigned GRUB (see ${refused.consoleLog})`);
    ctx.expect(refused.stoppedOnMarker && !refused.timedOut, `${refused.label}: ended by the host at the refusal`);
    ctx.expect(!refused.lines.some((l) => /Welcome to GRUB|Linux version/.test(l.text)), `${refused.label}: the unsigned GRUB ran`);
  },
};

export default [grubSecureBoot];
