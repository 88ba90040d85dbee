/**
 * What the CLI prints (issue 19, item 8): `-q` silences informational lines, `add --dry-run`
 * shows the entry it would write, `cleanup` with nothing to do says so, informational lines do not
 * start like errors, and `--json` works on every verb or is refused (exit 2), never ignored.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { buildCli } from "../../src/cli/main.ts";
import { runBuiltCli } from "../support/cli.ts";
import { withTempRoot } from "../support/tmp.ts";
import { writeImageTree } from "../support/image-tree.ts";

const FIXTURES = fileURLToPath(new URL("../../fixtures/", import.meta.url));

function image(root: string): string[] {
  return writeImageTree(root, { id: "debian", prettyName: "Debian GNU/Linux 12" });
}

test("-q: add prints nothing, not even the list of changes or the warning about tries", () =>
  withTempRoot((root) => {
    const base = image(root);
    const loud = runBuiltCli([...base, "add", "--tries", "2", "6.1", path.join(root, "vmlinuz")]);
    assert.is(loud.status, 0, loud.stderr);
    assert.match(loud.stdout, /^write .*debian-6\.1\+2\.conf/m);
    const quiet = runBuiltCli([...base, "-q", "add", "--tries", "2", "6.2", path.join(root, "vmlinuz")]);
    assert.equal(quiet, { status: 0, stdout: "", stderr: "" });
    assert.ok(readdirSync(path.join(root, "efi/loader/entries")).includes("debian-6.2+2.conf"));
    // -q does not hide what --dry-run was asked for.
    const dry = runBuiltCli([...base, "-q", "--dry-run", "remove", "6.2"]);
    assert.match(dry.stdout, /^would remove .*debian-6\.2\+2\.conf$/m);
  }));

test("-q: set-default and install-units print nothing either; without it they list their changes", () =>
  withTempRoot((root) => {
    cpSync(path.join(FIXTURES, "demo/microos"), root, { recursive: true });
    mkdirSync(path.join(root, "usr/bin"), { recursive: true });
    writeFileSync(path.join(root, "usr/bin/node"), "#!/bin/sh\n");
    chmodSync(path.join(root, "usr/bin/node"), 0o755);
    const base = ["--root", root, "--esp-path", "/efi", "--efivars-path", path.join(root, "efivars")];
    const loud = runBuiltCli([...base, "set-default", "opensuse-microos-6.11.8-1-default.conf"]);
    assert.is(loud.status, 0, loud.stderr);
    assert.match(loud.stdout, /LoaderEntryDefault/);
    assert.equal(runBuiltCli([...base, "-q", "set-default", "opensuse-microos-6.12.1-1-default.conf"]), { status: 0, stdout: "", stderr: "" });
    const units = runBuiltCli([...base, "--quiet", "install-units"]);
    assert.equal(units, { status: 0, stdout: "", stderr: "" });
    assert.match(runBuiltCli([...base, "install-units"]).stdout, /^unchanged /m);
  }));

test("add --dry-run shows the text of the entry it would write, the same bytes add then writes", () =>
  withTempRoot((root) => {
    const base = image(root);
    const args = ["add", "--tries", "3", "--options", "root=/dev/vda2 quiet", "6.1.0-18-amd64", path.join(root, "vmlinuz")];
    const dry = runBuiltCli([...base, "--dry-run", ...args]);
    assert.is(dry.status, 0, dry.stderr);
    assert.equal(readdirSync(path.join(root, "efi/loader/entries")), [], "a dry run writes nothing");
    const lines = dry.stdout.split("\n");
    const at = lines.findIndex((l) => /^would write .*loader\/entries\/debian-6\.1\.0-18-amd64\+3\.conf \(\d+ bytes\):$/.test(l));
    assert.ok(at >= 0, dry.stdout);
    const shown = lines.slice(at + 1).filter((l) => l.startsWith("    ")).map((l) => l.slice(4));
    assert.is(runBuiltCli([...base, ...args]).status, 0);
    const written = readFileSync(path.join(root, "efi/loader/entries/debian-6.1.0-18-amd64+3.conf"), "utf8");
    assert.is(shown.join("\n") + "\n", written);
    assert.match(written, /^options +root=\/dev\/vda2 quiet$/m);
  }));

test("cleanup with nothing to do says so; informational lines do not start like errors", () =>
  withTempRoot((root) => {
    const base = image(root);
    const r = runBuiltCli([...base, "cleanup"]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, "");
    assert.match(r.stderr, /^nothing to clean up/);
    assert.equal(runBuiltCli([...base, "-q", "cleanup"]), { status: 0, stdout: "", stderr: "" });
    // bless-boot's "already" note (systemd-bless-boot's log_info) is informational, not an error.
    const esp = path.join(root, "efi");
    writeFileSync(path.join(esp, "loader/entries/debian-6.1.conf"), "title Debian\nlinux /vmlinuz\n");
    const vars = path.join(root, "vars");
    mkdirSync(vars);
    const guid = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";
    const utf16 = (s: string) => Buffer.concat([Buffer.from([6, 0, 0, 0]), Buffer.from(s + "\0", "utf16le")]);
    writeFileSync(path.join(vars, `LoaderBootCountPath-${guid}`), utf16("\\loader\\entries\\debian-6.1+1-2.conf"));
    writeFileSync(path.join(vars, `LoaderDevicePartUUID-${guid}`), utf16("00000000-0000-0000-0000-000000000000"));
    const bless = runBuiltCli([...base, "--efivars-path", vars, "bless-boot", "good"]);
    for (const line of bless.stderr.split("\n").filter(Boolean)) {
      if (!/warning:/.test(line)) assert.not.match(line, /^bootctl-ts: /, `informational line looks like an error: ${line}`);
    }
  }));

/** A representative call of every verb (and every action of grub, efi and grubenv). */
test("GRUB --dry-run bless-boot bad says what it would change (the grubenv write and each variable), as systemd-boot's names its rename; nothing written", async () => {
  const { spawnSync } = await import("node:child_process");
  await withTempRoot(async (root) => {
    mkdirSync(path.join(root, "boot/grub"), { recursive: true });
    mkdirSync(path.join(root, "efivars"));
    const env = path.join(root, "boot/grub/grubenv");
    assert.is(spawnSync("grub-editenv", [env, "create"]).status, 0);
    assert.is(spawnSync("grub-editenv", [env, "set", "bootctl_trial=os-6.12", "bootctl_tries=2", "bootctl_fallback=os-6.11", "bootctl_booted=os-6.12"]).status, 0);
    const before = readFileSync(env);
    const base = ["--root", root, "--efivars-path", path.join(root, "efivars")];
    const dry = runBuiltCli([...base, "--dry-run", "bless-boot", "bad"]);
    assert.is(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^would write \S*boot\/grub\/grubenv \(1024 bytes\)$/m, dry.stdout);
    assert.equal(readFileSync(env), before, "a dry run writes nothing");
    const json = JSON.parse(runBuiltCli([...base, "--dry-run", "--json=short", "bless-boot", "bad"]).stdout) as { outcome: string; effects: { kind: string; path: string }[]; notes: string[] };
    assert.is(json.outcome, "grubenv");
    assert.equal(json.effects.map((e) => [e.kind, e.path]), [["write-file", "boot/grub/grubenv"]]);
    // Each variable the dry run names is what grub-editenv lists after the real run.
    const announced = json.notes.filter((n) => n.startsWith("grubenv: ")).map((n) => n.slice("grubenv: ".length));
    assert.ok(announced.length > 0, json.notes.join("\n"));
    const real = runBuiltCli([...base, "bless-boot", "bad"]);
    assert.is(real.status, 0, real.stderr);
    const listed = new Map(spawnSync("grub-editenv", [env, "list"], { encoding: "utf8" }).stdout.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as [string, string]));
    for (const change of announced) {
      const unset = /^(\w+) unset \(was /.exec(change);
      if (unset) assert.not.ok(listed.has(unset[1]!), change);
      else {
        const m = /^(\w+)=(.*) \((?:new|was .*)\)$/.exec(change);
        assert.ok(m, change);
        assert.is(listed.get(m![1]!), m![2], change);
      }
    }
  });
});

