/**
 * `npm run demo` (scripts/demo.mjs) with the built binary: the Silverblue grub.cfg is what
 * today's generators write, the systemd-boot part carries out a fallback (the loader's rename,
 * `bless-boot bad`, the previous snapshot boots), and paths are printed relative to the copy.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { runBuiltCli } from "../support/cli.ts";
import { checkScript } from "../../src/formats/grubcfg/parser.ts";
import { grubCountingScript } from "../../src/ops/grub-counting-script.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

test("the demo: generated grub.cfg, a carried-out fallback, short paths", () => {
  const r = spawnSync(process.execPath, [path.join(REPO, "scripts/demo.mjs")], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", BOOTCTL_TS_DEMO_NO_BUILD: "1" } });
  assert.is(r.status, 0, r.stderr + r.stdout.slice(-2000));
  const work = /^The demo works on a copy of fixtures\/demo: (\S+)$/m.exec(r.stdout)?.[1];
  assert.ok(work, "the demo names its copy");
  try {
    // Paths are relative to the copy: only the first line and the last one name it.
    const naming = r.stdout.split("\n").filter((l) => l.includes(work!));
    assert.is(naming.length, 2, naming.join("\n"));
    assert.not.match(r.stdout, /efivars-path \/tmp|--root \/tmp/);
    // The fallback on systemd-boot, carried out.
    assert.match(r.stdout, /^Marked boot as 'bad'\. \(Boot attempt counter is at 1\.\)$/m);
    assert.match(r.stdout, /source: microos\/efi\/+loader\/entries\/opensuse-microos-6\.12\.1-1-default\+0-1\.conf/);
    assert.match(r.stdout, /^ +Selected: openSUSE MicroOS \(6\.11\.8-1-default\)/m);
    // The Silverblue grub.cfg: GRUB's 00_header, then exactly what our generators print today.
    const root = path.join(work!, "silverblue");
    const cfg = readFileSync(path.join(root, "boot/grub2/grub.cfg"), "utf8");
    assert.is(checkScript(cfg), undefined);
    const rendered = runBuiltCli(["--quiet", "--root", root, "--boot-path", "/boot", "grub", "render"]);
    assert.is(rendered.status, 0, rendered.stderr);
    assert.ok(cfg.includes(`### BEGIN /etc/grub.d/09_bootctl_counting ###\n${grubCountingScript()}### END /etc/grub.d/09_bootctl_counting ###\n`), "the counting fragment of today's generator");
    assert.ok(cfg.includes(`### BEGIN /etc/grub.d/20_bootctl-ts ###\n${rendered.stdout}### END /etc/grub.d/20_bootctl-ts ###\n`), "the entries as grub render makes them today");
    assert.match(cfg, /bootctl_pick/);
  } finally {
    rmSync(work!, { recursive: true, force: true });
  }
});

test.run();
