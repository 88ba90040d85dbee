/**
 * Line breaks, `\r`, backslashes, `=`, NUL and over-long values in grubenv names and values,
 * meant to inject a variable (issue 9, "Hostile input", item 4): through `grubenv set`,
 * `set-default --loader grub` and `set-oneshot --loader grub`.
 *
 * Oracles (real grub-editenv 2.06): where grub-editenv accepts the same `set`, our file is byte
 * for byte its file; and `grub-editenv F unset injected` leaves the file as it is — had a
 * variable `injected` been created, GRUB's own parser would find and remove it. Where
 * grub-editenv itself injects (names with LF or `=`), we refuse with one line and change nothing.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { BootctlError } from "../../src/errors.ts";
import { createGrubenv, parseGrubenv, setVariable } from "../../src/formats/grubenv.ts";
import { runBuiltCli } from "../support/cli.ts";
import { requireTool } from "../support/exec.ts";
import { assertRefused, runInProcess, withSandbox, type Sandbox } from "../support/hostile.ts";

function editenv(file: string, ...args: string[]): { status: number; stderr: string } {
  const r = spawnSync("grub-editenv", [file, ...args], { encoding: "utf8" });
  return { status: r.status ?? -1, stderr: r.stderr };
}

/** True when GRUB's parser sees no variable `injected` in `file` (unset would change the file). */
function noInjectedVariable(s: Sandbox, rel: string): boolean {
  const probe = s.at(`${rel}.probe`);
  copyFileSync(s.at(rel), probe);
  editenv(probe, "unset", "injected");
  const same = readFileSync(probe).equals(readFileSync(s.at(rel)));
  spawnSync("rm", ["-f", probe]);
  return same;
}

const VALUES = ["x\ninjected=1", "x\rinjected=2", "a\\b", "a=b=c", "\\\ninjected=3", "\\", "x\\ninjected=4", "\n\n", "#\ninjected=5", "v".repeat(1100)];

test("grubenv set: hostile values are stored as grub-editenv stores them, and never become a variable", async () => {
  requireTool("grub-editenv", "grub-common");
  await withSandbox(async (s) => {
    mkdirSync(s.at("boot/grub"), { recursive: true });
    for (const value of VALUES) {
      const label = JSON.stringify(value.slice(0, 30));
      editenv(s.at("boot/grub/grubenv"), "create");
      copyFileSync(s.at("boot/grub/grubenv"), s.at("reference"));
      const theirs = editenv(s.at("reference"), "set", `k=${value}`);
      s.mark();
      const ours = await runInProcess(["--root", s.root, "grubenv", "/boot/grub/grubenv", "set", `k=${value}`]);
      if (theirs.status !== 0) {
        // grub-editenv: "environment block too small" — ours refuses the same, writing nothing.
        assertRefused(ours, label, /environment block too small/);
        s.assertUnchanged(label);
        continue;
      }
      assert.is(ours.status, 0, `${label}: ${ours.stderr}`);
      assert.equal(readFileSync(s.at("boot/grub/grubenv")), readFileSync(s.at("reference")), `${label}: same bytes as grub-editenv`);
      assert.ok(noInjectedVariable(s, "boot/grub/grubenv"), `${label}: grub-editenv finds a variable 'injected'`);
    }
  });
});

test("grubenv set/unset: names grub-editenv would inject with (LF, CR, empty, blanks, backslash) are refused with one line", async () => {
  requireTool("grub-editenv", "grub-common");
  await withSandbox(async (s) => {
    mkdirSync(s.at("boot/grub"), { recursive: true });
    editenv(s.at("boot/grub/grubenv"), "create");
    for (const name of ["a\ninjected", "injected\n", "", "a b", "1a", "\\", "a\rb", "#x"]) {
      const label = JSON.stringify(name);
      // grub-editenv accepts these (and, for the first two, writes a second variable line).
      copyFileSync(s.at("boot/grub/grubenv"), s.at("reference"));
      assert.is(editenv(s.at("reference"), "set", `${name}=v`).status, 0, `grub-editenv set ${label}`);
      if (name === "a\ninjected") assert.not.ok(noInjectedVariable(s, "reference"), "control: grub-editenv's own file does hold the injected variable");
      s.mark();
      assertRefused(await runInProcess(["--root", s.root, "grubenv", "/boot/grub/grubenv", "set", `${name}=v`]), `set ${label}`, /invalid variable name/);
      assertRefused(await runInProcess(["--root", s.root, "grubenv", "/boot/grub/grubenv", "unset", name]), `unset ${label}`, /invalid variable name/);
      s.assertUnchanged(label);
    }
  });
});

test("set-default/set-oneshot --loader grub: an id with a line break never adds a variable", async () => {
  requireTool("grub-editenv", "grub-common");
  await withSandbox(async (s) => {
    mkdirSync(s.at("boot/grub"), { recursive: true });
    editenv(s.at("boot/grub/grubenv"), "create");
    for (const verb of ["set-default", "set-oneshot"]) {
      s.mark();
      assertRefused(await runInProcess(["--root", s.root, verb, "--loader", "grub", "x\ninjected=1"]), `${verb} LF`, /newline/);
      s.assertUnchanged(`${verb} LF`);
      for (const id of ["x\rinjected=2", "a\\\ninjected", "x=y", "\\"]) {
        const r = await runInProcess(["--root", s.root, verb, "--loader", "grub", id]);
        if (id.includes("\n")) {
          assertRefused(r, `${verb} ${JSON.stringify(id)}`, /newline/);
          continue;
        }
        assert.is(r.status, 0, r.stderr);
        assert.ok(noInjectedVariable(s, "boot/grub/grubenv"), `${verb} ${JSON.stringify(id)}`);
        const name = verb === "set-default" ? "saved_entry" : "next_entry";
        assert.is(spawnSync("grub-editenv", [s.at("boot/grub/grubenv"), "list"], { encoding: "utf8" }).stdout, `${name}=${id}\n`);
        editenv(s.at("boot/grub/grubenv"), "create");
      }
    }
    const built = runBuiltCli(["--root", s.root, "set-default", "--loader", "grub", "x\ninjected=1"]);
    assertRefused(built, "built binary", /newline/);
  });
});

test("grubenv (library): NUL in a value is a typed error; a value too long for the block is refused whole", () => {
  const block = parseGrubenv(createGrubenv());
  for (const [value, code] of [["a\0injected=1", "E_GRUBENV_BAD_VALUE"], ["v".repeat(2000), "E_GRUBENV_TOO_SMALL"]] as const) {
    let err: unknown;
    try {
      setVariable(block, "k", value);
    } catch (e) {
      err = e;
    }
    assert.instance(err, BootctlError, value.slice(0, 20));
    assert.is((err as BootctlError).code, code);
  }
});

test.run();
