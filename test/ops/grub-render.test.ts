import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { readMenu } from "../../src/formats/grubcfg/menu.ts";
import { checkScript, parse } from "../../src/formats/grubcfg/parser.ts";
import { expandWord } from "../../src/formats/grubcfg/word.ts";
import { renderEntry, renderGrubScript, splitKernelOptions } from "../../src/ops/grub-render.ts";
import { grubQuote } from "../../src/formats/grubcfg/quote.ts";
import { evaluateGrubScript } from "../../src/model/grub-eval.ts";
import { hostileEntry } from "./grub-render-arbitraries.ts";
import { grubEntryId } from "../../src/model/grub-entry-id.ts";

const entry = { id: "fedora-6.5.conf", title: "Fedora Linux 39", linux: "/vmlinuz-6.5", initrd: ["/initramfs-6.5.img"], options: ["root=UUID=1 ro quiet"], source: "xbootldr" as const };

test("one menuentry per entry, options before --, grub_quote everywhere, the counting hooks (grub/README.md)", () => {
  const text = renderEntry(entry, { roots: { xbootldr: { uuid: "abcd-1234", prefix: "/" } } });
  assert.is(text, [
    "menuentry --id='fedora-6.5' --class='bootctl-ts' -- 'Fedora Linux 39' {",
    '\tif [ -n "${bootctl_record}" ]; then',
    "\t\tset bootctl_booted='fedora-6.5'",
    `\t\tif [ "\${bootctl_pick}" = 'fedora-6.5' ]; then set bootctl_tries="\${bootctl_left}"; fi`,
    '\t\tsave_env -f "${bootctl_record}" bootctl_booted bootctl_tries',
    "\tfi",
    "\tsearch --no-floppy --fs-uuid --set=root 'abcd-1234'",
    "\tlinux '/vmlinuz-6.5' 'root=UUID=1' 'ro' 'quiet'",
    "\tinitrd '/initramfs-6.5.img'",
    "}",
    `if [ "\${bootctl_pick}" = 'fedora-6.5' ]; then set default='fedora-6.5'; fi`, "",
  ].join("\n"));
});

test("kernel options split like the kernel's next_arg, quotes dropped", () => {
  assert.equal(splitKernelOptions(['a  b="x y" "c d"', "e"]), ["a", "b=x y", "c d", "e"]);
});

test("control characters are refused", () => {
  for (const bad of ["a\nb", "a\tb", "\u0000", "\u001b[31m", "x\u007f"]) {
    assert.throws(() => renderEntry({ ...entry, title: bad }), (e: Error & { code?: string }) => e.code === "E_GRUB_CONTROL_CHARACTER");
  }
  assert.throws(() => renderEntry({ ...entry, options: ["a\u0001b"] }), /control character/);
});

test("hostile entries: the script parses, and titles/ids/arguments come back literally (property)", () => {
  fc.assert(fc.property(fc.array(hostileEntry, { minLength: 1, maxLength: 4 }), (entries) => {
    const text = renderGrubScript(entries);
    assert.is(checkScript(text), undefined);
    const script = parse(text);
    const menu = readMenu(script).entries;
    assert.is(menu.length, entries.length);
    menu.forEach((m, i) => {
      const e = entries[i]!;
      assert.is(m.title, e.title);
      assert.is(m.id, grubEntryId(e.id));
      assert.is(m.dynamic, false);
      const linux = m.node.block!.body[1]!;
      assert.ok(linux.kind === "simple");
      if (linux.kind !== "simple") return;
      const argv = linux.words.flatMap((w) => expandWord(w.raw, () => "EXPANDED"));
      assert.equal(argv, ["linux", e.linux, ...splitKernelOptions(e.options)]);
    });
  }), { numRuns: 300, seed: 11 });
});

test("counting hooks: the picked entry becomes the default (id with > doubled), the entry that runs records its own id (property, evaluator)", () => {
  fc.assert(fc.property(fc.array(hostileEntry, { minLength: 1, maxLength: 4 }), fc.nat(), (entries, n) => {
    const k = n % entries.length;
    const id = grubEntryId(entries[k]!.id);
    const text = renderGrubScript(entries);
    const prelude = `set bootctl_record='(hd0)/env'\nset bootctl_pick=${grubQuote(id, "id")}\nset bootctl_left=4\nset bootctl_tries=5\n`;
    const result = evaluateGrubScript(parse(prelude + text), { files: { "(hd0)/env": new Map() } });
    assert.is(result.variables.get("default"), id.replace(/>/g, ">>"));
    const chosen = result.chosen!;
    const env = result.files.get("(hd0)/env")!;
    assert.is(env.get("bootctl_booted"), chosen.id);
    assert.is(env.get("bootctl_tries"), chosen.id === id ? "4" : "5");
  }), { numRuns: 200, seed: 12 });
});

test("counting hooks are inert without the fragment: nothing is saved, default untouched", () => {
  const result = evaluateGrubScript(parse(renderGrubScript([entry]) + "set default=0\n"), { grubenv: new Map() });
  assert.equal(result.saved.size, 0);
  assert.is(result.chosen?.id, "fedora-6.5");
});

test.run();