function calls(root: string): Record<string, string[][]> {
  const base = ["--root", root, "--esp-path", "/efi", "--efivars-path", path.join(root, "efivars")];
  const cfg = ["--grub-cfg", "/boot/grub/grub.cfg"];
  return {
    list: [[...base, "list"]],
    status: [[...base, "status"]],
    "bless-boot": [[...base, "bless-boot", "status"]],
    add: [[...base, "--dry-run", "add", "6.13.0-1-default", path.join(root, "vmlinuz")]],
    remove: [[...base, "--dry-run", "remove", "6.11.8-1-default"]],
    unlink: [[...base, "--dry-run", "unlink", "opensuse-microos-6.11.8-1-default.conf"]],
    cleanup: [[...base, "--dry-run", "cleanup"]],
    predict: [[...base, "predict"]],
    health: [[...base, "--dry-run", "health"]],
    "install-units": [[...base, "--dry-run", "install-units"]],
    "set-default": [[...base, "--dry-run", "set-default", "opensuse-microos-6.11.8-1-default.conf"]],
    "set-oneshot": [[...base, "--dry-run", "set-oneshot", "opensuse-microos-6.11.8-1-default.conf"]],
    "set-timeout": [[...base, "--dry-run", "set-timeout", "5"]],
    "set-timeout-oneshot": [[...base, "--dry-run", "set-timeout-oneshot", "5"]],
    grubenv: [["--root", root, "grubenv", "/boot/grub/grubenv", "list"], ["--root", root, "grubenv", "/g2", "create"], ["--root", root, "grubenv", "/boot/grub/grubenv", "set", "a=1"], ["--root", root, "grubenv", "/boot/grub/grubenv", "unset", "a"]],
    grub: [["--root", root, "grub", "menu", ...cfg], ["--root", root, "grub", "default", ...cfg], ["--root", root, "grub", "check", "/boot/grub/grub.cfg"], [...base, "grub", "render"]],
    efi: [["--efivars-path", path.join(root, "efivars"), "efi", "list"], ["--efivars-path", path.join(root, "efivars"), "--dry-run", "efi", "clear-next"]],
    "compare-versions": [["compare-versions", "1", "2"]],
    help: [["help"], ["help", "list"]],
    completion: [["completion", "bash"]],
  };
}

