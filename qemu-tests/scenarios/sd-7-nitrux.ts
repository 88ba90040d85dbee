/**
 * Issue 8 #7 (systemd-boot) and #10, Nitrux-like: every OS image is one unified kernel image
 * (lib/uki.ts: Debian's systemd-stub 252 + os-release, command line, initrd and kernel sections
 * added with objcopy), installed with the real `bootctl-ts add [--tries N] VERSION IMAGE.efi` as
 * EFI/Linux/<token>-<version>[+N].efi and removed by deleting the file. systemd-boot 252 lists them
 * as type #2 entries named by file name, newest IMAGE_VERSION first (same IMAGE_ID), and counts the
 * tries in the file name like a .conf entry (boot-counting spec).
 *
 * - sd-7-nitrux-fallback: image 3.9.0 added with `--tries 2` panics → +1-1, +0-2, then 3.8.0
 *   boots by itself; `status --json` there reports 3.9.0 as bad.
 * - sd-7-nitrux-select: three images; the newest sets `set-default` (3.7.0) and `set-oneshot`
 *   (3.8.0) → the next boot is 3.8.0 once, then 3.7.0 from then on; then 3.7.0's file is deleted
 *   from the ESP → systemd-boot ignores the LoaderEntryDefault naming a missing entry and boots its
 *   first entry, 3.9.0, whose `list` no longer shows 3.7.0.
 */
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { guestCmdline, type GuestStep } from "../lib/guest-init.ts";
import { guestRun, runJson } from "../lib/guest-runs.ts";
import { EspTree, exportEfivars } from "../lib/host-bootctl.ts";
import { markerValue, type BootResult } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";
import { buildUki } from "../lib/uki.ts";

const UKI_DIR = "/EFI/Linux";

/** An OS image VERSION whose guest reports as `nitrux-VERSION` and runs `steps`. */
async function osImage(ctx: ScenarioContext, version: string, steps: readonly GuestStep[]): Promise<string> {
  const dir = ctx.scratch(`uki-${version}`);
  await mkdir(dir, { recursive: true });
  return buildUki({
    osRelease: { NAME: "Nitrux", ID: "nitrux", PRETTY_NAME: `Nitrux ${version}`, IMAGE_ID: "nitrux", IMAGE_VERSION: version, VERSION_ID: version },
    cmdline: guestCmdline(`nitrux-${version}`, steps),
    linux: ctx.assets.kernel.vmlinuz,
    initrd: ctx.assets.initramfs.path,
  }, join(dir, `nitrux-${version}.efi`), dir);
}

async function addImage(tree: EspTree, version: string, image: string, tries?: number): Promise<void> {
  // A UKI carries its own title (os-release) and command line: `add` takes only the version and file.
  await tree.cli(["--quiet", "add", "--entry-token", "test", ...(tries === undefined ? [] : ["--tries", String(tries)]), version, image]);
}

async function ukiFiles(tree: EspTree): Promise<string[]> {
  return (await readdir(join(tree.esp, "EFI", "Linux"))).sort();
}

const fallback: Scenario = {
  name: "sd-7-nitrux-fallback",
  title: "systemd-boot, Nitrux-like: UKI added with `add --tries 2` panics → +1-1, +0-2, then the previous image boots",
  loader: "systemd-boot",
  budgetMs: 40_000,
  async run(ctx: ScenarioContext) {
    const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
    await tree.installSystemdBoot();
    await addImage(tree, "3.8.0", await osImage(ctx, "3.8.0", [{ cli: ["--json=short", "status"] }, "poweroff"]));
    await addImage(tree, "3.9.0", await osImage(ctx, "3.9.0", ["panic"]), 2);
    ctx.expectEqual(await ukiFiles(tree), ["test-3.8.0.efi", "test-3.9.0+2.efi"], "UKIs written by bootctl-ts add");
    const prediction = await tree.predict();

    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });
    const steps = await machine.bootSequence({
      maxBoots: 4,
      observe: async (result) => {
        ctx.noteBoot(result);
        const files = await esp.list(UKI_DIR);
        await ctx.observed(`UKIs after ${result.label}`, files.join(" "));
        return files;
      },
      until: ({ result }) => markerValue(result, "BOOTED") === "nitrux-3.8.0",
    });
    ctx.expectEqual(steps.length, 3, "boots until the previous image started");
    for (const [i, { result, observed }] of steps.slice(0, 2).entries()) {
      ctx.expectCleanEnd(result);
      const before = `test-3.9.0+${2 - i}${i > 0 ? `-${i}` : ""}.efi`;
      const after = `test-3.9.0+${1 - i}-${i + 1}.efi`;
      ctx.expectEqual(markerValue(result, "BOOTED"), "nitrux-3.9.0", `${result.label}: booted image`);
      ctx.expectEqual(markerValue(result, "LOADER_ENTRY_SELECTED"), before, `${result.label}: LoaderEntrySelected`);
      ctx.expectEqual(markerValue(result, "LOADER_BOOT_COUNT_PATH"), `\\EFI\\Linux\\${after}`, `${result.label}: LoaderBootCountPath`);
      ctx.expect(result.panic, `${result.label}: the image's kernel did not panic`);
      ctx.expectEqual(observed, ["test-3.8.0.efi", after], `${result.label}: UKIs afterwards`);
    }
    const last = steps[2]!.result;
    ctx.expectCleanEnd(last);
    ctx.expectEqual(markerValue(last, "LOADER_ENTRY_SELECTED"), "test-3.8.0.efi", "fallback boot: LoaderEntrySelected");
    ctx.expectEqual(markerValue(last, "LOADER_BOOT_COUNT_PATH"), "", "fallback boot: LoaderBootCountPath (uncounted image)");
    const status = guestRun(last, ["--json=short", "status"]);
    ctx.expect(status?.status === 0, `fallback boot: status failed (${status?.output.join(" | ") ?? "not run"})`);
    const json = runJson<{ selected: string | null; badEntries: string[]; bootAssessment: string | null }>(status);
    await ctx.observed("status --json in the fallback boot", json);
    ctx.expectEqual(json.selected, "test-3.8.0.efi", "status in the fallback boot: selected");
    ctx.expectEqual(json.badEntries, ["test-3.9.0.efi"], "status in the fallback boot: images out of tries");
    ctx.expectEqual(json.bootAssessment, "clean", "status in the fallback boot: assessment");

    await ctx.expectPredicted(prediction, steps.map((s) => s.result), "issue 8 #10");
    const fsck = await esp.fsck();
    await ctx.observed("fsck.vfat -n", fsck.report);
    ctx.expect(fsck.clean, `the ESP is not clean after the boots: ${fsck.report}`);
  },
};

