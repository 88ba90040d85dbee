/**
 * Differential: a grub.cfg with syntax errors, above all one cut off mid-write (a disk that
 * filled up while grub-mkconfig wrote it), runs in GRUB 2.06 unit by unit (normal/main.c
 * read_config_file): what parses runs, a failing unit is skipped. parseAsGrubRuns + the evaluator
 * must boot what grub-emu boots. The grub.cfg follows Debian/Ubuntu's 00_header.in + 10_linux.in
 * (test/support/grub-styles.ts).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseAsGrubRuns } from "../../src/formats/grubcfg/parser.ts";
import { evaluateGrubScript } from "../../src/model/grub-eval.ts";
import { requireTool } from "../support/exec.ts";
import { GrubEmuDisk } from "../support/grub-emu.ts";
import { ubuntuStyleCfg } from "../support/grub-styles.ts";
import { mapPool } from "../support/pool.ts";
import { withTempRoot } from "../support/tmp.ts";

const EMU_VARIABLES: Record<string, string> = { prefix: "(hd0)/boot/grub", root: "hd0", grub_platform: "emu", grub_cpu: "x86_64" };

const full = ubuntuStyleCfg(["6.8.0-40-generic", "6.8.0-31-generic"]);
const cutAfter = (marker: string, extra = 0) => full.slice(0, full.indexOf(marker) + marker.length + extra);

const CASES: { name: string; cfg: string; env: Record<string, string>; valid?: boolean }[] = [
  { name: "cut inside the submenu, saved entry in it", cfg: cutAfter("6.8.0-31-generic root=UUID"), env: { saved_entry: "gnulinux-advanced-0b1c6e2a-5d7f-4c1e-9a3b-2f8d7e6c5b4a>gnulinux-6.8.0-40-generic-recovery-0b1c6e2a-5d7f-4c1e-9a3b-2f8d7e6c5b4a" } },
  { name: "cut inside the submenu, default entry", cfg: cutAfter("menuentry 'Ubuntu, with Linux 6.8.0-31"), env: {} },
  { name: "cut inside the first entry's quoted title", cfg: cutAfter("menuentry 'Ubu"), env: {} },
  { name: "cut right after the first entry (a valid file)", valid: true, cfg: cutAfter("\n}\n"), env: { saved_entry: "gnulinux-advanced-0b1c6e2a-5d7f-4c1e-9a3b-2f8d7e6c5b4a>x" } },
  { name: "a stray fi between entries", cfg: "set timeout=0\nmenuentry a { true; }\nfi\nmenuentry b { true; }\nset default=1\n", env: {} },
  { name: "the failing unit takes the commands on its line", cfg: "set timeout=0\nmenuentry a { true; }\nset default=2; menuentry b { true; }; menuentry c { fi; }\nmenuentry d { true; }\nmenuentry e { true; }\n", env: {} },
  { name: "a unit that spans lines fails as one", cfg: "set timeout=0\nmenuentry a { true; }\nmenuentry b {\n  true\n}; set default=1; if true; then\nfi\nmenuentry c { true; }\n", env: {} },
];

test("GRUB runs a damaged grub.cfg up to the cut and past skipped units: we boot what grub-emu boots", async () => {
  for (const [tool, pkg] of [["grub-emu", "grub-emu"], ["grub-editenv", "grub-common"], ["mformat", "mtools"]] as const) requireTool(tool, pkg);
  const failures: string[] = [];
  await mapPool(CASES, 2, async (c) => {
    const { titles } = await withTempRoot(async (dir) => {
      const disk = new GrubEmuDisk(dir);
      disk.writeFile("/boot/grub/grub.cfg", c.cfg);
      disk.writeEnv("/boot/grub/grubenv", c.env);
      return disk.boot();
    });
    const { script, errors } = parseAsGrubRuns(c.cfg);
    if ((errors.length === 0) !== (c.valid === true)) failures.push(`${c.name}: no syntax error found`);
    const ours = evaluateGrubScript(script, { grubenv: new Map(Object.entries(c.env)), variables: EMU_VARIABLES, emulator: true });
    const oursTitles = ours.chosen?.titlePath ?? [];
    if (JSON.stringify(titles) !== JSON.stringify(oursTitles)) failures.push(`${c.name}: grub-emu booted ${JSON.stringify(titles)}, we say ${JSON.stringify(oursTitles)}`);
  });
  assert.equal(failures, []);
});

test.run();
