// `npm run package:deb`: build/deb/bootctl-ts_<version>_all.deb with Debian's own dpkg-deb.
//
// The files are staged by the library's own installUnits (dist/index.cjs) in vendor mode with
// target "package", so the package has exactly the layout of `bootctl-ts install-units --vendor`
// (src/install/layout.ts) without its activation links; the maintainer scripts in
// packaging/debian/ activate instead (deb-systemd-helper with our preset; dpkg-divert for
// systemd's kernel-install plugins). Added here: the Debian control files, copyright,
// changelog.Debian.gz, md5sums, conffiles (everything under /etc), the man pages listed in
// MAN_PAGES and the shell completions (COMPLETIONS).
//
// Options: --no-build (use dist/ as it is). The .deb's path is the last line of stdout.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, lstatSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import * as path from "node:path";
import { gzipSync } from "node:zlib";

const repo = path.resolve(new URL("..", import.meta.url).pathname);
const pkg = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8"));
const packaging = path.join(repo, "packaging/debian");
const out = path.join(repo, "build/deb");
const stage = path.join(out, "stage");

/** Debian revision 1 of the upstream version in package.json. */
const version = `${pkg.version}-1`;
const maintainer = "bootctl-ts developers <bootctl-ts@users.noreply.github.com>";
/**
 * The man pages (roff → /usr/share/man/manN/NAME.N.gz): bootctl-ts(1), made by the build from the
 * verb declarations (`bootctl-ts help --man`, src/cli/manpage.ts).
 */
const MAN_PAGES = ["dist/bootctl-ts.1"];
/** Shell completions, from `bootctl-ts completion SHELL`, where each shell looks for a package's. */
const COMPLETIONS = {
  bash: "usr/share/bash-completion/completions/bootctl-ts",
  zsh: "usr/share/zsh/vendor-completions/_bootctl-ts",
  fish: "usr/share/fish/vendor_completions.d/bootctl-ts.fish",
};

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], ...options });
  if (r.error) throw new Error(`${command}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${r.status}`);
  return r.stdout;
}

function log(message) {
  process.stderr.write(`package-deb: ${message}\n`);
}

if (!process.argv.includes("--no-build")) run(process.execPath, [path.join(repo, "scripts/build.mjs")], { cwd: repo, stdio: ["ignore", "inherit", "inherit"] });
for (const file of ["cli.cjs", "cli-main.cjs", "service.cjs", "index.cjs"]) {
  if (!existsSync(path.join(repo, "dist", file))) throw new Error(`dist/${file} is missing: run npm run build`);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(stage, { recursive: true, mode: 0o755 });

// 1. The files, exactly as install-units --vendor lays them out.
const { installUnits } = createRequire(import.meta.url)(path.join(repo, "dist/index.cjs"));
const installed = await installUnits({ root: stage, mode: "vendor", target: "package", node: "/usr/bin/node", bundleDirectory: path.join(repo, "dist") });

// 2. Documentation: copyright, changelog.Debian.gz (Debian Policy 12.5, 12.7), man pages.
const doc = path.join(stage, "usr/share/doc/bootctl-ts");
mkdirSync(doc, { recursive: true });
writeFileSync(path.join(doc, "copyright"), readFileSync(path.join(packaging, "copyright")));
const date = run("git", ["log", "-1", "--format=%cD"], { cwd: repo }).trim() || new Date().toUTCString().replace("GMT", "+0000");
const changelog = `bootctl-ts (${version}) unstable; urgency=medium

  * Package of bootctl-ts ${pkg.version}, built by npm run package:deb.

 -- ${maintainer}  ${date}
`;
// gzip -9n semantics: no name, no timestamp in the header (reproducible; lintian checks it).
writeFileSync(path.join(doc, "changelog.Debian.gz"), gzipSync(changelog, { level: 9 }));
for (const page of MAN_PAGES) {
  const source = path.join(repo, page);
  if (!existsSync(source)) throw new Error(`${page} is missing: run npm run build`);
  const section = path.extname(page).slice(1);
  const dir = path.join(stage, `usr/share/man/man${section}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${path.basename(page)}.gz`), gzipSync(readFileSync(source), { level: 9 }));
}

for (const [shell, target] of Object.entries(COMPLETIONS)) {
  const file = path.join(stage, target);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, run(process.execPath, [path.join(repo, "dist/cli.cjs"), "completion", shell]));
}

// 3. Permissions: directories 0755, files as installUnits set them, documentation 0644.
function walk(dir, visit) {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    visit(full);
    if (lstatSync(full).isDirectory()) walk(full, visit);
  }
}
chmodSync(stage, 0o755);
walk(stage, (full) => {
  const st = lstatSync(full);
  if (st.isDirectory()) chmodSync(full, 0o755);
  else if (full.startsWith(doc + path.sep) || full.includes("/usr/share/man/") || Object.values(COMPLETIONS).some((c) => full.endsWith(c))) chmodSync(full, 0o644);
});

// 4. Control files.
const control = path.join(stage, "DEBIAN");
mkdirSync(control, { mode: 0o755 });
let installedBytes = 0;
const md5sums = [];
walk(stage, (full) => {
  if (full === control || full.startsWith(control + path.sep)) return;
  const st = lstatSync(full);
  // Installed-Size: KiB, as dpkg-gencontrol counts it (file sizes rounded up, 1 per directory/link).
  installedBytes += st.isFile() ? Math.ceil(st.size / 1024) * 1024 : 1024;
  if (st.isFile()) md5sums.push(`${createHash("md5").update(readFileSync(full)).digest("hex")}  ${path.relative(stage, full)}`);
});
const substitutions = { "@VERSION@": version, "@MAINTAINER@": maintainer, "@INSTALLED_SIZE@": String(Math.ceil(installedBytes / 1024)) };
writeFileSync(path.join(control, "control"), readFileSync(path.join(packaging, "control.in"), "utf8").replace(/@[A-Z_]+@/g, (m) => substitutions[m] ?? m));
writeFileSync(path.join(control, "md5sums"), md5sums.join("\n") + "\n");
const conffiles = installed.files.filter((file) => file.startsWith("/etc/"));
writeFileSync(path.join(control, "conffiles"), conffiles.join("\n") + "\n");
for (const script of ["preinst", "postinst", "postrm"]) {
  writeFileSync(path.join(control, script), readFileSync(path.join(packaging, script)));
  chmodSync(path.join(control, script), 0o755);
}
for (const file of ["control", "md5sums", "conffiles"]) chmodSync(path.join(control, file), 0o644);

// 5. The package, by dpkg-deb (root:root ownership whoever builds it).
const deb = path.join(out, `bootctl-ts_${version}_all.deb`);
run("dpkg-deb", ["--root-owner-group", "-Zxz", "--build", stage, deb], { stdio: ["ignore", "ignore", "inherit"] });
log(`${path.relative(repo, deb)}: ${statSync(deb).size} bytes, ${installed.files.length} files (${conffiles.length} conffiles)`);
console.log(deb);
