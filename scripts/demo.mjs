// `npm run demo`: the main job of bootctl-ts on the bundled demo systems (fixtures/demo), run on a
// temporary copy with the built CLI, exactly as a user would type it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import fse from "fs-extra";

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.join(repo, "dist/cli.cjs");
// The demo runs the built CLI: build it first (a fresh clone has no dist/; `npm install` runs no
// build script, so that installing the package runs none either).
const build = spawnSync(process.execPath, [path.join(repo, "scripts/build.mjs")], { stdio: "inherit", cwd: repo });
if (build.status !== 0) process.exit(build.status ?? 1);
const work = mkdtempSync(path.join(tmpdir(), "bootctl-ts-demo-"));
fse.copySync(path.join(repo, "fixtures/demo"), work);

const bold = (s) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1m${s}\x1b[22m` : s);

function run(description, args) {
  console.log(`\n${bold("# " + description)}`);
  console.log(`$ bootctl-ts ${args.map((a) => (/[\s'"$]/.test(a) ? `'${a}'` : a)).join(" ")}`);
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  process.stdout.write(r.stdout);
  process.stdout.write(r.stderr);
  if (r.status !== 0 && !description.includes("(fails)")) {
    console.error(`demo step failed with exit status ${r.status}`);
    process.exit(1);
  }
  return r;
}

// --- systemd-boot: an openSUSE MicroOS-like system (one ESP, snapshot deployments) ----------
const microos = path.join(work, "microos");
const sd = ["--root", microos, "--esp-path", "/efi", "--efivars-path", path.join(microos, "efivars")];
console.log(bold(`== openSUSE MicroOS-like system with systemd-boot (copy in ${microos}) ==`));
console.log("Snapshot 42 was just installed with three tries; snapshot 41 booted fine last time.");
run("What the boot loader and bootctl-ts see", [...sd, "status"]);
run("The menu, in boot order", [...sd, "list"]);
run("What happens if snapshot 42 never boots?", [...sd, "predict"]);
run("And if it fails once, then boots?", [...sd, "predict", "--fail", "1"]);

// Boot 1, as systemd-boot does it: rename the entry before starting it and tell the OS which file
// it booted (LoaderBootCountPath); then the boot-success service decides.
const entries = path.join(microos, "efi/loader/entries");
renameSync(path.join(entries, "opensuse-microos-6.12.1-1-default+3.conf"), path.join(entries, "opensuse-microos-6.12.1-1-default+2-1.conf"));
const guid = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";
const countPath = Buffer.concat([Buffer.from([6, 0, 0, 0]), Buffer.from("\\loader\\entries\\opensuse-microos-6.12.1-1-default+2-1.conf\0", "utf16le")]);
writeFileSync(path.join(microos, "efivars", `LoaderBootCountPath-${guid}`), countPath);
const selected = Buffer.concat([Buffer.from([6, 0, 0, 0]), Buffer.from("opensuse-microos-6.12.1-1-default.conf\0", "utf16le")]);
writeFileSync(path.join(microos, "efivars", `LoaderEntrySelected-${guid}`), selected);
console.log(`\n${bold("# systemd-boot starts snapshot 42: it renames the entry to +2-1 and sets LoaderBootCountPath")}`);
run("During that boot, the boot-success service asks for the state", [...sd, "bless-boot", "status"]);
run("Health checks passed: mark the boot good", [...sd, "bless-boot", "good"]);
run("The menu afterwards: snapshot 42 has no counter left and stays the default", [...sd, "list"]);

// --- GRUB: a Fedora Silverblue-like system (BLS entries rendered into grub.cfg, grubenv counting) --
const silverblue = path.join(work, "silverblue");
const gr = ["--root", silverblue];
console.log(`\n${bold(`== Fedora Silverblue-like system with GRUB 2.06 (copy in ${silverblue}) ==`)}`);
console.log("Deployment ostree:0 is on trial with three tries in the grubenv; ostree:1 is the last good one.");
run("GRUB's menu, from grub.cfg", [...gr, "grub", "menu", "--grub-cfg", "/boot/grub2/grub.cfg"]);
run("What GRUB will boot next, and what it saves before booting", [...gr, "grub", "default", "--grub-cfg", "/boot/grub2/grub.cfg"]);
run("What happens if ostree:0 never boots? (grub.cfg evaluated boot after boot)", [...gr, "predict"]);
console.log(`\n${bold("# GRUB boots ostree:0 and saves its counting state, as grub default said")}`);
run("(what GRUB writes with save_env)", [...gr, "grubenv", "-", "set", "bootctl_tries=2", "bootctl_booted=ostree-2-fedora"]);
run("During that boot, the boot-success service asks for the state", [...gr, "bless-boot", "status"]);
run("Health checks passed: mark the boot good", [...gr, "bless-boot", "good"]);
run("The grubenv afterwards: the trial ended, ostree:0 is the saved default", [...gr, "grubenv", "-", "list"]);

console.log(`\n${bold("Done.")} The copy is in ${work}; nothing in the repository was changed.`);
