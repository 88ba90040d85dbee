/**
 * Differential: the ids `grub menu` reads from Ubuntu's `$menuentry_id_option 'gnulinux-…'`
 * (model/grub-menu.ts) are the ids GRUB 2.06 resolves: with `saved_entry` set to the id path of
 * each entry, grub-emu boots exactly that entry (test/support/grub-emu.ts). The grub.cfg follows
 * GRUB's util/grub.d/00_header.in and 10_linux.in (test/support/grub-styles.ts).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { flattenMenu } from "../../src/formats/grubcfg/menu.ts";
import { parse } from "../../src/formats/grubcfg/parser.ts";
import { readGrubMenu } from "../../src/model/grub-menu.ts";
import { requireTool } from "../support/exec.ts";
import { GrubEmuDisk } from "../support/grub-emu.ts";
import { ubuntuStyleCfg } from "../support/grub-styles.ts";
import { mapPool } from "../support/pool.ts";
import { withTempRoot } from "../support/tmp.ts";

test("every id grub menu reports for an Ubuntu-style grub.cfg boots that entry in grub-emu", async () => {
  for (const [tool, pkg] of [["grub-emu", "grub-emu"], ["grub-editenv", "grub-common"], ["mformat", "mtools"]] as const) requireTool(tool, pkg);
  const cfg = ubuntuStyleCfg(["6.8.0-40-generic", "6.8.0-31-generic"]);
  const flat = flattenMenu(readGrubMenu(parse(cfg)).entries);
  const byIndex = new Map(flat.map((e) => [e.indexPath.join(">"), e]));
  const leaves = flat.filter((e) => e.type === "entry");
  assert.ok(leaves.every((e) => e.hasId), "every entry has an id");
  const failures: string[] = [];
  await mapPool(leaves, 2, async (e) => {
    const idPath = e.indexPath.map((_, k) => byIndex.get(e.indexPath.slice(0, k + 1).join(">"))!.id).join(">");
    const { titles } = await withTempRoot(async (dir) => {
      const disk = new GrubEmuDisk(dir);
      disk.writeFile("/boot/grub/grub.cfg", cfg);
      disk.writeEnv("/boot/grub/grubenv", { saved_entry: idPath });
      return disk.boot();
    });
    if (JSON.stringify(titles) !== JSON.stringify(e.titlePath)) failures.push(`saved_entry=${idPath}: grub-emu booted ${JSON.stringify(titles)}, grub menu lists it as ${JSON.stringify(e.titlePath)}`);
  });
  assert.equal(failures, []);
});

test.run();
