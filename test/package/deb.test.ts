/**
 * The Debian package, end to end in a Debian 12 chroot made by mmdebstrap from Debian's packages
 * (test/package/debian-chroot.ts; cached outside the repository): `npm run package:deb` builds
 * it with dpkg-deb, lintian finds no error and only the warnings README.md lists, `dpkg -i`
 * installs it, Debian's own nodejs runs `bootctl-ts`, systemd's tools see the units enabled and
 * valid and systemd-bless-boot.service stood down, the real kernel-install writes exactly one
 * entry (ours), update-grub shows it, and `dpkg --purge` leaves nothing of ours behind.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { requireTool } from "../support/exec.ts";
import { cachedChrootTarball, extractChroot, inChroot, removeChroot, type ChrootResult } from "./debian-chroot.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const VERSION: string = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).version;
const DEB_NAME = `bootctl-ts_${VERSION}-1_all.deb`;
/** Debian 12 as a machine that boots with GRUB or systemd-boot has it; ca-certificates is nodejs' Recommends. */
const BOOKWORM = { suite: "bookworm", packages: ["nodejs", "ca-certificates", "systemd", "systemd-boot", "grub2-common"] };
const MACHINE_ID = "0123456789abcdef0123456789abcdef";
const KERNEL = "6.1.0-99-amd64";
const UNITS = ["bootctl-ts-health.service", "bootctl-ts-bless.service"];

let deb = "";
let chroot = "";
const started = Date.now();
const phase = (name: string, since: number) => console.log(`  ${name}: ${((Date.now() - since) / 1000).toFixed(1)} s`);

function ok(r: ChrootResult, what: string): ChrootResult {
  assert.is(r.status, 0, `${what}: exit ${r.status}\n${r.stderr}`);
  return r;
}

/** Every path under the chroot, except what dpkg, apt and this test themselves change. */
function snapshot(dir: string): Set<string> {
  const skip = new Set(["proc", "sys", "dev", "tmp", "run", "var/lib/dpkg", "var/log", "var/cache", "boot", "etc/kernel"]);
  const out = new Set<string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const sub = rel ? `${rel}/${name}` : name;
      if (skip.has(sub)) continue;
      out.add(sub);
      if (lstatSync(path.join(dir, sub)).isDirectory()) walk(sub);
    }
  };
  walk("");
  return out;
}