const select: Scenario = {
  name: "sd-7-nitrux-select",
  title: "systemd-boot, Nitrux-like: three UKIs; set-default and set-oneshot in the guest; a removed UKI's default is ignored",
  loader: "systemd-boot",
  budgetMs: 55_000,
  async run(ctx: ScenarioContext) {
    const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
    await tree.installSystemdBoot();
    await addImage(tree, "3.7.0", await osImage(ctx, "3.7.0", ["poweroff"]));
    await addImage(tree, "3.8.0", await osImage(ctx, "3.8.0", ["poweroff"]));
    await addImage(tree, "3.9.0", await osImage(ctx, "3.9.0", [
      { cli: ["--json=short", "list"] },
      { cli: ["set-default", "test-3.7.0.efi"] },
      { cli: ["set-oneshot", "test-3.8.0.efi"] },
      "poweroff",
    ]));
    ctx.expectEqual(await ukiFiles(tree), ["test-3.7.0.efi", "test-3.8.0.efi", "test-3.9.0.efi"], "UKIs written by bootctl-ts add");
    const esp = await ctx.newDisk();
    await tree.writeTo(esp);
    const machine = await ctx.machine({ disk: esp, node: true });
    const listed = (b: BootResult): string[] => runJson<{ id: string }[]>(guestRun(b, ["--json=short", "list"])!).map((e) => e.id);

    const first = await machine.boot();
    ctx.noteBoot(first);
    ctx.expectCleanEnd(first);
    ctx.expectEqual(markerValue(first, "LOADER_ENTRY_SELECTED"), "test-3.9.0.efi", "boot-1: the newest image is the default");
    ctx.expectEqual(listed(first), ["test-3.9.0.efi", "test-3.8.0.efi", "test-3.7.0.efi"], "boot-1: list in the guest (newest first)");
    ctx.expectEqual([guestRun(first, ["set-default"])?.status, guestRun(first, ["set-oneshot"])?.status], [0, 0], "boot-1: set-default, set-oneshot exit status");

    const prediction = await tree.predict({ efivars: await exportEfivars(machine.vars, ctx.scratch("efivars-1")) });
    const second = await machine.boot();
    ctx.noteBoot(second);
    const third = await machine.boot();
    ctx.noteBoot(third);
    for (const r of [second, third]) ctx.expectCleanEnd(r);
    ctx.expectEqual([markerValue(second, "LOADER_ENTRY_SELECTED"), markerValue(second, "BOOTED")], ["test-3.8.0.efi", "nitrux-3.8.0"], "boot-2: the one-shot image");
    ctx.expectEqual(markerValue(second, "LOADER_ENTRY_ONESHOT"), "", "boot-2: LoaderEntryOneShot consumed by systemd-boot");
    ctx.expectEqual(markerValue(second, "LOADER_ENTRY_DEFAULT"), "test-3.7.0.efi", "boot-2: LoaderEntryDefault");
    ctx.expectEqual([markerValue(third, "LOADER_ENTRY_SELECTED"), markerValue(third, "BOOTED")], ["test-3.7.0.efi", "nitrux-3.7.0"], "boot-3: the default image");
    await ctx.expectPredicted(prediction, [second, third], "issue 8 #10 (after boot-1)");

    // The OS image 3.7.0 is removed as a file, as a Nitrux-like updater does.
    await esp.remove(`${UKI_DIR}/test-3.7.0.efi`);
    await tree.readBack(esp);
    const afterRemoval = await tree.predict({ efivars: await exportEfivars(machine.vars, ctx.scratch("efivars-3")) });
    // Boot 4 is ended once its `list` ran (its guest would set the default and one-shot again).
    const fourth = await machine.boot({ stopOnMarker: (m) => m.key === "CLI_BEGIN" && m.value.startsWith("cli.cjs set-default") });
    ctx.noteBoot(fourth);
    ctx.expectIdentified(fourth);
    ctx.expectEqual(markerValue(fourth, "LOADER_ENTRY_DEFAULT"), "test-3.7.0.efi", "boot-4: LoaderEntryDefault still names the removed image");
    ctx.expectEqual(markerValue(fourth, "LOADER_ENTRY_SELECTED"), "test-3.9.0.efi", "boot-4: systemd-boot's first entry (the default names no entry)");
    ctx.expectEqual(listed(fourth), ["test-3.9.0.efi", "test-3.8.0.efi"], "boot-4: list in the guest (3.7.0 gone)");
    await ctx.expectPredicted(afterRemoval, [fourth], "issue 8 #10 (after the removal)");
  },
};

export default [fallback, select];
