/**
 * Parsing a 5,000-entry grub.cfg: `bootctl-ts grub check FILE` (our lexer and parser, the
 * grub-script-check verdict) against `grub-script-check FILE` on the same file (target: faster).
 * The file is Ubuntu-style: a 00_header-like preamble, then 5,000 menu entries with classes,
 * `$menuentry_id_option` ids, quoting, `if` blocks and several commands each.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compare, type BenchRow } from "../harness.ts";

const CLI = fileURLToPath(new URL("../../../dist/cli.cjs", import.meta.url));

export function bigGrubCfg(entries = 5000): string {
  const lines = [
    "if [ -s $prefix/grubenv ]; then", "  set have_grubenv=true", "  load_env", "fi",
    'if [ "${next_entry}" ] ; then', '   set default="${next_entry}"', "   set next_entry=", "   save_env next_entry", "else", '   set default="0"', "fi",
    "function savedefault {", '  if [ -z "${boot_once}" ]; then', '    saved_entry="${chosen}"', "    save_env saved_entry", "  fi", "}",
  ];
  for (let i = 0; i < entries; i++) {
    const v = `6.1.0-${i}-amd64`;
    lines.push(
      `menuentry 'Debian GNU/Linux, with Linux ${v}' --class debian --class gnu-linux --class os $menuentry_id_option 'gnulinux-${v}-advanced-0b1c' {`,
      "\tload_video", "\tinsmod gzio", "\tif [ x$grub_platform = xxen ]; then insmod xzio; insmod lzopio; fi",
      "\tinsmod part_gpt", "\tinsmod ext2", "\tsearch --no-floppy --fs-uuid --set=root 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
      `\techo\t'Loading Linux ${v} ...'`, `\tlinux\t/boot/vmlinuz-${v} root=UUID=0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 ro quiet "console=ttyS0,115200"`,
      `\techo\t'Loading initial ramdisk ...'`, `\tinitrd\t/boot/initrd.img-${v}`, "}",
    );
  }
  return lines.join("\n") + "\n";
}

export function rows(): BenchRow[] {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-grubcfg-"));
  const file = path.join(dir, "grub.cfg");
  writeFileSync(file, bigGrubCfg());
  return [
    compare({
      name: "parse 5,000-entry grub.cfg",
      ours: { label: "bootctl-ts grub check grub.cfg", argv: [process.execPath, CLI, "grub", "check", file] },
      theirs: { label: "grub-script-check grub.cfg", argv: ["grub-script-check", file] },
      target: 1,
    }, 10),
  ];
}
