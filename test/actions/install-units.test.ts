/**
 * installUnits in both modes, against systemd's own tools: `systemctl --root preset` creates the
 * same enablement links as vendor mode, `systemd-analyze verify --root` accepts what was installed
 * (and rejects units whose Node is missing, the failure the Node check prevents), and
 * `systemd-analyze condition` loads the systemd-bless-boot drop-in from the unit directory.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { installUnits } from "../../src/actions/install-units.ts";
import { BootctlError } from "../../src/errors.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

const DIST = fileURLToPath(new URL("../../dist", import.meta.url));
const UNITS = ["bootctl-ts-health.service", "bootctl-ts-bless.service", "bootctl-ts-boot-failure.service"];

/** A stand-in Node inside the root: systemd only checks that ExecStart's program is executable. */
function fakeNode(root: string, at = "usr/bin/node"): void {
  mkdirSync(path.join(root, path.dirname(at)), { recursive: true });
  writeFileSync(path.join(root, at), "#!/bin/sh\nexit 0\n");
  chmodSync(path.join(root, at), 0o755);
}

/** Every path under dir (files, links, directories), relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub)).sort()) {
      const rel = path.join(sub, name);
      out.push(rel);
      if (lstatSync(path.join(dir, rel)).isDirectory()) walk(rel);
    }
  };
  walk("");
  return out;
}

function links(dir: string, under: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(path.join(dir, under))) return out;
  for (const rel of tree(path.join(dir, under))) {
    const full = path.join(dir, under, rel);
    if (lstatSync(full).isSymbolicLink()) out[`/${under}/${rel}`] = readlinkSync(full);
  }
  return out;
}

function fingerprint(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of tree(root)) {
    const st = lstatSync(path.join(root, rel));
    out[rel] = `${st.ino}:${st.mtimeMs}:${st.mode}`;
  }
  return out;
}

test("admin mode: /etc units enabled by links, the plugin overriding 90-loaderentry.install by name; a second run changes nothing", async () => {
  await withTempRoot(async (root) => {
    fakeNode(root);
    const first = await installUnits({ root, bundleDirectory: DIST });
    assert.is(first.mode, "admin");
    assert.equal(first.unchanged, []);
    for (const unit of UNITS) assert.ok(existsSync(path.join(root, "etc/systemd/system", unit)), unit);
    assert.ok(existsSync(path.join(root, "etc/systemd/system/systemd-bless-boot.service.d/50-bootctl-ts.conf")));
    assert.ok(existsSync(path.join(root, "etc/kernel/install.d/90-loaderentry.install")));
    assert.not.ok(existsSync(path.join(root, "usr/lib/systemd")), "admin mode writes no vendor directory");
    assert.equal(links(root, "etc"), {
      "/etc/systemd/system/boot-complete.target.requires/bootctl-ts-health.service": "/etc/systemd/system/bootctl-ts-health.service",
      "/etc/systemd/system/multi-user.target.wants/bootctl-ts-bless.service": "/etc/systemd/system/bootctl-ts-bless.service",
      "/etc/kernel/install.d/90-uki-copy.install": "/dev/null",
    });
    const health = readFileSync(path.join(root, "etc/systemd/system/bootctl-ts-health.service"), "utf8");
    assert.match(health, /^ExecStart=\/usr\/bin\/node \/usr\/lib\/bootctl-ts\/service\.cjs health$/m);
    // The command on PATH runs the same Node as the units.
    assert.is(readFileSync(path.join(root, "usr/local/bin/bootctl-ts"), "utf8").split("\n").at(-2), 'exec /usr/bin/node /usr/lib/bootctl-ts/cli.cjs "$@"');
    assert.is(statSync(path.join(root, "usr/local/bin/bootctl-ts")).mode & 0o777, 0o755);
    for (const g of ["09_bootctl_counting", "20_bootctl-ts"]) assert.is(statSync(path.join(root, "etc/grub.d", g)).mode & 0o777, 0o755);
    const before = fingerprint(root);
    const second = await installUnits({ root, bundleDirectory: DIST });
    assert.equal(fingerprint(root), before, "no file rewritten, no link replaced");
    assert.equal([...second.unchanged].sort(), [...second.files, ...Object.keys(second.links)].sort());
  });
});

test("vendor mode: /usr/lib units and preset; its links are the ones `systemctl --root preset` creates", async () => {
  requireTool("systemctl", "systemd");
  await withTempRoot(async (root) => {
    fakeNode(root);
    const result = await installUnits({ root, bundleDirectory: DIST, mode: "vendor" });
    for (const unit of UNITS) assert.ok(existsSync(path.join(root, "usr/lib/systemd/system", unit)), unit);
    assert.not.ok(existsSync(path.join(root, "etc/systemd/system/bootctl-ts-health.service")));
    assert.ok(existsSync(path.join(root, "usr/lib/systemd/system/systemd-bless-boot.service.d/50-bootctl-ts.conf")));
    assert.ok(existsSync(path.join(root, "usr/lib/kernel/install.d/90-bootctl-ts.install")));
    assert.ok(existsSync(path.join(root, "usr/bin/bootctl-ts")));
    assert.equal(links(root, "etc/kernel"), { "/etc/kernel/install.d/90-loaderentry.install": "/dev/null", "/etc/kernel/install.d/90-uki-copy.install": "/dev/null" });
    const ours = links(root, "etc/systemd");
    assert.equal(Object.keys(ours).length, 2);
    // systemd's reading of the preset file: drop our links, let systemctl make its own.
    rmSync(path.join(root, "etc/systemd"), { recursive: true });
    const preset = spawnSync("systemctl", [`--root=${root}`, "preset", ...UNITS], { encoding: "utf8" });
    assert.is(preset.status, 0, preset.stderr);
    assert.equal(links(root, "etc/systemd"), ours);
    for (const [unit, state] of [["bootctl-ts-health.service", "enabled"], ["bootctl-ts-bless.service", "enabled"], ["bootctl-ts-boot-failure.service", "static"]] as const) {
      assert.is(spawnSync("systemctl", [`--root=${root}`, "is-enabled", unit], { encoding: "utf8" }).stdout.trim(), state, unit);
    }
    assert.is(result.links["/etc/systemd/system/multi-user.target.wants/bootctl-ts-bless.service"], "/usr/lib/systemd/system/bootctl-ts-bless.service");
  });
});

/** A root with systemd's own units and systemd-bless-boot, as a Debian image has them. */
function systemdRoot(root: string): void {
  const units = realpathSync("/lib/systemd/system");
  cpSync(units, path.join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
  mkdirSync(path.join(root, "usr/lib/systemd"), { recursive: true });
  cpSync(realpathSync("/lib/systemd/systemd-bless-boot"), path.join(root, "usr/lib/systemd/systemd-bless-boot"));
  symlinkSync("usr/lib", path.join(root, "lib"));
}

for (const mode of ["admin", "vendor"] as const) {
  test(`${mode} mode: systemd-analyze verify --root passes on what was installed; the bless-boot drop-in is loaded`, async () => {
    requireTool("systemd-analyze", "systemd");
    requireTool("/lib/systemd/systemd-bless-boot", "systemd-boot");
    await withTempRoot(async (root) => {
      systemdRoot(root);
      const verify = () => spawnSync("systemd-analyze", ["verify", `--root=${root}`, "--man=no", ...UNITS, "systemd-bless-boot.service"], { encoding: "utf8" });
      // The failure the Node check exists for: units whose ExecStart cannot run.
      const dir = mode === "admin" ? "etc/systemd/system" : "usr/lib/systemd/system";
      await installUnits({ root, bundleDirectory: DIST, mode, target: "package" });
      const broken = verify();
      assert.is.not(broken.status, 0);
      assert.match(broken.stderr, /Command \/usr\/bin\/node is not executable/);
      fakeNode(root);
      const r = verify();
      assert.is(r.status, 0, r.stderr);
      assert.is(r.stderr.trim(), "");
      assert.ok(existsSync(path.join(root, dir, "systemd-bless-boot.service.d/50-bootctl-ts.conf")));
      // systemd-analyze evaluates path conditions on this machine, not in the root: what matters
      // is that it found the drop-in next to systemd's unit and read its condition.
      const condition = spawnSync("systemd-analyze", [`--root=${root}`, "condition", "--unit=systemd-bless-boot.service"], { encoding: "utf8" });
      assert.match(condition.stdout + condition.stderr, /ConditionPathExists=!\/usr\/lib\/bootctl-ts\/service\.cjs/);
    });
  });
}

test("the Node check: nothing is written when the Node it would run is missing or not executable in the root", async () => {
  await withTempRoot(async (root) => {
    const image = path.join(root, "image");
    mkdirSync(image);
    const refused = async (options: Partial<Parameters<typeof installUnits>[0]>, code = "E_NODE_NOT_FOUND") => {
      const err = await installUnits({ root: image, bundleDirectory: DIST, ...options }).catch((e: unknown) => e);
      assert.instance(err, BootctlError);
      assert.is((err as BootctlError).code, code);
      assert.not.match((err as Error).message, /\n/);
      return err as BootctlError;
    };
    const missing = await refused({});
    assert.match(missing.message, /\/usr\/bin\/node does not exist in .*image.*--node PATH/);
    await refused({ mode: "vendor" });
    // This machine's node is outside the root: it does not count.
    await refused({ node: process.execPath.startsWith("/") ? process.execPath : "/usr/bin/node" });
    mkdirSync(path.join(image, "usr/bin"), { recursive: true });
    writeFileSync(path.join(image, "usr/bin/node"), "not executable");
    assert.match((await refused({})).message, /is not executable/);
    // A link that would leave the root is resolved inside it (as after chroot).
    rmSync(path.join(image, "usr/bin/node"));
    symlinkSync("../../../../../../usr/bin/node", path.join(image, "usr/bin/node"));
    await refused({});
    assert.equal(tree(image), ["usr", "usr/bin", "usr/bin/node"], "nothing written");
    const usage = await refused({ node: "node" }, "E_USAGE");
    assert.is(usage.exitCode, 2);
    await refused({ node: "/usr/bin/no de" }, "E_USAGE");
    // Absolute links inside the image are followed within it: /usr/bin/node → /opt/node/bin/node.
    rmSync(path.join(image, "usr/bin/node"));
    fakeNode(image, "opt/node/bin/node");
    symlinkSync("/opt/node/bin/node", path.join(image, "usr/bin/node"));
    await installUnits({ root: image, bundleDirectory: DIST });
    assert.ok(existsSync(path.join(image, "etc/systemd/system/bootctl-ts-bless.service")));
  });
});

test("--dry-run writes nothing; a directory in a file's place is refused before anything is written", async () => {
  await withTempRoot(async (root) => {
    fakeNode(root);
    const before = tree(root);
    const dry = await installUnits({ root, bundleDirectory: DIST, mode: "vendor", dryRun: true });
    assert.ok(dry.files.includes("/usr/lib/systemd/system/bootctl-ts-bless.service"));
    assert.ok(dry.files.includes("/usr/bin/bootctl-ts"));
    assert.equal(tree(root), before);
    mkdirSync(path.join(root, "etc/grub.d/20_bootctl-ts"), { recursive: true });
    const err = await installUnits({ root, bundleDirectory: DIST }).catch((e: unknown) => e);
    assert.is((err as BootctlError).code, "E_NOT_REGULAR");
    assert.equal(tree(root), [...before, "etc", "etc/grub.d", "etc/grub.d/20_bootctl-ts"].sort());
  });
});

test("the code cache is installed with the CLI, and the installed CLI starts from it", async () => {
  await withTempRoot(async (root) => {
    fakeNode(root);
    await installUnits({ root, bundleDirectory: DIST });
    const cache = readFileSync(path.join(root, "usr/lib/bootctl-ts/cli-main.cache"));
    assert.ok(cache.equals(readFileSync(path.join(DIST, "cli-main.cache"))));
    // The cache file (src/cli/bin-code-cache.ts): a 12-byte header, the bundle's bytes, V8's data.
    // V8's --profile-deserialization names the size of every blob it deserializes.
    const v8Bytes = cache.length - 12 - cache.readUInt32LE(8);
    const r = spawnSync(process.execPath, ["--profile-deserialization", path.join(root, "usr/lib/bootctl-ts/cli.cjs"), "--version"], { encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    assert.ok((r.stdout + r.stderr).includes(`Deserializing from ${v8Bytes} bytes`), "the installed CLI did not use its code cache");
  });
});

test.run();
