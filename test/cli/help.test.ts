/**
 * Help, the manual page and the shell completions (issue 19, item 12), all made from the verb
 * declarations: every declared verb and option must be in each of them, so a verb or option added
 * without its help, man page entry or completion fails here. The completions are run in the real
 * shells (bash's complete -F function, fish's `complete -C`, zsh's function with compsys stubbed),
 * the man page through groff's warnings.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildCli } from "../../src/cli/main.ts";
import { optionSpecs, usageOf, type OptionSpec } from "../../src/cli/argv.ts";
import { DIST, runBuiltCli } from "../support/cli.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

const { cli } = await buildCli();
const verbs = cli.commands.map((c) => c.name);
const globals = optionSpecs(cli.globalCommand);

function longFlags(specs: readonly OptionSpec[]): string[] {
  return specs.flatMap((s) => s.flags.filter((f) => f.startsWith("--")));
}

test("every verb's help: usage, what it does, its own options first, the global ones once, an example", () => {
  assert.ok(verbs.length >= 20, verbs.join(" "));
  for (const command of cli.commands) {
    const r = runBuiltCli(["help", command.name]);
    assert.is(r.status, 0, command.name);
    assert.is(r.stderr, "");
    const text = r.stdout;
    const forms = usageOf(command).split(" | ");
    const firstForm = forms.every((f) => f.startsWith(command.name)) ? forms[0] : usageOf(command);
    assert.ok(text.startsWith(`Usage: bootctl-ts [OPTIONS...] ${firstForm}\n`), `${command.name}: ${text.slice(0, 100)}`);
    assert.ok(text.includes(command.description), `${command.name}: description`);
    const globalAt = text.indexOf("\nGlobal options:\n");
    assert.ok(globalAt > 0, command.name);
    assert.is(text.indexOf("\nGlobal options:\n", globalAt + 1), -1, `${command.name}: global options once`);
    const own = optionSpecs(command);
    if (own.length > 0) {
      const ownAt = text.indexOf("\nOptions:\n");
      assert.ok(ownAt > 0 && ownAt < globalAt, `${command.name}: own options first`);
      for (const spec of own) for (const flag of spec.flags) assert.match(text.slice(ownAt, globalAt), new RegExp(`^  (.*, )?${flag}\\b`, "m"), `${command.name} ${flag}`);
    }
    for (const spec of globals) {
      const flag = spec.flags.at(-1)!;
      assert.is(text.split(new RegExp(`^  (?:-\\w, )?${flag}\\b`, "m")).length, 2, `${command.name}: ${flag} listed once`);
    }
    assert.match(text, /\nExamples?:\n  bootctl-ts /, `${command.name}: an example`);
    const examples = text.slice(text.search(/\nExamples?:\n/)).split("\n").filter((l) => l.startsWith("  bootctl-ts "));
    assert.ok(examples.every((e) => e.includes(` ${command.name}`)), `${command.name}: examples use it: ${examples.join(" | ")}`);
  }
});

test("general help: every verb, every global option (-V too), exit 0", () => {
  const r = runBuiltCli(["--help"]);
  assert.is(r.status, 0);
  for (const verb of verbs) assert.match(r.stdout, new RegExp(`^  ${verb} `, "m"), verb);
  for (const spec of globals) for (const flag of spec.flags) assert.ok(r.stdout.includes(flag), flag);
  assert.match(r.stdout, /^  -V, --version +Show the version$/m);
});

test("bootctl-ts(1): every verb and option; groff finds nothing to warn about; the build installs it for npm", () => {
  requireTool("groff", "groff-base");
  const r = runBuiltCli(["help", "--man"]);
  assert.is(r.status, 0, r.stderr);
  const roff = r.stdout;
  const esc = (t: string) => t.replace(/\\/g, "\\e").replace(/-/g, "\\-");
  assert.match(roff, /^\.TH BOOTCTL\\-TS 1 /);
  for (const command of cli.commands) {
    assert.ok(roff.includes(`.TP\n\\fB${esc(usageOf(command))}\\fR\n`), `man: verb ${command.name}`);
    for (const spec of [...optionSpecs(command), ...globals]) for (const flag of spec.flags) assert.ok(roff.includes(`\\fB${esc(flag)}\\fR`), `man: ${command.name} ${flag}`);
  }
  const groff = spawnSync("groff", ["-man", "-ww", "-z", "-Tutf8"], { input: roff, encoding: "utf8" });
  assert.is(groff.status, 0);
  assert.is(groff.stderr, "", "groff warnings");
  const text = spawnSync("groff", ["-man", "-Tutf8", "-P-cbou"], { input: roff, encoding: "utf8" }).stdout;
  assert.match(text, /EXIT STATUS/);
  // The build writes the same page into dist/, and package.json tells npm to install it.
  assert.is(readFileSync(path.join(DIST, "bootctl-ts.1"), "utf8"), roff);
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { man: string[] };
  assert.equal(pkg.man, ["./dist/bootctl-ts.1"]);
});

test("completion: an unknown shell is a usage error", () => {
  const r = runBuiltCli(["completion", "tcsh"]);
  assert.is(r.status, 2);
  assert.is(r.stderr, "bootctl-ts: completion: unknown shell 'tcsh' (expected bash, zsh, fish)\n");
});

function script(shell: string): string {
  const r = runBuiltCli(["completion", shell]);
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
}

test("bash completion: verbs, every verb's options, option values, actions", () =>
  withTempRoot((dir) => {
    const file = path.join(dir, "bootctl-ts.bash");
    writeFileSync(file, script("bash"));
    /** What bash completes for `words`, the last one being completed. */
    const complete = (words: string[]): string[] => {
      const program = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _bootctl_ts; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync("bash", ["--norc", "-c", program], { encoding: "utf8", cwd: dir });
      assert.is(r.stderr, "", r.stderr);
      return r.stdout.split("\n").filter(Boolean);
    };
    assert.equal(complete(["bootctl-ts", ""]).sort(), [...verbs].sort());
    assert.equal(complete(["bootctl-ts", "--root", "/x", "li"]), ["list"]);
    assert.equal(complete(["bootctl-ts", "add", "--tr"]), ["--tries"]);
    assert.equal(complete(["bootctl-ts", "list", "--tr"]), []);
    assert.equal(complete(["bootctl-ts", "--json", "=", "s"]), ["short"]);
    assert.equal(complete(["bootctl-ts", "add", "--loader", ""]), ["systemd-boot", "grub"]);
    assert.equal(complete(["bootctl-ts", "grub", ""]), ["menu", "default", "check", "render"]);
    assert.equal(complete(["bootctl-ts", "bless-boot", ""]), ["status", "good", "bad", "indeterminate"]);
    assert.equal(complete(["bootctl-ts", "completion", ""]), ["bash", "zsh", "fish"]);
    for (const command of cli.commands) {
      const offered = complete(["bootctl-ts", command.name, "-"]);
      for (const spec of [...optionSpecs(command), ...globals]) {
        for (const flag of spec.flags) assert.ok(offered.includes(spec.value === "optional" ? `${flag}=` : flag), `bash: ${command.name} ${flag}`);
      }
    }
  }));

