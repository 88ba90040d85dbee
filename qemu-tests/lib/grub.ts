/**
 * GRUB 2.06 (Debian's grub-efi-amd64-bin) as a standalone EFI image at \EFI\BOOT\BOOTX64.EFI.
 * Its embedded memdisk config only chains to ${cmdpath}/grub.cfg on the ESP ($cmdpath is the
 * directory the image was loaded from, (hd0,gpt1)/EFI/BOOT), so scenarios change grub.cfg without
 * rebuilding the image (lib/grub-bls.ts writes that grub.cfg). The module set is the smallest that
 * boots Linux from FAT and keeps a counter with load_env/save_env (on x86_64-efi the chainloader command lives
 * in the `chain` module). save_env rewrites the existing 1024-byte grubenv in place through its
 * block list, so the file must exist before the first boot.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EspImage } from "./disk.ts";
import { SuiteError } from "./errors.ts";
import { exec, execText } from "./exec.ts";

export const GRUB_MODULES = [
  "normal", "configfile", "linux", "chain", "echo", "test", "regexp", "loadenv", "fat", "part_gpt", "part_msdos", "halt", "reboot",
] as const;

export const GRUB_DIR = "/EFI/BOOT";
export const GRUBENV_PATH = `${GRUB_DIR}/grubenv`;

const EMBEDDED_CFG = "configfile ${cmdpath}/grub.cfg\n";

/** Builds the standalone image (about 0.7 MB) into `outPath`. */
export async function buildStandaloneGrub(outPath: string, scratchDir: string): Promise<string> {
  const dir = await mkdtemp(join(scratchDir, "grub-"));
  try {
    const cfg = join(dir, "embedded.cfg");
    await writeFile(cfg, EMBEDDED_CFG);
    await exec("grub-mkstandalone", [
      "-O", "x86_64-efi",
      `--install-modules=${GRUB_MODULES.join(" ")}`,
      "--modules=part_gpt part_msdos fat",
      "--fonts=", "--locales=", "--themes=",
      "-o", outPath,
      `boot/grub/grub.cfg=${cfg}`,
    ]);
    return outPath;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A grubenv file (made by grub-editenv itself) holding `env`. */
export async function makeGrubenv(path: string, env: Readonly<Record<string, string>>): Promise<void> {
  await rm(path, { force: true });
  await exec("grub-editenv", [path, "create"]);
  const pairs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  if (pairs.length > 0) await exec("grub-editenv", [path, "set", ...pairs]);
}

/** Refuses a grub.cfg that GRUB's own parser rejects (grub-script-check), before any boot. */
export async function checkGrubScript(cfg: string, scratchDir: string): Promise<void> {
  const dir = await mkdtemp(join(scratchDir, "cfg-"));
  try {
    const file = join(dir, "grub.cfg");
    await writeFile(file, cfg);
    await exec("grub-script-check", [file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The grubenv on the ESP as `grub-editenv FILE list` reads it. */
export async function readGrubenv(esp: EspImage, path = GRUBENV_PATH): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(esp.scratchDir, "env-"));
  try {
    const file = join(dir, "grubenv");
    await writeFile(file, await esp.readFile(path));
    const size = (await readFile(file)).length;
    if (size !== 1024) throw new SuiteError("E_QEMU_GRUB", `${path} on the ESP is ${size} bytes, not 1024`);
    const out = await execText("grub-editenv", [file, "list"]);
    const env: Record<string, string> = {};
    for (const line of out.split("\n")) {
      const eq = line.indexOf("=");
      if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
    }
    return env;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
