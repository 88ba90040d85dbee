/**
 * The static menu of a grub.cfg (formats/grubcfg/menu.ts) with the variables its arguments are
 * made of: the script's top level is run once through the evaluator (model/grub-eval.ts, without
 * a grubenv, no entry booted) and the variables it has set are the values of arguments such as
 * `$menuentry_id_option`. Debian's and Ubuntu's grub.d/10_linux write
 *   if [ x"${feature_menuentry_id}" = xy ]; then menuentry_id_option="--id"; else menuentry_id_option=""; fi
 * (util/grub.d/00_header.in) and then `menuentry 'Ubuntu' … $menuentry_id_option 'gnulinux-simple-…'`,
 * so the id is the word after it when GRUB has `feature_menuentry_id` (every GRUB since 2.00).
 */
import type { Script } from "../formats/grubcfg/ast.ts";
import { readMenu, type StaticMenu } from "../formats/grubcfg/menu.ts";
import { BootctlError } from "../errors.ts";
import { GrubEvaluator } from "./grub-eval.ts";

/** The variables the script's top level sets (empty when it cannot be evaluated). */
export function topLevelVariables(script: Script): ReadonlyMap<string, string> {
  const evaluator = new GrubEvaluator({ maxSteps: 200_000 });
  try {
    evaluator.run(script);
  } catch (err) {
    if (!(err instanceof BootctlError)) throw err;
  }
  return evaluator.currentVariables();
}

/** readMenu with the values the script gives the variables that make up whole arguments. */
export function readGrubMenu(script: Script): StaticMenu {
  const vars = topLevelVariables(script);
  return readMenu(script, (name) => vars.get(name));
}
