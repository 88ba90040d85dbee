/**
 * Issue 16: what follows a distribution update on a real Debian system, each on systemd-boot
 * (Debian 12, systemd-boot 252) and on GRUB (Debian 13, GRUB 2.12). They start from the
 * "+updated" variant (lib/realos/provision.ts): the installed system after its first boot, in
 * which the release's update kernel was installed with dpkg -i (the update path itself, with its
 * journal, is os-update.ts).
 *
 * - healthy-update: the new kernel passes its checks and is blessed exactly once (one "Marked
 *   boot as 'good'" in the journal; systemd's own systemd-bless-boot.service is installed
 *   (systemd-boot's package) and skipped by bootctl-ts's drop-in);
 * - no-userspace: the new kernel's initrd is damaged on the disk (the host overwrites it: a
 *   write that went wrong), so the kernel cannot find its root (root=UUID= needs the initrd) and
 *   panics before any service runs; the loader's counting alone falls back;
 * - guard: every kernel fails its required health check: the new one is marked bad and the
 *   machine reboots into the previous one, which fails too; the bootloop guard stops rebooting.
 * Every boot's entry equals `bootctl-ts predict` on the disk before it.
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import type { GuestOsId } from "../lib/realos/guest-os.ts";
import { MACHINE_ID } from "../lib/realos/image.ts";
import { RealMachine, type RealBootOptions } from "../lib/realos/machine.ts";
import type { LoaderName } from "../lib/realos/provision.ts";
import { expectJournal, GrubView, journalLines, kernelEnd, SdbootView, units } from "../lib/realos/scenario-kit.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const UNITS = ["bootctl-ts-health.service", "boot-complete.target", "bootctl-ts-bless.service", "systemd-bless-boot.service", "bootctl-ts-boot-failure.service"];
const OS: Record<LoaderName, GuestOsId> = { "systemd-boot": "debian12", grub: "debian13" };
const short = (l: LoaderName): string => (l === "grub" ? "grub" : "sd");

async function start(ctx: ScenarioContext, loader: LoaderName) {
  const variant = await ctx.assets.realos.variant(OS[loader], `${loader}+updated`);
  const machine = await RealMachine.create(ctx, variant);
  const sd = loader === "systemd-boot" ? await SdbootView.create(ctx, machine) : undefined;
  const grub = loader === "grub" ? await GrubView.create(ctx, machine) : undefined;
  const boot = async (options: RealBootOptions, what: string) => (sd ? (await sd.boot(options, what)).boot : (await grub!.boot(options, what)).boot);
  return { variant, machine, sd, grub, boot, oldRelease: variant.image.tree.kernelRelease, newRelease: variant.image.update.release };
}

function healthy(loader: LoaderName): Scenario {
  return {
    name: `os-${OS[loader]}-${short(loader)}-healthy-update`,
    title: `${OS[loader]}, ${loader}: the updated kernel passes its health checks → blessed exactly once (systemd-bless-boot installed beside bootctl-ts)`,
    loader: loader === "grub" ? "grub" : "systemd-boot",
    budgetMs: 120_000,
    async run(ctx: ScenarioContext) {
      const s = await start(ctx, loader);
      const entry = (release: string, counter = ""): string => `${MACHINE_ID}-${release}${counter}.conf`;
      if (s.sd) ctx.expectEqual(await s.sd.entries(), [entry(s.oldRelease), entry(s.newRelease, "+3")], "entries after the update");
      const b = await s.boot({}, "updated kernel");
      ctx.expectEqual(markerValue(b.result, "BOOTED"), s.newRelease, "boot-1: kernel");
      const u = await units(ctx, b, UNITS);
      ctx.expectEqual(u["bootctl-ts-health.service"]!.result, "done", "boot-1: bootctl-ts-health.service");
      ctx.expectEqual(u["bootctl-ts-bless.service"]!.result, "done", "boot-1: bootctl-ts-bless.service");
      ctx.expectEqual(journalLines(b, /Marked boot as 'good'/).length, 1, "boot-1: marked good exactly once (journal)");
      if (s.sd) {
        // systemd-bless-boot-generator pulled systemd's unit in (LoaderBootCountPath is set); the drop-in skips it.
        ctx.expectEqual(u["systemd-bless-boot.service"]!.result, "skipped", "boot-1: systemd-bless-boot.service");
        ctx.expectEqual(await s.sd.entries(), [entry(s.oldRelease), entry(s.newRelease)], "entries after the boot: one rename, +2-1 → uncounted");
      } else {
        // No LoaderBootCountPath under GRUB: systemd's generator does not pull its unit in.
        ctx.expectEqual(u["systemd-bless-boot.service"]!.result, undefined, "boot-1: systemd-bless-boot.service is not started under GRUB");
        await s.grub!.snapshot();
        const env = await s.grub!.grubenv();
        await ctx.observed("grubenv after the boot", env);
        ctx.expectEqual(env["bootctl_trial"], undefined, "grubenv after the boot: the trial ended");
        ctx.expectEqual(env["saved_entry"], `bls:${MACHINE_ID}-${s.newRelease}`, "grubenv after the boot: saved_entry = the updated kernel's entry");
      }
      ctx.expectEqual(kernelEnd(b), "poweroff", "boot-1: powered off by the test");
    },
  };
}

function noUserspace(loader: LoaderName): Scenario {
  return {
    name: `os-${OS[loader]}-${short(loader)}-no-userspace`,
    title: `${OS[loader]}, ${loader}: the updated kernel's initrd is damaged → it panics before userspace (no root) → the loader's counting alone falls back to the previous kernel`,
    loader: loader === "grub" ? "grub" : "systemd-boot",
    budgetMs: 180_000,
    async run(ctx: ScenarioContext) {
      const s = await start(ctx, loader);
      const junk = ctx.scratch("damaged-initrd");
      await writeFile(junk, randomBytes(64 * 1024));
      const initrd = `/${MACHINE_ID}/${s.newRelease}/initrd.img-${s.newRelease}`;
      if (s.sd) await s.machine.esp.copyIn(junk, initrd);
      else await s.machine.replaceRootFile(`/boot${initrd}`, junk);
      await ctx.log(`damaged ${initrd} (64 KiB of random bytes)`);
      for (let i = 1; i <= 3; i++) {
        const b = await s.boot({ timeoutMs: 90_000 }, `updated kernel, try ${i}`);
        ctx.expect(b.result.panic, `boot-${i}: the kernel should panic (${kernelEnd(b)})`);
        ctx.expect(b.result.lines.some((l) => /Unable to mount root fs|Cannot open root device/.test(l.text)), `boot-${i}: the kernel could not mount its root`);
        ctx.expectEqual(b.bootId, undefined, `boot-${i}: userspace never started`);
      }
      const last = await s.boot({}, "previous kernel");
      ctx.expectEqual(markerValue(last.result, "BOOTED"), s.oldRelease, "boot-4: the previous kernel");
      const u = await units(ctx, last, UNITS);
      ctx.expectEqual(u["bootctl-ts-health.service"]!.result, "done", "boot-4: bootctl-ts-health.service");
      ctx.expectEqual(kernelEnd(last), "poweroff", "boot-4: powered off by the test");
      if (s.sd) ctx.expectEqual(await s.sd.entries(), [`${MACHINE_ID}-${s.oldRelease}.conf`, `${MACHINE_ID}-${s.newRelease}+0-3.conf`], "entries: the updated kernel used its 3 tries");
    },
  };
}

function guard(loader: LoaderName): Scenario {
  return {
    name: `os-${OS[loader]}-${short(loader)}-guard`,
    title: `${OS[loader]}, ${loader}: every kernel fails its required check → the updated one is marked bad, reboot → the previous one fails too → the bootloop guard stops rebooting`,
    loader: loader === "grub" ? "grub" : "systemd-boot",
    budgetMs: 180_000,
    async run(ctx: ScenarioContext) {
      const s = await start(ctx, loader);
      const failIf = [s.oldRelease, s.newRelease];
      const first = await s.boot({ failIf }, "updated kernel fails");
      ctx.expectEqual(markerValue(first.result, "BOOTED"), s.newRelease, "boot-1: kernel");
      expectJournal(ctx, first, /entry marked bad; rebooting so the boot loader falls back/, "marked bad, rebooting");
      ctx.expectEqual(kernelEnd(first), "reboot", "boot-1: rebooted");
      const second = await s.boot({ failIf }, "previous kernel fails too");
      ctx.expectEqual(markerValue(second.result, "BOOTED"), s.oldRelease, "boot-2: kernel");
      const u = await units(ctx, second, UNITS);
      ctx.expectEqual(u["bootctl-ts-health.service"]!.result, "failed", "boot-2: bootctl-ts-health.service");
      ctx.expectEqual(u["bootctl-ts-boot-failure.service"]!.result, "done", "boot-2: bootctl-ts-boot-failure.service returned");
      expectJournal(ctx, second, /not rebooting \(bootloop guard\)/, "the bootloop guard");
      // The guard left the machine up; the test's last unit then powered it off.
      ctx.expectEqual(kernelEnd(second), "poweroff", "boot-2: no reboot (powered off by the test)");
    },
  };
}

export default (["systemd-boot", "grub"] as const).flatMap((l) => [healthy(l), noUserspace(l), guard(l)]);
