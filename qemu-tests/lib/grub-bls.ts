/**
 * GRUB 2.06 on bootctl-ts's boot counting (grub/README.md), as a distribution would set it up
 * with a grub-mkstandalone image: a staging tree (EspTree, ESP at /efi) holding
 *
 *   /efi/EFI/BOOT/BOOTX64.EFI   the standalone GRUB (lib/grub.ts: its memdisk config only runs
 *                               `configfile ${cmdpath}/grub.cfg`)
 *   /efi/EFI/BOOT/grub.cfg      HEADER (00_header's environment handling) + grub/bootctl-counting.cfg
 *                               + the menu entries `bootctl-ts grub render` makes from the Boot
 *                               Loader Specification entries in /efi/loader/entries + markers
 *   /efi/EFI/BOOT/grubenv       made by grub-editenv; written by `bootctl-ts add --loader grub`,
 *                               `set-default`, `set-oneshot`, `bless-boot` and by GRUB's save_env
 *   /boot/grub -> ../efi/EFI/BOOT   (or /boot/grub2, Fedora's name) the link Fedora used to keep
 *                               for its ESP grubenv: `predict` and `add` look for grub.cfg and
 *                               grubenv under /boot/grub{,2} and find these files through it
 *
 * Inside the guest the ESP is /efi, and bootctl-ts finds the block as the ESP's only
 * EFI/<vendor>/grubenv. Only /efi goes onto the disk (EspTree.writeTo), so the link stays on the host.
 *
 * `$prefix` of a standalone image is its memdisk, where save_env would only change RAM; HEADER
 * therefore points `bootctl_envfile` at the block next to the image (`$cmdpath`) unless
 * `$prefix/grubenv` exists, and 00_header's load_env/save_env use that file. On the host the
 * evaluator behind `predict` has a `$prefix` with the grubenv in it, so it reads the same block.
 */
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EspImage } from "./disk.ts";
import { execText } from "./exec.ts";
import { checkGrubScript, GRUB_DIR, GRUBENV_PATH, makeGrubenv, readGrubenv } from "./grub.ts";
import { EspTree } from "./host-bootctl.ts";
import { guestCmdline, type GuestStep } from "./guest-init.ts";
import { guestRun } from "./guest-runs.ts";
import type { ScenarioContext } from "./scenario.ts";
import { REPO_ROOT } from "./paths.ts";
import { markerValue, type BootResult } from "./qemu.ts";

/** Where GRUB and its files sit on the ESP, relative to its root (lib/grub.ts GRUB_DIR). */
export const GRUB_ESP_DIR = GRUB_DIR.replace(/^\//, "");

/**
 * GRUB 2.06's 00_header environment handling (util/grub.d/00_header.in with GRUB_DEFAULT=saved:
 * load the block, boot `next_entry` once and clear it, else `saved_entry`), reading and writing
 * the block `bootctl_envfile` names. `root` is the ESP ($cmdpath's device), where the entries'
 * files are.
 */
export const HEADER = `set timeout=0
regexp --set=1:root '^\\(([^)]*)\\)' "\${cmdpath}"
if [ -s "\${prefix}/grubenv" ]; then
  set bootctl_envfile="\${prefix}/grubenv"
else
  set bootctl_envfile="\${cmdpath}/grubenv"
fi
if [ -s "\${bootctl_envfile}" ]; then
  set have_grubenv=true
  load_env -f "\${bootctl_envfile}"
fi
if [ "\${next_entry}" ] ; then
   set default="\${next_entry}"
   set next_entry=
   save_env -f "\${bootctl_envfile}" next_entry
   set boot_once=true
else
   set default="\${saved_entry}"
fi
`;

/**
 * Printed after the menu entries (the trial's entry moves `default` to itself after the fragment
 * ran): what GRUB decided. GRUB_DEFAULT is the entry GRUB boots, GRUB_TRIES the bootctl_tries the
 * grubenv holds once that entry ran (the picked trial's entry saves bootctl_left; any other entry
 * keeps the stored value), GRUB_ONCE the one-shot flag.
 */
const MARKERS = `echo "BTQ:GRUB_DEFAULT=\${default}"
if [ -n "\${bootctl_pick}" -a "\${bootctl_pick}" = "\${default}" ]; then
  echo "BTQ:GRUB_TRIES=\${bootctl_left}"
else
  echo "BTQ:GRUB_TRIES=\${bootctl_tries}"
fi
echo "BTQ:GRUB_ONCE=\${boot_once}"
`;

export const COUNTING_FRAGMENT = join(REPO_ROOT, "grub", "bootctl-counting.cfg");

/** GRUB's files in the staging tree: the image, an empty grubenv (grub-editenv create + `env`), the /boot link. */
export async function installGrubBls(tree: EspTree, grubEfi: string, options: { env?: Record<string, string>; bootDir?: "grub" | "grub2" } = {}): Promise<void> {
  const dir = join(tree.esp, GRUB_ESP_DIR);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "BOOTX64.EFI"), await readFile(grubEfi));
  await makeGrubenv(join(dir, "grubenv"), options.env ?? {});
  await mkdir(join(tree.root, "boot"), { recursive: true });
  await symlink(`../efi/${GRUB_ESP_DIR}`, join(tree.root, "boot", options.bootDir ?? "grub"));
}

