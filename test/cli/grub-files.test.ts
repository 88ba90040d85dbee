/** `grub default` and `predict` follow `source`, `configfile` and env files of their own on the image. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { runBuiltCli } from "../support/cli.ts";
import { withTempRoot } from "../support/tmp.ts";

function env(file: string, vars: Record<string, string>): void {
  spawnSync("grub-editenv", [file, "create"]);
  const pairs = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  if (pairs.length > 0) spawnSync("grub-editenv", [file, "set", ...pairs]);
}

test("grub default: a bootupd-style stub configfiles the real grub.cfg, whose saved_entry decides", async () => {
  await withTempRoot(async (root) => {
    mkdirSync(path.join(root, "boot/grub"), { recursive: true });
    mkdirSync(path.join(root, "boot/grub2"), { recursive: true });
    // coreos/bootupd src/grub2/grub-static-efi.cfg: source bootuuid.cfg, then configfile the boot partition's grub.cfg.
    writeFileSync(path.join(root, "boot/grub/grub.cfg"), "if [ -f ${prefix}/bootuuid.cfg ]; then\n  source ${prefix}/bootuuid.cfg\nfi\nset prefix=($root)/boot/grub2\nexport BOOT_UUID\nconfigfile $prefix/grub.cfg\n");
    writeFileSync(path.join(root, "boot/grub/bootuuid.cfg"), 'set BOOT_UUID="7d2d6b52"\n');
    writeFileSync(path.join(root, "boot/grub2/grub.cfg"), 'load_env\nif [ -n "$saved_entry" ]; then set default="$saved_entry"; fi\nmenuentry "first $BOOT_UUID" --id first { linux /a; }\nmenuentry "second $BOOT_UUID" --id second { linux /b; }\n');
    env(path.join(root, "boot/grub2/grubenv"), { saved_entry: "second" });
    const r = runBuiltCli(["--root", root, "--json=short", "grub", "default"]);
    assert.is(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal([json.title, json.id], ["second 7d2d6b52", "second"]);
  });
});

test("grub default: load_env/save_env --file of a file under the root; a missing one is named as a path under the root", async () => {
  await withTempRoot(async (root) => {
    mkdirSync(path.join(root, "boot/grub"), { recursive: true });
    writeFileSync(path.join(root, "boot/grub/grub.cfg"), 'load_env --file $prefix/ab.env slot\nload_env --file $prefix/nowhere.env x\nif [ "$slot" = b ]; then default=1; fi\nmenuentry A { linux /a; }\nmenuentry B { linux /b; }\n');
    env(path.join(root, "boot/grub/ab.env"), { slot: "b" });
    const r = runBuiltCli(["--root", root, "--json=short", "grub", "default"]);
    assert.is(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.is(json.title, "B");
    assert.ok(json.warnings.some((w: string) => w.includes("/boot/grub/nowhere.env") && !w.includes("(boot)")), JSON.stringify(json.warnings));
  });
});

test.run();
