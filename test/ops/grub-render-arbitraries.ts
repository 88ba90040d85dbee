/** Hostile entries for renderer tests: titles, ids and options full of GRUB-script metacharacters. */
import fc from "fast-check";
import type { RenderableEntry } from "../../src/ops/grub-render.ts";

const hostileChar = fc.constantFrom("'", '"', "$", ";", "\\", "{", "}", ">", ">>", "-", "--", "#", "|", "&", "<", " ", "`", "$(x)", "${a}", "'\\''", "é", "\u00a0", "*", "?", "[[", "fi");
const text = fc.array(fc.oneof(hostileChar, fc.string({ minLength: 1, maxLength: 4 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s))), { minLength: 1, maxLength: 8 }).map((p) => p.join(""));

export const hostileTitle: fc.Arbitrary<string> = fc.oneof(
  text,
  fc.constantFrom("-h", "--help", "-u", "--usage", "--id=x", "--class", "--", "-", "'", "\\", "$", "{", "}", ">", "a>b", "#c", "0", "1abc"),
);

export const hostileEntry: fc.Arbitrary<RenderableEntry> = fc.record({
  id: text,
  title: hostileTitle,
  linux: text.map((t) => "/" + t),
  initrd: fc.array(text.map((t) => "/" + t), { maxLength: 2 }),
  options: fc.array(text, { maxLength: 2 }),
});