/** Those whose output is not data: they refuse --json. Everything else prints JSON. */
const REFUSED = new Set(["grub render", "efi clear-next", "compare-versions", "help", "help list", "completion bash"]);

test("--json works on every verb, or the verb refuses it (exit 2): never silently ignored", async () => {
  const { cli } = await buildCli();
  await withTempRoot((root) => {
    cpSync(path.join(FIXTURES, "demo/microos"), root, { recursive: true });
    writeFileSync(path.join(root, "vmlinuz"), "kernel\n");
    mkdirSync(path.join(root, "usr/bin"), { recursive: true });
    writeFileSync(path.join(root, "usr/bin/node"), "#!/bin/sh\n");
    chmodSync(path.join(root, "usr/bin/node"), 0o755);
    mkdirSync(path.join(root, "boot/grub"), { recursive: true });
    cpSync(path.join(FIXTURES, "grubcfg/fedora-workstation-blscfg.generated.grub.cfg"), path.join(root, "boot/grub/grub.cfg"));
    const table = calls(root);
    assert.equal(Object.keys(table).sort(), cli.commands.map((c) => c.name).sort(), "every verb has a call here");
    for (const [verb, invocations] of Object.entries(table)) {
      for (const args of invocations) {
        const at = args.indexOf(verb);
        const what = [verb, ...(verb === "grub" || verb === "efi" || verb === "help" || verb === "completion" ? args.slice(at + 1, at + 2) : [])].join(" ");
        const r = runBuiltCli(["--json=short", ...args]);
        if (REFUSED.has(what)) {
          assert.is(r.status, 2, `${what}: ${r.stdout}${r.stderr}`);
          assert.is(r.stdout, "", what);
          assert.is(r.stderr, `bootctl-ts: ${what.split(" ").slice(0, verb === "grub" || verb === "efi" ? 2 : 1).join(" ")}: --json is not supported (its output is not data)\n`, what);
        } else {
          assert.is(r.status, 0, `${what}: ${r.stderr}`);
          for (const line of r.stdout.split("\n").filter(Boolean)) {
            try {
              JSON.parse(line);
            } catch {
              assert.unreachable(`${what}: not JSON: ${line.slice(0, 200)}`);
            }
          }
          assert.ok(r.stdout.length > 0, `${what}: no output`);
        }
      }
    }
  });
});

test.run();