/** Everything in grub.cfg before the menu entries: HEADER + the counting fragment. */
export async function grubCfgHead(): Promise<string> {
  return HEADER + (await readFile(COUNTING_FRAGMENT, "utf8"));
}

/** Everything in grub.cfg after the menu entries: the markers. */
export function grubCfgTail(): string {
  return MARKERS;
}

/**
 * grub.cfg = HEADER + grub/bootctl-counting.cfg + `bootctl-ts grub render` of the tree's entries
 * (what grub-mkconfig makes of 00_header, 09_bootctl_counting and 20_bootctl-ts) + markers,
 * checked by grub-script-check and written to the tree. Returns the rendered menu part.
 */
export async function writeGrubCfg(tree: EspTree, scratchDir: string): Promise<string> {
  const menu = (await tree.cli(["grub", "render"])).stdout;
  const cfg = (await grubCfgHead()) + menu + grubCfgTail();
  await checkGrubScript(cfg, scratchDir);
  await writeFile(join(tree.esp, GRUB_ESP_DIR, "grub.cfg"), cfg);
  return menu;
}

/** The menu entry ids (`--id='…'`) of a rendered menu, in order. */
export function menuIds(menu: string): string[] {
  return [...menu.matchAll(/^menuentry --id='([^']*)'/gm)].map((m) => m[1]!);
}

/** The tree's grubenv as grub-editenv lists it. */
export async function treeGrubenv(tree: EspTree): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const text = await execText("grub-editenv", [join(tree.esp, GRUB_ESP_DIR, "grubenv"), "list"]);
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** The grubenv on the disk's ESP (mtools + grub-editenv list). */
export function diskGrubenv(esp: EspImage): Promise<Record<string, string>> {
  return readGrubenv(esp, GRUBENV_PATH);
}

/** What one GRUB boot showed: GRUB's default after counting, its tries, and the entry the guest reported. */
export interface GrubBootView {
  grubDefault: string | undefined;
  tries: string | undefined;
  once: string | undefined;
  booted: string | undefined;
}

export function grubBootView(result: BootResult): GrubBootView {
  return {
    grubDefault: markerValue(result, "GRUB_DEFAULT"),
    tries: markerValue(result, "GRUB_TRIES"),
    once: markerValue(result, "GRUB_ONCE"),
    booted: markerValue(result, "BOOTED"),
  };
}

/**
 * The set-up shared by the GRUB selection scenarios (issue 8 #3 set-oneshot, #4 set-default):
 * entries test-1.0 (the one to select) and test-2.0 (GRUB's first entry, whose guest runs the
 * verb); the first boot runs the verb. Returns the machine, the grubenv read back after it, and
 * `predict --loader grub` for the next boots.
 */
export async function grubBootAndSelect(
  ctx: ScenarioContext,
  verb: "set-oneshot" | "set-default",
  titles: { target: string; first: string },
  more: { prepare?: (tree: EspTree) => Promise<void>; steps?: readonly GuestStep[] } = {},
) {
  const { vmlinuz } = ctx.assets.kernel;
  const initrd = ctx.assets.initramfs.path;
  const tree = await EspTree.create(ctx.scratch("tree"), (l) => ctx.log(l));
  await installGrubBls(tree, await ctx.assets.grubEfi());
  await more.prepare?.(tree);
  await tree.add({ version: "1.0", title: titles.target, loader: "grub", kernel: vmlinuz, initrd, options: guestCmdline("test-1.0", ["poweroff"]) });
  await tree.add({
    version: "2.0", title: titles.first, loader: "grub", kernel: vmlinuz, initrd,
    options: guestCmdline("test-2.0", [{ cli: [verb, "test-1.0"] }, ...(more.steps ?? []), "poweroff"]),
  });
  await writeGrubCfg(tree, ctx.dir);
  const esp = await ctx.newDisk();
  await tree.writeTo(esp);
  const machine = await ctx.machine({ disk: esp, node: true });

  const before = await tree.predict({ loader: "grub" });
  const first = await machine.boot();
  ctx.noteBoot(first, markerValue(first, "BOOTED"));
  ctx.expectCleanEnd(first);
  await ctx.expectPredictedIds(before, [markerValue(first, "BOOTED")], "boot-1: issue 8 #10");
  ctx.expectEqual(grubBootView(first), { grubDefault: "", tries: "", once: "", booted: "test-2.0" }, "boot-1: no saved_entry → GRUB's first entry");
  ctx.expectEqual(guestRun(first, [verb])?.status, 0, `boot-1: ${verb} exit status`);
  const envAfterFirst = await diskGrubenv(esp);
  await ctx.observed("grubenv after boot-1", envAfterFirst);
  await tree.readBack(esp);
  const prediction = await tree.predict({ loader: "grub" });
  return { tree, esp, machine, first, envAfterFirst, prediction };
}
