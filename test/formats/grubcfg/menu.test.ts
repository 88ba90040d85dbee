import { test } from "uvu";
import * as assert from "uvu/assert";
import { flattenMenu, parseMenuentryArgs, readMenu } from "../../../src/formats/grubcfg/menu.ts";
import { parse } from "../../../src/formats/grubcfg/parser.ts";
import { fixtures } from "./generators.ts";

const byName = new Map(fixtures().map((f) => [f.name, f.text]));

test("option parsing follows grub_arg_parse (grub-core/lib/arg.c `grub_arg_parse`)", () => {
  let o = parseMenuentryArgs(["--class", "gnu", "Title", "--class=os", "--id", "x", "--users=a,b", "more"]);
  assert.equal([o.title, o.id, o.classes, o.users, o.extraArgs], ["Title", "x", ["gnu", "os"], "a,b", ["more"]]);
  o = parseMenuentryArgs(["--weird", "--unrestricted"]);
  assert.equal([o.title, o.unrestricted], ["--weird", true]);
  assert.ok(parseMenuentryArgs(["--help"]).help);
  assert.ok(parseMenuentryArgs(["-h"]).help);
  o = parseMenuentryArgs(["--id", "x", "--", "--help"]);
  assert.equal([o.title, o.help, o.id], ["--help", false, "x"]);
  o = parseMenuentryArgs(["--hotkey", "-x", "t"]);
  assert.equal([o.title, o.hotkey, o.extraArgs], ["-x", undefined, ["t"]]);
});

test("ubuntu menu: entry, submenu with two entries, index paths", () => {
  const menu = readMenu(parse(byName.get("ubuntu-22.04-cloudimg.grub.cfg")!));
  const flat = flattenMenu(menu.entries);
  assert.equal(flat.map((e) => e.indexPath.join(">")), ["0", "1", "1>0", "1>1"]);
  assert.is(flat[1]!.type, "submenu");
  assert.is(flat[3]!.titlePath.join(">"), "Advanced options for Ubuntu>Ubuntu, with Linux 5.15.0-100-generic (recovery mode)");
  assert.ok(flat[0]!.classes.includes("ubuntu"));
});

test("rauc menu titles keep variables; conditional entries are marked", () => {
  const rauc = readMenu(parse(byName.get("rauc-contrib.grub.cfg")!));
  assert.equal(rauc.entries.map((e) => [e.title, e.dynamic, e.conditional]), [
    ["Rescue", false, false], ["Slot A (OK=$A_OK TRY=$A_TRY)", true, false], ["Slot B (OK=$B_OK TRY=$B_TRY)", true, false],
  ]);
  const fedora = readMenu(parse(byName.get("fedora-workstation-blscfg.generated.grub.cfg")!));
  assert.ok(fedora.dynamicSources.some((d) => d.command === "blscfg"));
});

test.run();
