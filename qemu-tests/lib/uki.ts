/**
 * Unified kernel images for the Nitrux-like scenario (issue 8 #7), built the way systemd 252's
 * systemd-stub(7) documents it: binutils objcopy adds `.osrel` (os-release), `.cmdline`,
 * `.initrd` and `.linux` sections to Debian's stub (/usr/lib/systemd/boot/efi/linuxx64.efi.stub,
 * package systemd-boot-efi). The stub finds its payload by section name and uses the sections'
 * in-memory addresses, so every new section gets its own page-aligned VMA after the stub's image
 * and after the section before it (as ukify lays them out), never overlapping.
 *
 * systemd-boot 252 lists such an image from \EFI\Linux\ as a type #2 entry named by its file name:
 * title from PRETTY_NAME, sort key from IMAGE_ID (else ID), version from IMAGE_VERSION (else
 * VERSION, VERSION_ID, BUILD_ID); it skips images without a name or a version field. The boot-counting
 * suffix (+LEFT[-DONE]) of the file name works as for type #1 entries.
 */
import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SuiteError } from "./errors.ts";
import { exec, execText } from "./exec.ts";

export const UKI_STUB = "/usr/lib/systemd/boot/efi/linuxx64.efi.stub";

const PAGE = 0x1000;

export interface UkiSpec {
  /** os-release fields for the .osrel section. */
  osRelease: Readonly<Record<string, string>>;
  cmdline: string;
  linux: string;
  initrd: string;
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** ImageBase + the end of the stub's last section, from `objdump -h` / `objdump -p`. */
async function stubEnd(stub: string): Promise<number> {
  const headers = await execText("objdump", ["-h", stub]);
  let end = 0;
  for (const m of headers.matchAll(/^\s*\d+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s/gm)) {
    end = Math.max(end, parseInt(m[2]!, 16) + parseInt(m[1]!, 16));
  }
  if (end === 0) throw new SuiteError("E_QEMU_UKI", `objdump -h ${stub}: no sections found`);
  return end;
}

export function renderOsRelease(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields).map(([k, v]) => `${k}="${v.replace(/(["\\$`])/g, "\\$1")}"`).join("\n") + "\n";
}

/** Builds the UKI at `out` (files for the small sections go to `scratchDir`). */
export async function buildUki(spec: UkiSpec, out: string, scratchDir: string, stub = UKI_STUB): Promise<string> {
  const osrel = join(scratchDir, "osrel");
  const cmdline = join(scratchDir, "cmdline");
  await writeFile(osrel, renderOsRelease(spec.osRelease));
  await writeFile(cmdline, spec.cmdline);
  const sections: [string, string][] = [[".osrel", osrel], [".cmdline", cmdline], [".initrd", spec.initrd], [".linux", spec.linux]];
  const args: string[] = [];
  let vma = alignUp(await stubEnd(stub), PAGE);
  for (const [name, file] of sections) {
    const size = (await stat(file)).size;
    if (size === 0) throw new SuiteError("E_QEMU_UKI", `${file} is empty: no ${name} section`);
    args.push("--add-section", `${name}=${file}`, "--change-section-vma", `${name}=0x${vma.toString(16)}`);
    vma = alignUp(vma + size, PAGE);
  }
  await exec("objcopy", [...args, stub, out]);
  return out;
}
