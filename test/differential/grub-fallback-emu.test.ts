/**
 * The fallback `add --tries` records on GRUB is the newest entry known to boot
 * (src/model/known-good.ts), seen in real GRUB 2.06 (grub-emu): an image with no saved_entry (a
 * fresh one) whose newest entry failed its trial gets a new deployment through the built CLI
 * (`bootctl-ts add --tries 2`, then `bootctl-ts grub render` for the menu, as 20_bootctl-ts runs
 * it); GRUB, booting that grub.cfg boot after boot (upstream 00_header's environment code and our
 * counting fragment first), must boot the new trial twice and then the entry known to boot — not
 * the one that just failed. Then a second failed deployment: the one after it still falls back to
 * that same entry (the ended trials are remembered in bootctl_bad). Names are kernel-install's
 * `<machine-id>-<version>`, so the ids are `bls:` ids.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { grubCountingScript } from "../../src/ops/grub-counting-script.ts";
import { runBuiltCli } from "../support/cli.ts";
import { spawnSync } from "node:child_process";
import { requireTool } from "../support/exec.ts";
import { GrubEmuDisk } from "../support/grub-emu.ts";
import { UPSTREAM_00_HEADER_ENV } from "../support/grub-header.ts";
import { withTempRoot } from "../support/tmp.ts";

const MACHINE = "5d1e0c9a7b3f4e21a8c6d0f2b4e6a8c0";
const id = (version: string) => `bls:${MACHINE}-${version}`;

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
}

function tools(): void {
  for (const [tool, pkg] of [["grub-emu", "grub-emu"], ["grub-editenv", "grub-common"], ["mformat", "mtools"]] as const) requireTool(tool, pkg);
}

function image(root: string): void {
  mkdirSync(path.join(root, "efi/loader/entries"), { recursive: true });
  mkdirSync(path.join(root, "etc"), { recursive: true });
  mkdirSync(path.join(root, "boot/grub"), { recursive: true });
  writeFileSync(path.join(root, "etc/machine-id"), `${MACHINE}\n`);
  writeFileSync(path.join(root, "vmlinuz"), "kernel\n");
  for (const version of ["6.11", "6.12"]) {
    writeFileSync(path.join(root, `efi/loader/entries/${MACHINE}-${version}.conf`), `title OS ${version}\nversion ${version}\nlinux /k-${version}\n`);
  }
}

/** `bootctl-ts add --tries 2`, `grub render` into grub.cfg, both onto the disk GRUB boots. */
function deploy(root: string, disk: GrubEmuDisk, version: string): { stderr: string } {
  const base = ["--root", root, "--esp-path", "/efi"];
  const added = runBuiltCli([...base, "add", "--loader", "grub", "--tries", "2", "--title", `OS ${version}`, version, path.join(root, "vmlinuz")]);
  assert.is(added.status, 0, added.stderr);
  const rendered = runBuiltCli([...base, "grub", "render"]);
  assert.is(rendered.status, 0, rendered.stderr);
  const cfg = `${UPSTREAM_00_HEADER_ENV}${grubCountingScript()}set timeout=0\n${rendered.stdout}`;
  writeFileSync(path.join(root, "boot/grub/grub.cfg"), cfg);
  disk.writeFile("/boot/grub/grub.cfg", cfg);
  disk.writeFile("/boot/grub/grubenv", readFileSync(path.join(root, "boot/grub/grubenv")));
  return { stderr: added.stderr };
}

async function boots(disk: GrubEmuDisk, count: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    const { titles, output } = await disk.boot();
    assert.is(titles.length, 1, `boot ${i + 1}: ${output.slice(-400)}`);
    seen.push(titles[0]!);
  }
  return seen;
}

test("a fresh image whose newest entry failed its trial: after the new trial's tries GRUB boots the entry known to boot, not the failed one", async () => {
  tools();
  await withTempRoot(async (root) => {
    image(root);
    const env = path.join(root, "boot/grub/grubenv");
    run("grub-editenv", [env, "create"]);
    // 6.12 was on trial, booted, and was marked bad (`bless-boot bad`: tries 0, state bad); no saved_entry.
    run("grub-editenv", [env, "set", `bootctl_trial=${id("6.12")}`, "bootctl_tries=0", `bootctl_fallback=${id("6.11")}`, `bootctl_booted=${id("6.12")}`, "bootctl_state=bad"]);
    const disk = new GrubEmuDisk(root);
    deploy(root, disk, "6.13");
    assert.equal(await boots(disk, 3), ["OS 6.13", "OS 6.13", "OS 6.11"], "two tries, then the entry known to boot");
    // predict, on the files as add left them (the evaluator running this grub.cfg), foresees the same boots and
    // calls only the fallback known to boot.
    const predicted = JSON.parse(runBuiltCli(["--root", root, "--esp-path", "/efi", "--json=short", "predict", "--loader", "grub"]).stdout);
    assert.equal(predicted.attempts.map((a: { id: string; standing: string }) => [a.id, a.standing]), [[id("6.13"), "pending"], [id("6.13"), "pending"], [id("6.11"), "good"]]);
    const after = disk.readEnv();
    assert.equal([after.get("bootctl_tries"), after.get("bootctl_booted"), after.get("bootctl_fallback")], ["0", id("6.11"), id("6.11")]);

    // 6.13 ran out of tries too; the next deployment still falls back to 6.11 (6.12 and 6.13 are in bootctl_bad).
    writeFileSync(env, disk.readBytes("/boot/grub/grubenv"));
    deploy(root, disk, "6.14");
    assert.is(disk.readEnv().get("bootctl_bad"), `${id("6.12")} ${id("6.13")}`);
    assert.equal(await boots(disk, 3), ["OS 6.14", "OS 6.14", "OS 6.11"]);
  });
});

test.run();
