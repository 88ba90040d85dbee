import { test } from "uvu";
import * as assert from "uvu/assert";
import { addEntry, findAssignments, removeEntry, renameEntry, setVariable } from "../../../src/formats/grubcfg/edit.ts";
import { flattenMenu, readMenu } from "../../../src/formats/grubcfg/menu.ts";
import { checkScript, parse } from "../../../src/formats/grubcfg/parser.ts";
import { fixtures } from "./generators.ts";

const byName = new Map(fixtures().map((f) => [f.name, f.text]));
const ubuntu = byName.get("ubuntu-22.04-cloudimg.grub.cfg")!;
const rauc = byName.get("rauc-contrib.grub.cfg")!;

/** The single changed region between two texts: [prefix length, removed text, inserted text]. */
function diff(a: string, b: string): [number, string, string] {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return [p, a.slice(p, a.length - s), b.slice(p, b.length - s)];
}

test("setVariable rewrites only the value of the chosen assignment", () => {
  const out = setVariable(rauc, "timeout", "10");
  assert.equal(diff(rauc, out), [18, "3", "10"]);
  const kept = setVariable(rauc, "CMDLINE", "console=ttyS0 quiet");
  assert.equal(diff(rauc, kept).slice(1), [",115200 net.ifnames=0 panic=60", ""]);
  const quoted = setVariable(rauc, "CMDLINE", "console=ttyS0 $x it's");
  assert.ok(quoted.includes(`CMDLINE='console=ttyS0 $x it'\\''s'\n`));
  assert.is(checkScript(quoted), undefined);
});

test("setVariable: ambiguous conditional assignments need `at`; new variables get their own line", () => {
  const all = findAssignments(parse(ubuntu), "default");
  assert.ok(all.length >= 2);
  assert.throws(() => setVariable(ubuntu, "default", "1"), /conditional places/);
  const chosen = all.find((a) => a.command.words[a.wordIndex]!.raw === 'default="0"')!;
  const out = setVariable(ubuntu, "default", "1>0", { at: chosen.command.start });
  const [, removed, inserted] = diff(ubuntu, out);
  assert.equal([removed, inserted], ["", "1>"]);
  assert.ok(out.includes('set default="1>0"'));
  const added = setVariable(rauc, "GRUB_NEW", "a b");
  assert.equal(diff(rauc, added)[1], "");
  assert.match(added, /^set GRUB_NEW='a b'\nmenuentry "Rescue"/m);
});

test("renameEntry replaces only the title word, quoting hostile titles", () => {
  const title = `It's $HOME; {x} "q" \\ > -`;
  const out = renameEntry(rauc, { title: "Rescue" }, title);
  assert.equal(diff(rauc, out).slice(1), ['"Rescue"', `'It'\\''s $HOME; {x} "q" \\ > -'`]);
  assert.is(readMenu(parse(out)).entries[0]!.title, title);
  assert.throws(() => renameEntry(rauc, { title: "Rescue" }, "a\nb"), /control character/);
});

test("removeEntry removes whole lines of the entry; addEntry inserts lines, indented", () => {
  const out = removeEntry(ubuntu, { indexPath: [1, 1] });
  assert.equal(flattenMenu(readMenu(parse(out)).entries).map((e) => e.indexPath.join(">")), ["0", "1", "1>0"]);
  const [at, removed, inserted] = diff(ubuntu, out);
  assert.is(inserted, "");
  assert.ok(removed.trimStart().startsWith("menuentry") && removed.endsWith("}\n"));
  assert.is(ubuntu[at - 1], "\n");
  const back = addEntry(out, removed.trimStart().replace(/^\t/gm, ""), { after: { indexPath: [1, 0] } });
  assert.is(back, ubuntu);
  const one = removeEntry("echo a; menuentry x { true; }; echo b\n", { title: "x" });
  assert.is(one, "echo a; echo b\n");
});

test("every fixture entry can be removed and renamed, leaving a valid script", () => {
  let removedInvalid = 0;
  let total = 0;
  for (const [name, text] of byName) {
    if (name.includes("fragment")) continue; // no commands: checkScript says "no commands"
    for (const e of flattenMenu(readMenu(parse(text)).entries)) {
      total++;
      try {
        assert.is(checkScript(removeEntry(text, { indexPath: e.indexPath }))?.code ?? "ok", "ok", name);
      } catch (err) {
        assert.is((err as { code?: string }).code, "E_GRUB_EDIT_INVALID", name);
        removedInvalid++;
      }
      const renamed = renameEntry(text, { indexPath: e.indexPath }, "New 'title'");
      assert.ok(flattenMenu(readMenu(parse(renamed)).entries).some((x) => x.title === "New 'title'"), name);
    }
  }
  assert.ok(removedInvalid < total / 2, `${removedInvalid} of ${total} removals refused`);
});

test.run();
