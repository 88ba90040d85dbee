/**
 * systemd-boot, success path: a new entry with 3 tries boots, the guest marks it good by renaming
 * the file LoaderBootCountPath names to its name without the counter (what systemd-bless-boot
 * does; done with busybox mv until `bootctl-ts bless-boot good` exists), and the next boot starts
 * the blessed entry with no counting. The first boot also runs the host's Node and the built
 * bootctl-ts inside the guest (runtime and app disks, reference/qemu-node.md), the way the real
 * bless will run.
 */
import { join } from "node:path";
import { exec, execText } from "../lib/exec.ts";
import { guestCmdline } from "../lib/guest-init.ts";
import { REPO_ROOT } from "../lib/paths.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";
import { bootCountPath, countedEntryFile, entryFiles, installSystemdBoot } from "../lib/sdboot.ts";

// A verb that exists today, run in the guest through the `cli:` step; the expected output and
// status come from the real tool on the host (systemd-analyze compare-versions).
const COMPARE = ["compare-versions", "6.1.0-18-amd64", "6.1.0-9-amd64"] as const;

const scenario: Scenario = {
  name: "sdboot-bless",
  title: "systemd-boot: new entry +3 boots and is blessed in the guest → new.conf boots uncounted; Node runs in the guest",
  loader: "systemd-boot",
  budgetMs: 30_000,
  async run(ctx: ScenarioContext) {
    const hostCliVersion = (await execText(process.execPath, [join(REPO_ROOT, "dist", "cli.cjs"), "--version"])).trim();
    const reference = await exec("systemd-analyze", [...COMPARE], { okCodes: [11, 12] });
    const esp = await ctx.newDisk();
    await installSystemdBoot(esp, {
      vmlinuz: ctx.assets.kernel.vmlinuz,
      initrd: ctx.assets.initramfs.path,
      entries: [
        {
          file: countedEntryFile("new", 3),
          title: "New (under test)",
          sortKey: "test",
          version: "2",
          options: guestCmdline("new", ["node-version", { cli: COMPARE }, "bless-mv", "poweroff"]),
        },
        { file: countedEntryFile("old"), title: "Old (known good)", sortKey: "test", version: "1", options: guestCmdline("old", ["poweroff"]) },
      ],
    });
    const machine = await ctx.machine({ disk: esp, node: true });

    const first = await machine.boot();
    ctx.sequence.push(markerValue(first, "LOADER_ENTRY_SELECTED") ?? "?");
    const afterFirst = await entryFiles(esp);
    await ctx.observed("entries after boot-1", afterFirst.join(" "));
    ctx.expectCleanEnd(first);
    ctx.expectEqual(markerValue(first, "BOOTED"), "new", "boot-1: booted entry");
    ctx.expectEqual(markerValue(first, "LOADER_ENTRY_SELECTED"), "new+3.conf", "boot-1: LoaderEntrySelected");
    ctx.expectEqual(markerValue(first, "LOADER_BOOT_COUNT_PATH"), bootCountPath("new+2-1.conf"), "boot-1: LoaderBootCountPath");
    ctx.expectEqual(markerValue(first, "NODE_VERSION"), process.version, "boot-1: node --version in the guest");
    ctx.expectEqual(markerValue(first, "CLI_VERSION")?.replace(/ up=.*$/, ""), hostCliVersion, "boot-1: bootctl-ts --version in the guest");
    ctx.expectEqual(markerValue(first, "CLI_OUT"), reference.stdout.toString("utf8").trim(), "boot-1: bootctl-ts compare-versions output in the guest");
    ctx.expectEqual(markerValue(first, "CLI_RC"), String(reference.status), "boot-1: bootctl-ts compare-versions status in the guest");
    ctx.expectEqual(markerValue(first, "BLESSED"), "/loader/entries/new.conf", "boot-1: blessed file");
    ctx.expectEqual(markerValue(first, "RESULT")?.split(" ")[0], "poweroff", "boot-1: guest result");
    ctx.expectEqual(afterFirst, ["new.conf", "old.conf"], "entries after the blessing boot");

    const second = await machine.boot();
    ctx.sequence.push(markerValue(second, "LOADER_ENTRY_SELECTED") ?? "?");
    const afterSecond = await entryFiles(esp);
    await ctx.observed("entries after boot-2", afterSecond.join(" "));
    ctx.expectCleanEnd(second);
    ctx.expectEqual(markerValue(second, "BOOTED"), "new", "boot-2: booted entry");
    ctx.expectEqual(markerValue(second, "LOADER_ENTRY_SELECTED"), "new.conf", "boot-2: LoaderEntrySelected");
    ctx.expectEqual(markerValue(second, "LOADER_BOOT_COUNT_PATH"), "", "boot-2: LoaderBootCountPath (a blessed entry is not counted)");
    ctx.expectEqual(afterSecond, ["new.conf", "old.conf"], "entries after boot-2");

    const fsck = await esp.fsck();
    await ctx.observed("fsck.vfat -n", fsck.report);
    ctx.expect(fsck.clean, `the ESP is not clean after the guest's rename: ${fsck.report}`);
  },
};

export default scenario;