test("npm run package:deb builds the package with dpkg-deb; the path is the last line", () => {
  requireTool("dpkg-deb", "dpkg");
  const t = Date.now();
  const r = spawnSync(process.execPath, [path.join(REPO, "scripts/package-deb.mjs")], { cwd: REPO, encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  deb = r.stdout.trim().split("\n").at(-1)!;
  assert.is(deb, path.join(REPO, "build/deb", DEB_NAME));
  const fields = spawnSync("dpkg-deb", ["--field", deb, "Package", "Version", "Architecture", "Depends"], { encoding: "utf8" }).stdout;
  assert.match(fields, /^Package: bootctl-ts$/m);
  assert.match(fields, new RegExp(`^Version: ${VERSION.replaceAll(".", "\\.")}-1$`, "m"));
  assert.match(fields, /^Architecture: all$/m);
  assert.match(fields, /^Depends: nodejs \(>= 18\.19\)$/m);
  const conffiles = spawnSync("dpkg-deb", ["--ctrl-tarfile", deb], { encoding: "buffer" });
  const listing = spawnSync("tar", ["-xOf", "-", "./conffiles"], { input: conffiles.stdout, encoding: "utf8" }).stdout;
  assert.equal(listing.trim().split("\n"), ["/etc/grub.d/09_bootctl_counting", "/etc/grub.d/20_bootctl-ts"]);
  // bootctl-ts(1) as the build made it, and the completions where bash, zsh and fish look.
  const contents = spawnSync("dpkg-deb", ["--contents", deb], { encoding: "utf8" }).stdout;
  for (const file of ["usr/share/man/man1/bootctl-ts.1.gz", "usr/share/bash-completion/completions/bootctl-ts", "usr/share/zsh/vendor-completions/_bootctl-ts", "usr/share/fish/vendor_completions.d/bootctl-ts.fish"]) {
    assert.match(contents, new RegExp(`^-rw-r--r-- root/root .* \\./${file.replaceAll(".", "\\.")}$`, "m"), file);
  }
  const page = spawnSync("sh", ["-c", `dpkg-deb --fsys-tarfile "$1" | tar -xOf - ./usr/share/man/man1/bootctl-ts.1.gz | gzip -dc`, "sh", deb], { encoding: "utf8" }).stdout;
  assert.is(page, readFileSync(path.join(REPO, "dist/bootctl-ts.1"), "utf8"));
  console.log(`  .deb: ${readFileSync(deb).length} bytes`);
  phase("package:deb", t);
});

test("lintian: no errors; every warning is listed in README.md with its reason", () => {
  requireTool("lintian", "lintian");
  const t = Date.now();
  const r = spawnSync("lintian", ["--no-tag-display-limit", deb], { encoding: "utf8" });
  const tags = r.stdout.split("\n").filter((l) => /^[EW]: /.test(l));
  console.log(tags.map((l) => `  lintian ${l}`).join("\n"));
  assert.equal(tags.filter((l) => l.startsWith("E:")), [], "lintian errors");
  const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### lintian"), readme.indexOf("\n## ", readme.indexOf("### lintian")));
  for (const line of tags) {
    const tag = /^W: bootctl-ts: (\S+)/.exec(line)?.[1];
    assert.ok(tag && section.includes(`\`${tag}\``), `lintian warning not explained in README.md (### lintian): ${line}`);
  }
  phase("lintian", t);
});

test("Debian 12 chroot: dpkg -i, the command under Debian's nodejs, the units enabled and verified", () => {
  for (const [tool, pkg] of [["mmdebstrap", "mmdebstrap"], ["unshare", "util-linux"], ["systemctl", "systemd"], ["systemd-analyze", "systemd"]] as const) requireTool(tool, pkg);
  if (process.getuid?.() !== 0) throw new Error("the package test needs root (chroot, mounts); run npm test as root");
  let t = Date.now();
  const { tarball, built } = cachedChrootTarball(BOOKWORM);
  phase(built ? "mmdebstrap (cold: built the chroot)" : "chroot tarball (warm: cached)", t);
  t = Date.now();
  chroot = path.join(tmpdir(), `bootctl-ts-deb-${process.pid}`);
  extractChroot(tarball, chroot);
  phase("extract", t);
  writeFileSync(path.join(chroot, "etc/machine-id"), `${MACHINE_ID}\n`);
  mkdirSync(path.join(chroot, "boot/grub"), { recursive: true });
  copyFileSync(deb, path.join(chroot, "tmp", DEB_NAME));
  ok(inChroot(chroot, ["node", "--version"]), "node --version");
  t = Date.now();
  const before = snapshot(chroot);
  (globalThis as { __before?: Set<string> }).__before = before;
  const install = ok(inChroot(chroot, ["dpkg", "-i", `/tmp/${DEB_NAME}`]), "dpkg -i");
  assert.not.match(install.stderr, /warning|error/i);
  phase("dpkg -i", t);

  const version = ok(inChroot(chroot, ["bootctl-ts", "--version"]), "bootctl-ts --version");
  assert.is(version.stdout.trim(), `bootctl-ts ${VERSION}`);
  assert.is(version.stderr, "");
  const node = inChroot(chroot, ["node", "--version"]).stdout.trim();
  assert.match(node, /^v18\./, "Debian 12's own nodejs runs the CLI");
  const status = ok(inChroot(chroot, ["bootctl-ts", "--root", "/", "status"]), "bootctl-ts --root / status");
  // /boot is a mount point in the chroot's namespace, but not FAT: not an ESP, XBOOTLDR ($BOOT),
  // as Debian's own bootctl there finds it (find-esp.c verify_esp() wants MSDOS_SUPER_MAGIC).
  assert.match(status.stdout, /^ +ESP: \(none\)$/m);
  assert.match(status.stdout, /^ +XBOOTLDR: \/boot$/m);
  // (bootctl's XBOOTLDR check there cannot be compared: with no udev database it probes the disk
  // with blkid, which the chroot may not open.)
  const bootctlEsp = inChroot(chroot, ["bootctl", "--print-esp-path"]);
  assert.is.not(bootctlEsp.status, 0, "bootctl finds no ESP either");
  assert.match(bootctlEsp.stderr, /Couldn't find EFI system partition/);
  assert.match(status.stdout, /^ +State: clean$/m);

  for (const unit of UNITS) assert.is(spawnSync("systemctl", [`--root=${chroot}`, "is-enabled", unit], { encoding: "utf8" }).stdout.trim(), "enabled", unit);
  assert.is(spawnSync("systemctl", [`--root=${chroot}`, "is-enabled", "bootctl-ts-boot-failure.service"], { encoding: "utf8" }).stdout.trim(), "static");
  const verify = spawnSync("systemd-analyze", ["verify", `--root=${chroot}`, "--man=no", ...UNITS, "bootctl-ts-boot-failure.service", "systemd-bless-boot.service"], { encoding: "utf8" });
  assert.is(verify.status, 0, verify.stderr);
  assert.is(verify.stderr.trim(), "");
  // systemd's own blesser stands down while bootctl-ts is installed (evaluated inside the chroot).
  const condition = inChroot(chroot, ["systemd-analyze", "condition", "--unit=systemd-bless-boot.service"]);
  assert.is.not(condition.status, 0);
  assert.match(condition.stdout + condition.stderr, /ConditionPathExists=!\/usr\/lib\/bootctl-ts\/service\.cjs failed/);
  // Installing again (the same version) is idempotent: same links, still enabled, no new warnings.
  const links = () => spawnSync("find", [path.join(chroot, "etc/systemd/system"), "-type", "l", "-name", "bootctl-ts*", "-printf", "%P -> %l\n"], { encoding: "utf8" }).stdout.split("\n").sort();
  const first = links();
  ok(inChroot(chroot, ["dpkg", "-i", `/tmp/${DEB_NAME}`]), "dpkg -i (again)");
  assert.equal(links(), first);
  assert.is(first.filter(Boolean).length, 2);
});

test("the real kernel-install writes exactly one entry, bootctl-ts's; update-grub shows it", () => {
  mkdirSync(path.join(chroot, "etc/kernel"), { recursive: true });
  writeFileSync(path.join(chroot, "etc/kernel/install.conf"), "layout=bls\n");
  writeFileSync(path.join(chroot, "etc/kernel/tries"), "3\n");
  writeFileSync(path.join(chroot, "etc/kernel/cmdline"), "root=/dev/vda2 ro\n");
  writeFileSync(path.join(chroot, "tmp/vmlinuz"), "kernel\n");
  // Before any entry exists, 20_bootctl-ts has nothing to render and says so.
  const empty = ok(inChroot(chroot, ["update-grub"]), "update-grub (no entries yet)");
  assert.match(empty.stderr, /20_bootctl-ts: no loader\/entries directory/);
  const add = ok(inChroot(chroot, ["kernel-install", "--verbose", "add", KERNEL, "/tmp/vmlinuz"]), "kernel-install add");
  const plugins = add.stdout.slice(add.stdout.indexOf("Plugin files:")).split("\n").filter((l) => l.startsWith("/"));
  assert.ok(plugins.includes("/usr/lib/kernel/install.d/90-bootctl-ts.install"), plugins.join(" "));
  assert.not.ok(plugins.some((p) => /90-loaderentry|90-uki-copy/.test(p)), `systemd's entry plugins still run: ${plugins.join(" ")}`);
  // The chroot is a GRUB system (update-grub made /boot/grub/grub.cfg): the entry has no counter,
  // the tries go to the grubenv, which update-grub did not make and `add` creates.
  assert.equal(readdirSync(path.join(chroot, "boot/loader/entries")), [`${MACHINE_ID}-${KERNEL}.conf`]);
  const env = ok(inChroot(chroot, ["grub-editenv", "/boot/grub/grubenv", "list"]), "grub-editenv list").stdout.split("\n");
  assert.ok(env.includes(`bootctl_trial=bls:${MACHINE_ID}-${KERNEL}`), env.join(" "));
  assert.ok(env.includes("bootctl_tries=3"), env.join(" "));
  assert.equal(readdirSync(path.join(chroot, "boot", MACHINE_ID, KERNEL)), ["linux"]);

  const update = ok(inChroot(chroot, ["update-grub"]), "update-grub");
  assert.match(update.stderr, /Adding Boot Loader Specification entries \(bootctl-ts\)/);
  const cfg = readFileSync(path.join(chroot, "boot/grub/grub.cfg"), "utf8");
  const ours = cfg.slice(cfg.indexOf("### BEGIN /etc/grub.d/20_bootctl-ts ###"), cfg.indexOf("### END /etc/grub.d/20_bootctl-ts ###"));
  // A machine-id token starts with a digit: the id gets the bls: prefix (grub/README.md, "Menu entry ids").
  assert.match(ours, new RegExp(`^menuentry .*--id='bls:${MACHINE_ID}-${KERNEL.replaceAll(".", "\\.")}'`, "m"));
  // Paths as GRUB names them: /boot's path on its own file system, as 10_linux prefixes it
  // (make_system_path_relative_to_its_root; here /boot is a bind mount of a directory of the
  // host, so that directory), printed by GRUB's own grub-mkrelpath in the chroot.
  const prefix = ok(inChroot(chroot, ["grub-mkrelpath", "/boot"]), "grub-mkrelpath /boot").stdout.trim();
  assert.ok(ours.includes(`\tlinux '${prefix}/${MACHINE_ID}/${KERNEL}/linux' 'root=/dev/vda2' 'ro' 'systemd.machine_id=${MACHINE_ID}'\n`), `prefix '${prefix}': ${ours}`);
  assert.match(cfg, /### BEGIN \/etc\/grub\.d\/09_bootctl_counting ###\n# bootctl-ts boot counting/);

  // The command gone from PATH (bundles still installed): update-grub fails and keeps grub.cfg.
  rmSync(path.join(chroot, "usr/bin/bootctl-ts"));
  const broken = inChroot(chroot, ["update-grub"]);
  assert.is.not(broken.status, 0);
  assert.match(broken.stderr, /20_bootctl-ts: error: bootctl-ts not found/);
  assert.is(readFileSync(path.join(chroot, "boot/grub/grub.cfg"), "utf8"), cfg);
  ok(inChroot(chroot, ["dpkg", "-i", `/tmp/${DEB_NAME}`]), "dpkg -i (repair)");
});

test("dpkg -r gives kernel-install back to systemd; dpkg --purge leaves no file of ours", () => {
  const t = Date.now();
  ok(inChroot(chroot, ["dpkg", "-r", "bootctl-ts"]), "dpkg -r");
  assert.ok(existsSync(path.join(chroot, "usr/lib/kernel/install.d/90-loaderentry.install")), "systemd's plugin restored");
  assert.is(inChroot(chroot, ["dpkg-divert", "--list", "*install.d*"]).stdout.trim(), "");
  // The generators are conffiles and stay until purge; with bootctl-ts removed they add nothing.
  const removed = ok(inChroot(chroot, ["update-grub"]), "update-grub after dpkg -r");
  assert.match(removed.stderr, /20_bootctl-ts: bootctl-ts is not installed/);
  assert.not.match(readFileSync(path.join(chroot, "boot/grub/grub.cfg"), "utf8"), /menuentry .*--id='bls:/);
  const stood = inChroot(chroot, ["systemd-analyze", "condition", "--unit=systemd-bless-boot.service"]);
  assert.is(stood.status, 0, "systemd-bless-boot.service runs again once bootctl-ts is removed");

  ok(inChroot(chroot, ["dpkg", "--purge", "bootctl-ts"]), "dpkg --purge");
  const before = (globalThis as { __before?: Set<string> }).__before!;
  const left = [...snapshot(chroot)].filter((p) => !before.has(p));
  assert.equal(left, [], "paths that appeared with the package and are still there after purge");
  const ours = spawnSync("find", [chroot, "-xdev", "-mindepth", "1", "(", "-name", "*bootctl-ts*", "-o", "-lname", "*bootctl-ts*", ")", "-not", "-path", `${chroot}/tmp/*`, "-not", "-path", `${chroot}/boot/*`], { encoding: "utf8" }).stdout.trim();
  assert.is(ours, "");
  phase("remove and purge", t);
  removeChroot(chroot);
  chroot = "";
  phase("whole package test", started);
});

test.after(() => {
  if (chroot) removeChroot(chroot);
});

test.run();
