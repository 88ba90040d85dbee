/**
 * Issue 16, the Silverblue-like seed system on a real Debian 13 with GRUB: deployments as Boot
 * Loader Specification entries rendered into grub.cfg by bootctl-ts's generator, and greenboot's
 * variables (boot_counter=3, boot_success=0, as greenboot's update hook leaves them) in the same
 * grubenv beside bootctl-ts's trial. The new deployment's trial fails its required check, is
 * marked bad, and GRUB falls back; greenboot's variables are left for greenboot (nothing marked
 * the boot good). Every boot's entry equals `predict --loader grub` on the disk before it.
 */
import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { exec } from "../lib/exec.ts";
import { RealMachine } from "../lib/realos/machine.ts";
import { expectJournal, GrubView, kernelEnd } from "../lib/realos/scenario-kit.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const scenario: Scenario = {
  name: "os-debian13-silverblue-fallback",
  title: "debian13, Silverblue-like (GRUB, BLS deployments, greenboot's boot_counter/boot_success beside bootctl-ts's trial): the new deployment fails → marked bad → GRUB boots the previous one",
  loader: "grub",
  budgetMs: 150_000,
  async run(ctx: ScenarioContext) {
    const variant = await ctx.assets.realos.variant("debian13", "grub+updated");
    const oldRelease = variant.image.tree.kernelRelease;
    const newRelease = variant.image.update.release;
    const machine = await RealMachine.create(ctx, variant);
    const view = await GrubView.create(ctx, machine);
    // greenboot's variables, written with grub-editenv (as greenboot's grub2 scripts do) into the guest's grubenv.
    await view.snapshot();
    const env = ctx.scratch("grubenv");
    await copyFile(join(view.root, "boot/grub/grubenv"), env);
    await exec("grub-editenv", [env, "set", "boot_counter=3", "boot_success=0"]);
    await machine.replaceRootFile("/boot/grub/grubenv", env);
    await ctx.observed("grubenv as set up", (await readFile(env, "utf8")).split("\n").filter((l) => l && !l.startsWith("#")).join(" "));

    const { boot: first, before } = await view.boot({ failIf: [newRelease] }, "new deployment's trial fails");
    ctx.expectEqual([before["boot_counter"], before["boot_success"], before["bootctl_tries"]], ["3", "0", "3"], "grubenv before boot-1: greenboot's variables beside the trial");
    ctx.expectEqual(markerValue(first.result, "BOOTED"), newRelease, "boot-1: the new deployment");
    expectJournal(ctx, first, /entry marked bad; rebooting so the boot loader falls back/, "marked bad, rebooting");
    ctx.expectEqual(kernelEnd(first), "reboot", "boot-1: rebooted");

    const { boot: second, before: env2 } = await view.boot({ failIf: [newRelease] }, "previous deployment");
    ctx.expectEqual(env2["bootctl_tries"], "0", "grubenv before boot-2: the trial is out of tries");
    ctx.expectEqual(env2["boot_success"], "0", "grubenv before boot-2: greenboot's boot_success untouched (nothing was good)");
    ctx.expectEqual(markerValue(second.result, "BOOTED"), oldRelease, "boot-2: the previous deployment");
    ctx.expectEqual(kernelEnd(second), "poweroff", "boot-2: powered off by the test");
    await view.snapshot();
    await ctx.observed("grubenv at the end", await view.grubenv());
  },
};

export default [scenario];
