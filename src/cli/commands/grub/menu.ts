/**
 * `grub menu [--grub-cfg FILE]`: the menu tree the file declares (default: the system's grub.cfg,
 * files.ts `grubCfgOption`) (static view, see
 * formats/grubcfg/menu.ts): index path (`1>0` as GRUB's `default` writes it), title, id,
 * classes, users. Entries whose presence depends on run time are marked `?`; commands that add
 * entries at run time (blscfg, source, configfile) are listed after the menu.
 */
import type { MenuNode } from "../../../formats/grubcfg/menu.ts";
import { readGrubMenu } from "../../../model/grub-menu.ts";
import { lineOf } from "../../../formats/grubcfg/position.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { readGrubCfgAsGrubRuns, grubCfgOption } from "./files.ts";

export interface MenuJson {
  type: "entry" | "submenu";
  title: string;
  id: string | null;
  indexPath: number[];
  titlePath: string[];
  classes: string[];
  users: string | null;
  unrestricted: boolean;
  hotkey: string | null;
  conditional: boolean;
  dynamic: boolean;
  line: number;
  children?: MenuJson[];
}

export function menuJson(entries: readonly MenuNode[], text: string): MenuJson[] {
  return entries.map((e) => {
    const j: MenuJson = {
      type: e.type, title: e.title, id: e.hasId ? e.id : null, indexPath: e.indexPath, titlePath: e.titlePath,
      classes: e.classes, users: e.users ?? null, unrestricted: e.unrestricted, hotkey: e.hotkey ?? null,
      conditional: e.conditional, dynamic: e.dynamic, line: lineOf(text, e.start),
    };
    if (e.type === "submenu") j.children = menuJson(e.children, text);
    return j;
  });
}

export async function runMenu(inv: CommandInvocation): Promise<number> {
  const file = await grubCfgOption(inv.options, inv.globals.root);
  const { text, script, warnings } = await readGrubCfgAsGrubRuns(inv.globals.root, file);
  for (const w of warnings) inv.output.warn(w);
  const menu = readGrubMenu(script);
  const dynamic = menu.dynamicSources.map((d) => ({ command: d.command, line: lineOf(text, d.start) }));
  if (inv.globals.json !== "off") {
    inv.output.printJson({ entries: menuJson(menu.entries, text), dynamicSources: dynamic });
    return 0;
  }
  const { style } = inv.output;
  const print = (list: readonly MenuNode[], depth: number) => {
    for (const e of list) {
      const index = e.indexPath.join(">");
      const mark = e.conditional ? "?" : " ";
      const kind = e.type === "submenu" ? style.bold("submenu ") : "";
      const id = e.hasId ? style.dim(`  [${e.id}]`) : "";
      inv.output.line(`${index.padEnd(8)}${mark} ${"  ".repeat(depth)}${kind}${e.title}${id}`);
      print(e.children, depth + 1);
    }
  };
  if (menu.entries.length === 0) inv.output.line("(no menu entries)");
  print(menu.entries, 0);
  for (const d of dynamic) inv.output.line(style.dim(`line ${d.line}: '${d.command}' adds entries at boot time`));
  return 0;
}
