// `npm run demo`: the main job of bootctl-ts on the bundled demo systems (fixtures/demo), run on a
// temporary copy with the built CLI, exactly as a user would type it there (paths are relative to
// the copy, which is the working directory of every command).
//
// systemd-boot (MicroOS-like): a snapshot on trial fails; the demo carries out what systemd-boot
// does (the rename before the boot, LoaderBootCountPath) and what the boot-failure service does
// (`bless-boot bad`), and the loader falls back to the previous snapshot.
// GRUB (Silverblue-like): grub.cfg is written by today's generators (grub/09_bootctl_counting and
// grub/20_bootctl-ts, which runs `bootctl-ts grub render`), after GRUB's own 00_header, as
// grub-mkconfig would; GRUB's save_env is carried out as `grub default` reports it; the boot is good.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import fse from "fs-extra";

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.join(repo, "dist/cli.cjs");
// The demo runs the built CLI: build it first (a fresh clone has no dist/; `npm install` runs no
// build script, so that installing the package runs none either). Its test, which runs after a
// build, skips that (BOOTCTL_TS_DEMO_NO_BUILD=1).
if (process.env.BOOTCTL_TS_DEMO_NO_BUILD !== "1") {
  const build = spawnSync(process.execPath, [path.join(repo, "scripts/build.mjs")], { stdio: "inherit", cwd: repo });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const work = mkdtempSync(path.join(tmpdir(), "bootctl-ts-demo-"));
fse.copySync(path.join(repo, "fixtures/demo"), work);

const bold = (s) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1m${s}\x1b[22m` : s);
/** Output with the copy's absolute paths shortened to paths relative to it (the working directory). */
const short = (text) => text.split(`${work}/`).join("").split(work).join(".");

function spawnCli(args) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: work });
}

function run(description, args, { json = false } = {}) {
  console.log(`\n${bold("# " + description)}`);
  console.log(`$ bootctl-ts ${args.map((a) => (/[\s'"$]/.test(a) ? `'${a}'` : a)).join(" ")}`);
  const r = spawnCli(args);
  if (!json) process.stdout.write(short(r.stdout));
  process.stdout.write(short(r.stderr));
  if (r.status !== 0 && !description.includes("(fails)")) {
    console.error(`demo step failed with exit status ${r.status}`);
    process.exit(1);
  }
  return r;
}

function step(text) {
  console.log(`\n${bold("# " + text)}`);
}

const guid = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";
/** An efivarfs file of a Boot Loader Interface string variable (attributes NV|BS|RT, UTF-16LE, NUL). */
function writeLoaderString(efivars, name, value) {
  writeFileSync(path.join(work, efivars, `${name}-${guid}`), Buffer.concat([Buffer.from([6, 0, 0, 0]), Buffer.from(`${value}\0`, "utf16le")]));
}

console.log(`The demo works on a copy of fixtures/demo: ${work}`);
console.log("Every command below runs there (cd into it to try them yourself).");

// --- systemd-boot: an openSUSE MicroOS-like system (one ESP, snapshot deployments) ----------
const sd = ["--root", "microos", "--esp-path", "/efi", "--efivars-path", "microos/efivars"];
console.log(`\n${bold("== openSUSE MicroOS-like system with systemd-boot (microos/) ==")}`);
console.log("Snapshot 42 was just installed with three tries; snapshot 41 booted fine last time.");
run("What the boot loader and bootctl-ts see", [...sd, "status"]);
run("The menu, in boot order", [...sd, "list"]);
run("What happens if snapshot 42 never boots?", [...sd, "predict"]);
run("And if it fails once, then boots?", [...sd, "predict", "--fail", "1"]);

// Boot 1, as systemd-boot does it: rename the entry before starting it (one try used) and tell the
// OS which file it booted (LoaderBootCountPath, LoaderEntrySelected); then the service decides.
const entries = path.join(work, "microos/efi/loader/entries");
const trial = "opensuse-microos-6.12.1-1-default";
renameSync(path.join(entries, `${trial}+3.conf`), path.join(entries, `${trial}+2-1.conf`));
writeLoaderString("microos/efivars", "LoaderBootCountPath", `\\loader\\entries\\${trial}+2-1.conf`);
writeLoaderString("microos/efivars", "LoaderEntrySelected", `${trial}.conf`);
step(`Boot 1: systemd-boot starts snapshot 42; before that it renames ${trial}+3.conf to +2-1.conf and sets LoaderBootCountPath`);
run("During that boot, the boot-success service asks for the state", [...sd, "bless-boot", "status"]);
run("The health checks fail: the boot-failure service marks the boot bad (+0-1: no tries left)", [...sd, "bless-boot", "bad"]);
run("The menu now: snapshot 42 is bad and sorts last", [...sd, "list"]);
run("What systemd-boot boots next", [...sd, "predict"]);

// Boot 2: systemd-boot boots the first entry of its sorted menu, snapshot 41 (uncounted: no rename,
// no LoaderBootCountPath).
rmSync(path.join(work, "microos/efivars", `LoaderBootCountPath-${guid}`));
writeLoaderString("microos/efivars", "LoaderEntrySelected", "opensuse-microos-6.11.8-1-default.conf");
step("Boot 2: systemd-boot falls back to snapshot 41 (it has no counter: no rename, no LoaderBootCountPath)");
run("The boot-success service: nothing to count on this boot", [...sd, "bless-boot", "status"]);
run("The system after the fallback", [...sd, "status"]);

// --- GRUB: a Fedora Silverblue-like system (BLS entries rendered into grub.cfg, grubenv counting) --
const gr = ["--root", "silverblue"];
console.log(`\n${bold("== Fedora Silverblue-like system with GRUB 2.06 (silverblue/) ==")}`);
console.log("Deployment ostree:0 is on trial with three tries in the grubenv; ostree:1 is the last good one.");

// grub.cfg as grub-mkconfig writes it: the output of each /etc/grub.d generator in turn. GRUB's
// 00_header is a fixture (GRUB's generator, not ours); ours are the ones bootctl-ts installs.
step("grub-mkconfig -o silverblue/boot/grub2/grub.cfg, with bootctl-ts's generators 09_bootctl_counting and 20_bootctl-ts");
const generator = (name, env = {}) => {
  const r = spawnSync("sh", [path.join(repo, "grub", name)], { encoding: "utf8", cwd: work, env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`grub/${name} failed with exit status ${r.status}: ${r.stderr}`);
    process.exit(1);
  }
  process.stdout.write(short(r.stderr));
  return `### BEGIN /etc/grub.d/${name} ###\n${r.stdout}### END /etc/grub.d/${name} ###\n`;
};
const grubCfg = [
  `### BEGIN /etc/grub.d/00_header ###\n${readFileSync(path.join(repo, "fixtures/demo-grub/00_header.cfg"), "utf8").replace(/^#.*\n/gm, "")}### END /etc/grub.d/00_header ###\n`,
  generator("09_bootctl_counting"),
  generator("20_bootctl-ts", { BOOTCTL_TS: cli, GRUB_BOOTCTL_TS_ARGS: `--root ${path.join(work, "silverblue")} --boot-path /boot` }),
].join("\n");
writeFileSync(path.join(work, "silverblue/boot/grub2/grub.cfg"), grubCfg);
run("The configuration passes grub-script-check's rules", [...gr, "grub", "check", "/boot/grub2/grub.cfg"]);
run("GRUB's menu, from grub.cfg", [...gr, "grub", "menu", "--grub-cfg", "/boot/grub2/grub.cfg"]);
run("What GRUB will boot next, and what it saves before booting", [...gr, "grub", "default", "--grub-cfg", "/boot/grub2/grub.cfg"]);
run("What happens if ostree:0 never boots? (grub.cfg evaluated boot after boot)", [...gr, "predict"]);

// Boot 1: GRUB runs grub.cfg and the trial's menu entry saves its variables (save_env) before the
// kernel starts: exactly what `grub default` reported, carried out here on the grubenv.
const saves = JSON.parse(spawnCli([...gr, "--json=short", "grub", "default", "--grub-cfg", "/boot/grub2/grub.cfg"]).stdout).env;
step("Boot 1: GRUB boots ostree:0; its menu entry saves the counting state (save_env) before the kernel starts");
run("(what GRUB writes with save_env)", [...gr, "grubenv", "-", "set", ...Object.entries(saves).map(([k, v]) => `${k}=${v}`)]);
run("During that boot, the boot-success service asks for the state", [...gr, "bless-boot", "status"]);
run("Health checks passed: mark the boot good", [...gr, "bless-boot", "good"]);
run("The grubenv afterwards: the trial ended, ostree:0 is the saved default", [...gr, "grubenv", "-", "list"]);

console.log(`\n${bold("Done.")} The copy is in ${work}; nothing in the repository was changed.`);
