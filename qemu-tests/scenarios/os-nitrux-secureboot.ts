/**
 * Issue 16, the Nitrux-like seed system on a real Debian 12 under Secure Boot: whole unified
 * kernel images on the ESP (EFI/Linux, type #2 entries; systemd-stub of the guest's own
 * systemd-boot-efi with the guest's kernel, its initrd and command line), added by
 * `bootctl-ts add --tries 2 VERSION IMAGE.efi` the way an image updater installs them, and
 * signed, like systemd-boot itself, with `sbsign` and the snakeoil key Debian's ovmf package ships
 * (/usr/share/ovmf/PkKek-1-snakeoil.*), on OVMF_CODE_4M.snakeoil.fd / OVMF_VARS_4M.snakeoil.fd
 * (Secure Boot on, that key enrolled).
 *
 * 1. The new image 3.9.0 (+2) fails its required check (its command line says btq.image=3.9.0,
 *    which the host declared bad): OnFailure marks it bad, the machine reboots.
 * 2. The previous image 3.8.0 boots and passes; the guest sets a one-shot for 3.7.0 with
 *    `bootctl-ts set-oneshot`.
 * 3. 3.7.0 boots once.
 * Every boot's entry equals `bootctl-ts predict` on the ESP and NVRAM before it.
 */
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { MTOOLS_ENV } from "../lib/disk.ts";
import { exec } from "../lib/exec.ts";
import { RealMachine } from "../lib/realos/machine.ts";
import { expectJournal, kernelEnd, SdbootView } from "../lib/realos/scenario-kit.ts";
import { markerValue } from "../lib/qemu.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";
import { buildUki } from "../lib/uki.ts";

const SNAKEOIL = { code: "/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd", varsTemplate: "/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd", smm: true };
const KEY = "/usr/share/ovmf/PkKek-1-snakeoil.key";
const CERT = "/usr/share/ovmf/PkKek-1-snakeoil.pem";

/** sbsign cannot ask for the key's password ("snakeoil", ovmf's README.Debian): an unencrypted copy in the scenario's directory. */
async function signer(ctx: ScenarioContext): Promise<(file: string, out: string) => Promise<void>> {
  const key = ctx.scratch("snakeoil.key");
  await exec("openssl", ["rsa", "-in", KEY, "-passin", "pass:snakeoil", "-out", key]);
  return async (file, out) => {
    await exec("sbsign", ["--key", key, "--cert", CERT, "--output", out, file]);
  };
}

const scenario: Scenario = {
  name: "os-debian12-nitrux-secureboot",
  title: "debian12, Nitrux-like under Secure Boot: sbsign'ed UKIs (snakeoil key) added with tries → the new image fails its check → marked bad, reboot → previous image; set-oneshot → that image once",
  loader: "systemd-boot",
  budgetMs: 200_000,
  async run(ctx: ScenarioContext) {
    const variant = await ctx.assets.realos.variant("debian12", "systemd-boot");
    const image = variant.image;
    const tree = image.tree;
    const machine = await RealMachine.create(ctx, variant, { firmware: SNAKEOIL });
    const view = await SdbootView.create(ctx, machine);
    const sign = await signer(ctx);
    const staging = view.tree;
    await staging.readBack(machine.esp);
    const esp = staging.esp;
    // A Nitrux-like ESP: no type #1 entries, the UKIs only.
    for (const f of await readdir(join(esp, "loader", "entries"))) await rm(join(esp, "loader", "entries", f));
    // systemd-boot signed with the enrolled key (both copies bootctl install wrote).
    for (const f of ["EFI/BOOT/BOOTX64.EFI", "EFI/systemd/systemd-bootx64.efi"]) await sign(join(esp, f), join(esp, f));
    const stub = join(tree.dir, "usr/lib/systemd/boot/efi/linuxx64.efi.stub");
    const initrd = join(tree.dir, "boot", `initrd.img-${tree.kernelRelease}`);
    for (const [version, tries] of [["3.7.0", undefined], ["3.8.0", undefined], ["3.9.0", 2]] as const) {
      const dir = ctx.scratch(`uki-${version}`);
      await mkdir(dir, { recursive: true });
      const unsigned = await buildUki({
        osRelease: { NAME: "Nitrux", ID: "nitrux", PRETTY_NAME: `Nitrux ${version}`, IMAGE_ID: "nitrux", IMAGE_VERSION: version, VERSION_ID: version },
        cmdline: `${image.cmdline} btq.image=${version}`,
        linux: image.vmlinuz,
        initrd,
      }, join(dir, "unsigned.efi"), dir, stub);
      const signed = join(dir, `nitrux-${version}.efi`);
      await sign(unsigned, signed);
      await staging.cli(["--quiet", "add", "--entry-token", "nitrux", ...(tries === undefined ? [] : ["--tries", String(tries)]), version, signed]);
    }
    await exec("mdeltree", ["-i", machine.esp.spec, "::/loader/entries"], { env: MTOOLS_ENV });
    await staging.writeTo(machine.esp);
    await ctx.observed("UKIs on the ESP", (await machine.esp.list("/EFI/Linux")).join(" "));
    ctx.expectEqual(await machine.esp.list("/EFI/Linux"), ["nitrux-3.7.0.efi", "nitrux-3.8.0.efi", "nitrux-3.9.0+2.efi"], "UKIs written by bootctl-ts add");

    const failIf = ["btq.image=3.9.0"];
    const { boot: first } = await view.boot({ failIf }, "new image 3.9.0 fails its check");
    expectJournal(ctx, first, /Secure boot enabled/, "Secure Boot on");
    ctx.expect((markerValue(first.result, "CMDLINE") ?? "").includes("btq.image=3.9.0"), "boot-1: image 3.9.0 booted");
    expectJournal(ctx, first, /entry marked bad; rebooting so the boot loader falls back/, "marked bad, rebooting");
    ctx.expectEqual(kernelEnd(first), "reboot", "boot-1: rebooted");
    ctx.expectEqual(await machine.esp.list("/EFI/Linux"), ["nitrux-3.7.0.efi", "nitrux-3.8.0.efi", "nitrux-3.9.0+0-1.efi"], "UKIs after boot-1: 3.9.0 marked bad");

    const { boot: second } = await view.boot({ failIf, script: "bootctl-ts set-oneshot nitrux-3.7.0.efi" }, "fallback 3.8.0, then set-oneshot");
    ctx.expect((markerValue(second.result, "CMDLINE") ?? "").includes("btq.image=3.8.0"), "boot-2: image 3.8.0 booted");
    ctx.expectEqual(markerValue(second.result, "SCRIPT_RC")?.split(" ")[0], "0", "boot-2: set-oneshot exit status");

    const { boot: third } = await view.boot({ failIf }, "one-shot 3.7.0");
    ctx.expect((markerValue(third.result, "CMDLINE") ?? "").includes("btq.image=3.7.0"), "boot-3: image 3.7.0 booted (one-shot)");
    ctx.expectEqual(kernelEnd(third), "poweroff", "boot-3: powered off by the test");
  },
};

export default [scenario];
