import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "../../src/formats/grubcfg/parser.ts";
import { evalTest, evaluateGrubScript } from "../../src/model/grub-eval.ts";
import { UPSTREAM_00_HEADER_ENV } from "../support/grub-header.ts";

const run = (text: string, env?: Record<string, string>) =>
  evaluateGrubScript(parse(text), { grubenv: env ? new Map(Object.entries(env)) : undefined, variables: { prefix: "(hd0)/boot/grub", root: "hd0" } });

const HEADER = `${UPSTREAM_00_HEADER_ENV}function savedefault {
  if [ -z "\${boot_once}" ]; then
    saved_entry="\${chosen}"
    save_env saved_entry
  fi
}
menuentry 'A' --id a { savedefault; linux /a; }
submenu 'S' --id s {
  menuentry 'S1' --id s1 { savedefault; linux /s1; }
  menuentry 'S>2' --id 's>2' { savedefault; linux /s2; }
}
`;

test("00_header: next_entry is consumed before booting (util/grub.d/00_header.in)", () => {
  const r = run(HEADER, { next_entry: "a" });
  assert.equal(r.chosen?.titlePath, ["A"]);
  assert.equal(r.changes, { next_entry: "" });
  assert.ok(r.loaderLoaded);
  // Inside a submenu `boot_once` is not visible (not exported), so savedefault still saves:
  // observed in grub-emu 2.06 (grubenv afterwards: next_entry= and saved_entry=s>s>>2).
  const sub = run(HEADER, { next_entry: "s>s>>2", saved_entry: "a" });
  assert.equal(sub.chosen?.titlePath, ["S", "S>2"]);
  assert.equal(sub.chosen?.indexPath, [1, 1]);
  assert.equal(sub.changes, { next_entry: "", saved_entry: "s>s>>2" });
});

test("00_header: saved_entry with savedefault saves $chosen (ids, `>` doubled)", () => {
  const r = run(HEADER, { saved_entry: "s>s1" });
  assert.equal(r.chosen?.titlePath, ["S", "S1"]);
  assert.equal(r.changes, {});
  const r2 = run(HEADER, { saved_entry: "1>1" });
  assert.equal(r2.changes, { saved_entry: "s>s>>2" });
});

test("missing grubenv: load_env/save_env fail, default 0", () => {
  const r = run(HEADER);
  assert.equal(r.chosen?.title, "A");
  assert.equal(r.changes, {});
  assert.is(r.grubenv, undefined);
});

test("greenboot-style if/elif counting ladder", () => {
  const ladder = `load_env
if [ -n "\${boot_counter}" -a "\${boot_success}" = "0" ]; then
  if [ "\${boot_counter}" = "0" -o "\${boot_counter}" = "-1" ]; then
    set default=1
    set boot_counter=-1
  elif [ "\${boot_counter}" = "1" ]; then
    set boot_counter=0
  elif [ "\${boot_counter}" = "2" ]; then
    set boot_counter=1
  fi
  save_env boot_counter
fi
set boot_success=0
save_env boot_success
menuentry new { linux /new; }
menuentry old { linux /old; }
`;
  assert.equal([run(ladder, { boot_counter: "2", boot_success: "0" })].map((r) => [r.chosen?.title, r.changes]), [["new", { boot_counter: "1" }]]);
  assert.equal([run(ladder, { boot_counter: "0", boot_success: "0" })].map((r) => [r.chosen?.title, r.changes]), [["old", { boot_counter: "-1" }]]);
  assert.equal([run(ladder, { boot_success: "1" })].map((r) => [r.chosen?.title, r.changes]), [["new", { boot_success: "0" }]]);
});

test("functions, positional parameters, for/break, export creates empty", () => {
  const r = run(`function pick { set default=$2; return 3; }
pick x 1
set st=$?
for i in a b c; do if [ $i = b ]; then break; fi; set last=$i; done
export fresh
menuentry zero { true; }
menuentry one { true; }
`);
  assert.is(r.chosen?.title, "one");
  assert.is(r.variables.get("st"), "3");
  assert.is(r.variables.get("last"), "a");
  assert.is(r.variables.get("fresh"), "");
});

test("test operators (commands/test.c)", () => {
  const t = (...a: string[]) => evalTest(a, () => false);
  assert.ok(t("x"));
  assert.not.ok(t(""));
  assert.ok(t("010", "-eq", "8"));
  assert.ok(t("-n", "a", "-a", "!", "-z", "b"));
  assert.ok(t("a", "=", "b", "-o", "c", "!=", "d"));
  assert.ok(t("(", "1", "-lt", "2", ")"));
});

test("an endless loop stops with E_GRUB_EVAL_LIMIT", () => {
  assert.throws(() => evaluateGrubScript(parse("while true; do true; done\n"), { maxSteps: 1000 }), (e: Error & { code?: string }) => e.code === "E_GRUB_EVAL_LIMIT");
});

test.run();
