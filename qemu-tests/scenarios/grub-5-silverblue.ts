/**
 * Issue 8 #5: Fedora Silverblue-like. Stock GRUB 2.06 with the deployments rendered from Boot
 * Loader Specification entries by `bootctl-ts grub render` (Fedora's own grub.cfg leaves that to
 * its patched `blscfg`, which stock GRUB lacks), the GRUB files reached through /boot/grub2 (Fedora's
 * path), and greenboot's variables already in the grubenv: the running deployment was good
 * (`boot_success=1`), and the update set greenboot's counter as greenboot-grub2-set-counter does
 * (`boot_counter=3`, `boot_success=0`, written here with the real grub-editenv) before
 * `bootctl-ts add --loader grub --tries 3` put the new deployment on trial.
 *
 * Expected (grub/README.md: greenboot variables are read by the status verbs and, when marking good,
 * handled as greenboot-grub2-set-success does: boot_success=1, boot_counter unset): in the new
 * deployment's first boot `bless-boot status --json` reports the boot as indeterminate with
 * greenboot's counter and success flag; the service's health check passes and `mark-good` ends our
 * trial (saved_entry) and greenboot's counting; the next boot starts the new deployment, uncounted.
 */
import { join } from "node:path";
import { exec } from "../lib/exec.ts";
import { guestCmdline } from "../lib/guest-init.ts";
import { guestRun, runJson } from "../lib/guest-runs.ts";
import { diskGrubenv, grubBootView, GRUB_ESP_DIR, installGrubBls, menuIds, treeGrubenv, writeGrubCfg } from "../lib/grub-bls.ts";
import { EspTree } from "../lib/host-bootctl.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const OLD = "41.20241112.0";
const NEW = "41.20241120.0";
const OLD_ID = `fedora-${OLD}`;
const NEW_ID = `fedora-${NEW}`;

interface BlessStatusJson {
  state: string;
  loader: string;
  grub?: { trial?: string; tries?: number; booted?: string; greenboot?: { bootCounter?: string; bootSuccess?: string } };
}

const scenario: Scenario = {
  name: "grub-5-silverblue",
  title: "GRUB, Silverblue-like: BLS deployments rendered by bootctl-ts, greenboot's boot_counter/boot_success understood and ended by mark-good",
  loader: "grub",
  budgetMs: 35_000,
  async run(ctx: ScenarioContext) {
    const { vmlinuz } = ctx.assets.kernel;
    const initrd = ctx.assets.initramfs.path;
    const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
    await installGrubBls(tree, await ctx.assets.grubEfi(), { bootDir: "grub2", env: { boot_success: "1" } });
    await tree.add({
      version: OLD, entryToken: "fedora", title: `Fedora Linux ${OLD} (Silverblue)`, loader: "grub", kernel: vmlinuz, initrd,
      options: guestCmdline(OLD_ID, ["poweroff"]),
    });
    await tree.cli(["--quiet", "set-default", "--loader", "grub", OLD_ID]);
    // The update: greenboot's counter first (greenboot-grub2-set-counter), then our trial.
    await exec("grub-editenv", [join(tree.esp, GRUB_ESP_DIR, "grubenv"), "set", "boot_counter=3", "boot_success=0"]);
    await tree.add({
      version: NEW, entryToken: "fedora", title: `Fedora Linux ${NEW} (Silverblue)`, loader: "grub", tries: 3, kernel: vmlinuz, initrd,
      options: guestCmdline(NEW_ID, [
        { cli: ["--json=short", "bless-boot", "status"] },
        { cli: ["--json=short", "status"] },
        { check: "greenboot-like", exit: 0 },
        "boot-complete",
        "poweroff",
      ]),
    });
    ctx.expectEqual(await treeGrubenv(tree), {
      boot_success: "0", saved_entry: OLD_ID, boot_counter: "3", bootctl_trial: NEW_ID, bootctl_tries: "3", bootctl_fallback: OLD_ID,
    }, "grubenv after the update (greenboot's variables kept, our trial added)");
    const menu = await writeGrubCfg(tree, ctx.dir);
    ctx.expectEqual(menuIds(menu), [NEW_ID, OLD_ID], "menu entry ids rendered from the BLS entries");
    const prediction = await tree.predict({ fail: 0, loader: "grub" });

    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });

    const first = await machine.boot();
    ctx.noteBoot(first, `${markerValue(first, "BOOTED") ?? "?"}(${markerValue(first, "GRUB_TRIES") ?? "?"})`);
    ctx.expectCleanEnd(first);
    const afterFirst = await diskGrubenv(esp);
    await ctx.observed("grubenv after boot-1", afterFirst);
    ctx.expectEqual(grubBootView(first), { grubDefault: NEW_ID, tries: "2", once: "", booted: NEW_ID }, "boot-1: the new deployment on trial");
    const bless = guestRun(first, ["--json=short", "bless-boot", "status"]);
    ctx.expect(bless?.status === 0, `boot-1: bless-boot status failed (${bless?.output.join(" | ") ?? "not run"})`);
    const json = runJson<BlessStatusJson>(bless);
    await ctx.observed("bless-boot status --json before mark-good", json);
    ctx.expectEqual([json.loader, json.state], ["grub", "indeterminate"], "boot-1: bless-boot status of the trial boot");
    ctx.expectEqual(json.grub?.greenboot, { bootCounter: "3", bootSuccess: "0" }, "boot-1: greenboot's variables as bless-boot status reports them");
    const status = guestRun(first, ["--json=short", "status"]);
    ctx.expect(status?.status === 0, `boot-1: status failed (${status?.output.join(" | ") ?? "not run"})`);
    await ctx.observed("status --json before mark-good", runJson(status));
    ctx.expectEqual(runJson<{ bootAssessment: string }>(status).bootAssessment, "indeterminate", "boot-1: status bootAssessment");
    ctx.expectEqual(markerValue(first, "BOOT_COMPLETE"), "reached", "boot-1: health checks");
    ctx.expectEqual(guestRun(first, ["mark-good"])?.status, 0, "boot-1: service.cjs mark-good exit status");
    ctx.expectEqual(afterFirst, { boot_success: "1", saved_entry: NEW_ID, bootctl_booted: NEW_ID, bootctl_state: "good" },
      "grubenv after mark-good (greenboot: boot_success=1, boot_counter unset; ours: saved_entry, trial ended)");

    const second = await machine.boot();
    ctx.noteBoot(second, `${markerValue(second, "BOOTED") ?? "?"}(${markerValue(second, "GRUB_TRIES") ?? "?"})`);
    ctx.expectCleanEnd(second);
    ctx.expectEqual(grubBootView(second), { grubDefault: NEW_ID, tries: "", once: "", booted: NEW_ID }, "boot-2: the new deployment, saved_entry, uncounted");
    ctx.expectEqual(await diskGrubenv(esp), { boot_success: "1", saved_entry: NEW_ID, bootctl_booted: NEW_ID, bootctl_state: "" }, "grubenv after boot-2");

    await ctx.expectPredictedIds(prediction, [markerValue(first, "BOOTED")], "issue 8 #10");
    ctx.expectEqual(prediction.finalId, markerValue(second, "BOOTED"), "prediction: the entry that boots from then on");
  },
};

export default scenario;