test("fish completion: verbs, every verb's options, option values, actions (fish's complete -C)", () =>
  withTempRoot((dir) => {
    requireTool("fish", "fish");
    const file = path.join(dir, "bootctl-ts.fish");
    writeFileSync(file, script("fish"));
    const complete = (line: string): string[] => {
      const r = spawnSync("fish", ["--no-config", "-c", `source ${file}; complete -C ${JSON.stringify(line)}`], { encoding: "utf8", cwd: dir });
      assert.is(r.stderr, "", r.stderr);
      return r.stdout.split("\n").filter(Boolean).map((l) => l.split("\t")[0]!);
    };
    assert.equal(complete("bootctl-ts ").sort(), [...verbs].sort());
    assert.equal(complete("bootctl-ts --root /x li"), ["list"]);
    assert.equal(complete("bootctl-ts add --tr"), ["--tries"]);
    assert.equal(complete("bootctl-ts list --tr"), []);
    assert.equal(complete("bootctl-ts add --loader ").sort(), ["grub", "systemd-boot"]);
    assert.equal(complete("bootctl-ts efi ").sort(), ["clear-next", "create", "delete", "list", "set-active", "set-inactive", "set-next", "set-order"]);
    for (const command of cli.commands) {
      const long = complete(`bootctl-ts ${command.name} --`);
      for (const flag of longFlags([...optionSpecs(command), ...globals])) assert.ok(long.includes(flag), `fish: ${command.name} ${flag}`);
      const short = complete(`bootctl-ts ${command.name} -`);
      for (const spec of [...optionSpecs(command), ...globals]) {
        for (const flag of spec.flags.filter((f) => !f.startsWith("--"))) assert.ok(short.includes(flag), `fish: ${command.name} ${flag}`);
      }
    }
  }));

test("zsh completion: verbs, every verb's options, option values, actions (its function, compsys stubbed)", () =>
  withTempRoot((dir) => {
    requireTool("zsh", "zsh");
    const file = path.join(dir, "_bootctl-ts");
    writeFileSync(file, script("zsh"));
    assert.is(spawnSync("zsh", ["-n", file], { encoding: "utf8" }).status, 0, "zsh -n");
    // compadd/_describe/_files/compset stand-ins print what would be offered.
    const stubs = [
      "compadd() { while [[ $1 == -* && $1 != -- ]]; do [[ $1 == -S ]] && shift; shift; done; [[ $1 == -- ]] && shift; print -rl -- $@ }",
      "_describe() { print -rl -- ${${(P)4}%%:*} }",
      "_files() { print -r -- _files }",
      "compset() { PREFIX=${PREFIX#*=} }",
    ].join("\n");
    const complete = (words: string[]): string[] => {
      const program = `${stubs}\nsource ${file} >/dev/null 2>&1\nwords=(${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${words.length}; PREFIX='${words.at(-1)}'\n_bootctl_ts | grep -- "^\${PREFIX#*=}" || true`;
      const r = spawnSync("zsh", ["-f", "-c", program], { encoding: "utf8" });
      assert.is(r.stderr, "", r.stderr);
      return r.stdout.split("\n").filter(Boolean);
    };
    assert.equal(complete(["bootctl-ts", ""]).sort(), [...verbs].sort());
    assert.equal(complete(["bootctl-ts", "--root", "/x", "li"]), ["list"]);
    assert.equal(complete(["bootctl-ts", "add", "--tr"]), ["--tries"]);
    assert.equal(complete(["bootctl-ts", "list", "--tr"]), []);
    assert.equal(complete(["bootctl-ts", "--json=s"]), ["short"]);
    assert.equal(complete(["bootctl-ts", "grub", ""]), ["menu", "default", "check", "render"]);
    for (const command of cli.commands) {
      const offered = complete(["bootctl-ts", command.name, "-"]);
      for (const spec of [...optionSpecs(command), ...globals]) {
        for (const flag of spec.flags) assert.ok(offered.includes(spec.value === "optional" ? `${flag}=` : flag), `zsh: ${command.name} ${flag}`);
      }
    }
  }));

test.run();
