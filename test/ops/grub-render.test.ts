import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { readMenu } from "../../src/formats/grubcfg/menu.ts";
import { checkScript, parse } from "../../src/formats/grubcfg/parser.ts";
import { expandWord } from "../../src/formats/grubcfg/word.ts";
import { renderEntry, renderGrubScript, splitKernelOptions } from "../../src/ops/grub-render.ts";
import { hostileEntry } from "./grub-render-arbitraries.ts";

const entry = { id: "fedora-6.5.conf", title: "Fedora Linux 39", linux: "/vmlinuz-6.5", initrd: ["/initramfs-6.5.img"], options: ["root=UUID=1 ro quiet"], source: "xbootldr" as const };

test("one menuentry per entry, options before --, grub_quote everywhere", () => {
  const text = renderEntry(entry, { roots: { xbootldr: { uuid: "abcd-1234", prefix: "/" } } });
  assert.is(text, [
    "menuentry --id='fedora-6.5' --class='bootctl-ts' -- 'Fedora Linux 39' {",
    "\tsearch --no-floppy --fs-uuid --set=root 'abcd-1234'",
    "\tlinux '/vmlinuz-6.5' 'root=UUID=1' 'ro' 'quiet'",
    "\tinitrd '/initramfs-6.5.img'",
    "}", "",
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
      assert.is(m.id, e.id);
      assert.is(m.dynamic, false);
      const linux = m.node.block!.body[0]!;
      assert.ok(linux.kind === "simple");
      if (linux.kind !== "simple") return;
      const argv = linux.words.flatMap((w) => expandWord(w.raw, () => "EXPANDED"));
      assert.equal(argv, ["linux", e.linux, ...splitKernelOptions(e.options)]);
    });
  }), { numRuns: 300, seed: 11 });
});

test.run();
