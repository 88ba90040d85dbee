/**
 * set-default / set-oneshot / set-timeout on both loaders. Expected bytes follow the Boot Loader
 * Interface (UTF-16LE with a NUL, attributes NV|BS|RT = 7, as bootctl writes them); GRUB's side
 * is read back with the real grub-editenv.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { setDefault, setOneshot, setTimeout, detectLoader } from "../../src/actions/select-entry.ts";
import { BootctlError } from "../../src/errors.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

const DEMO = fileURLToPath(new URL("../../fixtures/demo/microos", import.meta.url));
const GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";

function efivarBytes(value: string): Buffer {
  return Buffer.concat([Buffer.from([7, 0, 0, 0]), Buffer.from(value + "\0", "utf16le")]);
}

test("systemd-boot: LoaderEntryDefault, LoaderEntryOneShot (@current), LoaderConfigTimeout, removal", async () => {
  await withTempRoot(async (root) => {
    cpSync(DEMO, root, { recursive: true });
    const target = { root, espPath: "/efi", efivarsPath: path.join(root, "efivars"), efivarsPathExplicit: true };
    assert.is(await detectLoader(target), "systemd-boot");
    await setDefault(target, "opensuse-microos-6.11.8-1-default.conf");
    assert.ok(readFileSync(path.join(root, "efivars", `LoaderEntryDefault-${GUID}`)).equals(efivarBytes("opensuse-microos-6.11.8-1-default.conf")));
    await setOneshot(target, "@current");
    assert.ok(readFileSync(path.join(root, "efivars", `LoaderEntryOneShot-${GUID}`)).equals(efivarBytes("opensuse-microos-6.11.8-1-default.conf")));
    await setTimeout(target, "menu-force", false);
    assert.ok(readFileSync(path.join(root, "efivars", `LoaderConfigTimeout-${GUID}`)).equals(efivarBytes("4294967295")));
    const dry = await setDefault({ ...target, dryRun: true }, "");
    assert.equal(dry.changes, ["delete LoaderEntryDefault"]);
    assert.ok(existsSync(path.join(root, "efivars", `LoaderEntryDefault-${GUID}`)), "dry run changes nothing");
    await setDefault(target, "");
    assert.not.ok(existsSync(path.join(root, "efivars", `LoaderEntryDefault-${GUID}`)));
  });
});

test("GRUB: saved_entry and next_entry like grub-set-default and grub-reboot", async () => {
  requireTool("grub-editenv", "grub-common");
  await withTempRoot(async (root) => {
    mkdirSync(path.join(root, "boot/grub2"), { recursive: true });
    spawnSync("grub-editenv", [path.join(root, "boot/grub2/grubenv"), "create"]);
    const target = { root, efivarsPath: path.join(root, "no-efivars") };
    assert.is(await detectLoader(target), "grub");
    await setDefault(target, "gnulinux-advanced-1234>gnulinux-6.1-advanced-1234");
    await setOneshot(target, "1");
    const list = spawnSync("grub-editenv", [path.join(root, "boot/grub2/grubenv"), "list"], { encoding: "utf8" }).stdout;
    assert.is(list, "saved_entry=gnulinux-advanced-1234>gnulinux-6.1-advanced-1234\nnext_entry=1\n");
    await setOneshot(target, "");
    assert.is(spawnSync("grub-editenv", [path.join(root, "boot/grub2/grubenv"), "list"], { encoding: "utf8" }).stdout, "saved_entry=gnulinux-advanced-1234>gnulinux-6.1-advanced-1234\n");
    try {
      await setTimeout(target, "5", false);
      assert.unreachable();
    } catch (err) {
      assert.is((err as BootctlError).code, "E_NOT_SUPPORTED");
    }
  });
});

test("GRUB: an entry named by its file name gets its GRUB id (bls: before a machine-id name); indexes and other ids stay as given", async () => {
  requireTool("grub-editenv", "grub-common");
  await withTempRoot(async (root) => {
    mkdirSync(path.join(root, "boot/grub2"), { recursive: true });
    mkdirSync(path.join(root, "boot/loader/entries"), { recursive: true });
    const machine = "7f3e0c9a7b3f4e21a8c6d0f2b4e6a8c0";
    writeFileSync(path.join(root, `boot/loader/entries/${machine}-6.2.conf`), "title New\nlinux /k\n");
    writeFileSync(path.join(root, "boot/loader/entries/fedora-6.1.conf"), "title Old\nlinux /k\n");
    const env = path.join(root, "boot/grub2/grubenv");
    spawnSync("grub-editenv", [env, "create"]);
    const target = { root, bootPath: "/boot", efivarsPath: path.join(root, "no-efivars") };
    const list = () => spawnSync("grub-editenv", [env, "list"], { encoding: "utf8" }).stdout;
    for (const named of [`${machine}-6.2.conf`, `${machine}-6.2`, `bls:${machine}-6.2`]) {
      const r = await setDefault(target, named);
      assert.equal(r.warnings, [], named);
      assert.is(list(), `saved_entry=bls:${machine}-6.2\n`, named);
    }
    await setDefault(target, "fedora-6.1.conf");
    await setOneshot(target, "3");
    assert.is(list(), "saved_entry=fedora-6.1\nnext_entry=3\n");
    await setOneshot(target, "gnulinux-advanced-1234");
    assert.is(list(), "saved_entry=fedora-6.1\nnext_entry=gnulinux-advanced-1234\n");
    // A grub.cfg that knows the entries by their bare names (blscfg builds them at boot, or a
    // static entry with that id) gets the bare name; one rendered by bootctl-ts gets ours.
    const cfg = path.join(root, "boot/grub2/grub.cfg");
    // Upstream GRUB with a bare digit-leading id gets the number warning; blscfg's GRUB does not.
    const cases: [string, string, boolean][] = [
      ["insmod blscfg\nset default=\"${saved_entry}\"\nblscfg\n", `${machine}-6.2`, false],
      [`set default="\${saved_entry}"\nmenuentry 'New' --id '${machine}-6.2' { true; }\n`, `${machine}-6.2`, true],
      [`set default="\${saved_entry}"\nmenuentry 'New' --id 'bls:${machine}-6.2' { true; }\n`, `bls:${machine}-6.2`, false],
    ];
    for (const [text, expected, numberWarning] of cases) {
      writeFileSync(cfg, text);
      // Upstream GRUB reads the bare digit-leading id as entry 7, which this one-entry menu lacks:
      // refused (E_NO_SUCH_ENTRY) unless forced.
      if (numberWarning) {
        const refused = await setDefault(target, `${machine}-6.2.conf`).then(() => undefined, (err: Error) => err);
        assert.match(String(refused), /no menu entry of \/boot\/grub2\/grub\.cfg matches/);
      }
      const r = await setDefault({ ...target, force: numberWarning }, `${machine}-6.2.conf`);
      assert.is(list().split("\n")[0], `saved_entry=${expected}`, text);
      assert.is(r.warnings.some((w) => /as menu entry number/.test(w)), numberWarning, `${text}: ${r.warnings.join("; ")}`);
    }
  });
});

test("GRUB: a grub.cfg that ignores saved_entry gets a warning; one that follows it does not", async () => {
  await withTempRoot(async (root) => {
    mkdirSync(path.join(root, "boot/grub"), { recursive: true });
    spawnSync("grub-editenv", [path.join(root, "boot/grub/grubenv"), "create"]);
    const target = { root, efivarsPath: path.join(root, "none") };
    writeFileSync(path.join(root, "boot/grub/grub.cfg"), "set default=0\nmenuentry A --id a { true }\nmenuentry B --id b { true }\n");
    const ignored = await setDefault(target, "b");
    assert.equal(ignored.warnings.length, 1);
    assert.match(ignored.warnings[0]!, /does not boot saved_entry/);
    writeFileSync(path.join(root, "boot/grub/grub.cfg"), "load_env\nset default=\"${saved_entry}\"\nmenuentry A --id a { true }\nmenuentry B --id b { true }\n");
    assert.equal((await setDefault(target, "b")).warnings, []);
  });
});

test("no loader found: one clear error", async () => {
  await withTempRoot(async (root) => {
    try {
      await detectLoader({ root, efivarsPath: path.join(root, "none") });
      assert.unreachable();
    } catch (err) {
      assert.is((err as BootctlError).code, "E_NO_BOOT_LOADER");
    }
  });
});

test("under --root the image's files decide the loader, not the host's EFI variables (unless --efivars-path is explicit)", async () => {
  await withTempRoot(async (root) => {
    // The host: booted by systemd-boot.
    const host = path.join(root, "host-efivars");
    mkdirSync(host);
    writeFileSync(path.join(host, `LoaderInfo-${GUID}`), efivarBytes("systemd-boot 252"));
    // A GRUB image: a grubenv, grub.cfg, BLS entries on the ESP (GRUB reads them through 20_bootctl-ts), no systemd-boot binary.
    const grub = path.join(root, "grub-image");
    mkdirSync(path.join(grub, "boot/grub"), { recursive: true });
    mkdirSync(path.join(grub, "efi/loader/entries"), { recursive: true });
    mkdirSync(path.join(grub, "efi/EFI/debian"), { recursive: true });
    writeFileSync(path.join(grub, "efi/EFI/debian/grubx64.efi"), "grub");
    spawnSync("grub-editenv", [path.join(grub, "boot/grub/grubenv"), "create"]);
    const image = (r: string, explicit: boolean) => ({ root: r, espPath: "/efi", efivarsPath: host, efivarsPathExplicit: explicit });
    assert.is(await detectLoader(image(grub, false)), "grub", "the host's LoaderInfo is not the image's loader");
    assert.is(await detectLoader(image(grub, true)), "systemd-boot", "an explicit --efivars-path stands for the target's firmware");
    // grub.cfg alone is GRUB too.
    rmSync(path.join(grub, "boot/grub/grubenv"));
    writeFileSync(path.join(grub, "boot/grub/grub.cfg"), "set timeout=0\n");
    assert.is(await detectLoader(image(grub, false)), "grub");
    // A systemd-boot image: the binary on the ESP, entries, no GRUB files.
    const sd = path.join(root, "sd-image");
    mkdirSync(path.join(sd, "efi/loader/entries"), { recursive: true });
    mkdirSync(path.join(sd, "efi/EFI/systemd"), { recursive: true });
    writeFileSync(path.join(sd, "efi/EFI/systemd/systemd-bootx64.efi"), "sd-boot");
    assert.is(await detectLoader({ root: sd, espPath: "/efi", efivarsPath: path.join(root, "none"), efivarsPathExplicit: false }), "systemd-boot");
    // Both installed: the image cannot tell which one its firmware starts.
    mkdirSync(path.join(sd, "boot/grub"), { recursive: true });
    spawnSync("grub-editenv", [path.join(sd, "boot/grub/grubenv"), "create"]);
    try {
      await detectLoader({ root: sd, espPath: "/efi", efivarsPath: host, efivarsPathExplicit: false });
      assert.unreachable();
    } catch (err) {
      assert.is((err as BootctlError).code, "E_AMBIGUOUS_BOOT_LOADER", String(err));
      assert.match((err as Error).message, /both GRUB .* and systemd-boot .*--loader/);
    }
  });
});

test.run();
