/**
 * Differential: `source` and `configfile` (grub-core/commands/configfile.c) and `load_env -f` /
 * `save_env -f` followed by the evaluator as GRUB 2.06 follows them in grub-emu. The files are
 * written here in the style of:
 * - coreos/bootupd src/grub2/grub-static-pre.cfg + grub-static-efi.cfg: the EFI stub sources
 *   `bootuuid.cfg` when it exists, then `configfile`s the real grub.cfg on the boot partition;
 * (Titles stay short: grub-emu wraps a long "Booting" line at 80 columns.)
 * - rauc/rauc contrib/grub.cfg, keeping its slot state in an env file of its own (`load_env -f`,
 *   `save_env -f`), as RAUC's grub backend can be set up with `grubenv=` pointing elsewhere.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseAsGrubRuns } from "../../src/formats/grubcfg/parser.ts";
import { evaluateGrubScript } from "../../src/model/grub-eval.ts";
import { loadEnvView, parseGrubenv } from "../../src/formats/grubenv.ts";
import { requireTool } from "../support/exec.ts";
import { GrubEmuDisk } from "../support/grub-emu.ts";
import { mapPool } from "../support/pool.ts";
import { withTempRoot } from "../support/tmp.ts";

const EMU_VARIABLES: Record<string, string> = { prefix: "(hd0)/boot/grub", root: "hd0", grub_platform: "emu", grub_cpu: "x86_64" };

const STUB = [
  "set timeout=0",
  "set outer_only=outer",
  "if [ -f ${prefix}/bootuuid.cfg ]; then",
  "  source ${prefix}/bootuuid.cfg",
  "fi",
  "menuentry 'stub entry' { true; }",
  "set prefix=($root)/boot/grub2",
  "export BOOT_UUID",
  "configfile $prefix/grub.cfg",
  "menuentry 'after configfile' { true; }",
].join("\n") + "\n";
const BOOTUUID = 'set BOOT_UUID="7d2d6b52"\nset default=1\n';
const MAIN = [
  "set timeout=0",
  "load_env",
  'menuentry "FCOS $BOOT_UUID [$outer_only] [$default]" { true; }',
  'menuentry "second" { true; }',
  'if [ -n "$saved_entry" ]; then set default="$saved_entry"; fi',
].join("\n") + "\n";

const RAUC = [
  "set timeout=0",
  "set ORDER=\"A B\"",
  "set A_OK=0; set B_OK=0; set A_TRY=0; set B_TRY=0",
  "load_env --file ${prefix}/rauc.env",
  "set default=2",
  "for SLOT in $ORDER; do",
  '  if [ "$SLOT" = A ]; then if [ "$A_OK" -eq 1 -a "$A_TRY" -eq 0 ]; then set default=0; set A_TRY=1; break; fi; fi',
  '  if [ "$SLOT" = B ]; then if [ "$B_OK" -eq 1 -a "$B_TRY" -eq 0 ]; then set default=1; set B_TRY=1; break; fi; fi',
  "done",
  "save_env --file ${prefix}/rauc.env A_TRY B_TRY",
  'menuentry "Slot A (OK=$A_OK TRY=$A_TRY)" { true; }',
  'menuentry "Slot B (OK=$B_OK TRY=$B_TRY)" { true; }',
  'menuentry "Rescue" { true; }',
].join("\n") + "\n";

interface Case { name: string; files: Record<string, string>; envs: Record<string, Record<string, string>>; check?: string }
const CASES: Case[] = [
  { name: "bootupd stub: source, then configfile", files: { "/boot/grub/grub.cfg": STUB, "/boot/grub/bootuuid.cfg": BOOTUUID, "/boot/grub2/grub.cfg": MAIN }, envs: { "/boot/grub2/grubenv": {} } },
  { name: "bootupd stub: saved_entry in the configfile's grubenv", files: { "/boot/grub/grub.cfg": STUB, "/boot/grub/bootuuid.cfg": BOOTUUID, "/boot/grub2/grub.cfg": MAIN }, envs: { "/boot/grub2/grubenv": { saved_entry: "second" } } },
  { name: "bootupd stub without bootuuid.cfg", files: { "/boot/grub/grub.cfg": STUB, "/boot/grub2/grub.cfg": MAIN }, envs: { "/boot/grub2/grubenv": {} } },
  { name: "configfile of a missing file: the stub's own menu", files: { "/boot/grub/grub.cfg": STUB }, envs: {} },
  { name: "RAUC state in its own env file, A good", files: { "/boot/grub/grub.cfg": RAUC }, envs: { "/boot/grub/rauc.env": { ORDER: "A B", A_OK: "1", B_OK: "1", A_TRY: "0", B_TRY: "0" } }, check: "/boot/grub/rauc.env" },
  { name: "RAUC state in its own env file, A tried", files: { "/boot/grub/grub.cfg": RAUC }, envs: { "/boot/grub/rauc.env": { ORDER: "A B", A_OK: "1", B_OK: "1", A_TRY: "1", B_TRY: "0" } }, check: "/boot/grub/rauc.env" },
];

test("source, configfile and env files of their own: we boot and save what grub-emu does", async () => {
  for (const [tool, pkg] of [["grub-emu", "grub-emu"], ["grub-editenv", "grub-common"], ["mformat", "mtools"]] as const) requireTool(tool, pkg);
  const failures: string[] = [];
  await mapPool(CASES, 2, async (c) => {
    const real = await withTempRoot(async (dir) => {
      const disk = new GrubEmuDisk(dir);
      for (const [p, text] of Object.entries(c.files)) disk.writeFile(p, text);
      for (const [p, env] of Object.entries(c.envs)) disk.writeEnv(p, env);
      const boot = await disk.boot();
      return { titles: boot.titles, env: c.check ? Object.fromEntries(loadEnvView(parseGrubenv(disk.readBytes(c.check)))) : undefined };
    });
    const scripts = Object.fromEntries(Object.entries(c.files).map(([p, t]) => [`(hd0)${p}`, t]));
    const files = Object.fromEntries(Object.entries(c.envs).map(([p, e]) => [`(hd0)${p}`, new Map(Object.entries(e))]));
    const ours = evaluateGrubScript(parseAsGrubRuns(c.files["/boot/grub/grub.cfg"]!).script, { files, scripts, variables: EMU_VARIABLES, emulator: true });
    const titles = ours.chosen?.titlePath ?? [];
    if (JSON.stringify(titles) !== JSON.stringify(real.titles)) failures.push(`${c.name}: grub-emu booted ${JSON.stringify(real.titles)}, we say ${JSON.stringify(titles)}`);
    if (c.check) {
      const oursEnv = Object.fromEntries(ours.files.get(`(hd0)${c.check}`) ?? []);
      if (JSON.stringify(oursEnv) !== JSON.stringify(real.env)) failures.push(`${c.name}: ${c.check} after boot ${JSON.stringify(real.env)}, we say ${JSON.stringify(oursEnv)}`);
    }
    if (real.titles.length === 0) failures.push(`${c.name}: grub-emu booted nothing`);
  });
  assert.equal(failures, []);
});

test.run();
