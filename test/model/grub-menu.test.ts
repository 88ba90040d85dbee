import { test } from "uvu";
import * as assert from "uvu/assert";
import { flattenMenu } from "../../src/formats/grubcfg/menu.ts";
import { parse } from "../../src/formats/grubcfg/parser.ts";
import { readGrubMenu } from "../../src/model/grub-menu.ts";
import { ubuntuStyleCfg } from "../support/grub-styles.ts";

test("Ubuntu's `$menuentry_id_option 'gnulinux-…'`: the word after it is the id (10_linux.in)", () => {
  const menu = readGrubMenu(parse(ubuntuStyleCfg(["6.8.0-40-generic", "6.8.0-31-generic"], "u1")));
  const flat = flattenMenu(menu.entries);
  assert.equal(flat.map((e) => [e.title, e.hasId ? e.id : null]), [
    ["Ubuntu", "gnulinux-simple-u1"],
    ["Advanced options for Ubuntu", "gnulinux-advanced-u1"],
    ["Ubuntu, with Linux 6.8.0-40-generic", "gnulinux-6.8.0-40-generic-advanced-u1"],
    ["Ubuntu, with Linux 6.8.0-40-generic (recovery mode)", "gnulinux-6.8.0-40-generic-recovery-u1"],
    ["Ubuntu, with Linux 6.8.0-31-generic", "gnulinux-6.8.0-31-generic-advanced-u1"],
    ["Ubuntu, with Linux 6.8.0-31-generic (recovery mode)", "gnulinux-6.8.0-31-generic-recovery-u1"],
  ]);
  assert.ok(flat.every((e) => e.extraArgs.length === 0), "the id is not a positional argument");
  assert.equal(flat[0]!.classes, ["ubuntu", "gnu-linux", "gnu", "os"]);
});

test("a GRUB without feature_menuentry_id: `menuentry_id_option` is empty and the word is an argument", () => {
  const cfg = "unset feature_menuentry_id\n" + ubuntuStyleCfg(["6.8.0-40-generic"], "u1");
  const first = readGrubMenu(parse(cfg)).entries[0]!;
  assert.equal([first.title, first.hasId, first.extraArgs], ["Ubuntu", false, ["gnulinux-simple-u1"]]);
});

test("titles keep their variables as written (RAUC's `$A_OK`, `${A_TRY}`)", () => {
  const menu = readGrubMenu(parse('menuentry "Slot A (OK=$A_OK TRY=${A_TRY})" --id A { linux /a; }\nmenuentry "$name" { true; }\n'));
  assert.equal(menu.entries.map((e) => e.title), ["Slot A (OK=$A_OK TRY=${A_TRY})", "$name"]);
});

test("an argument of several variables splits into fields when all are known", () => {
  const menu = readGrubMenu(parse('o="--id x"\nc="--class"\nmenuentry T $o $c os { true; }\n'));
  const e = menu.entries[0]!;
  assert.equal([e.title, e.id, e.classes], ["T", "x", ["os"]]);
});

test.run();
