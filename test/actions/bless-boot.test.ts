/**
 * blessBoot end to end on a temporary ESP with an efivarfs directory, through the library, the
 * built CLI and the built early-boot service; plus a stop after every file step.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { blessBoot, blessStatusOf } from "../../src/actions/bless-boot.ts";
import { SimulatedCrash, WRITE_STEPS } from "../../src/adapters/durable-fs.ts";
import { runBuiltCli, SERVICE } from "../support/cli.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { withTempRoot } from "../support/tmp.ts";


function setup(root: string, files: string[], bootCountPath?: string) {
  const esp = path.join(root, "efi");
  const entries = path.join(esp, "loader", "entries");
  const efivars = path.join(root, "efivars");
  mkdirSync(entries, { recursive: true });
  mkdirSync(efivars);
  for (const f of files) writeFileSync(path.join(entries, f), `title ${f}\n`);
  if (bootCountPath) writeLoaderString(efivars, "LoaderBootCountPath", bootCountPath);
  return { esp, entries, efivars, options: { root, partitions: ["/efi"], efivarsPath: efivars } };
}

test("good: rename, then idempotent; status follows", async () => {
  await withTempRoot(async (root) => {
    const { entries, options } = setup(root, ["os+2-1.conf", "old.conf"], "\\loader\\entries\\os+2-1.conf");
    assert.is((await blessStatusOf(options)).state, "indeterminate");
    const plan = await blessBoot("good", options);
    assert.is(plan.outcome, "rename");
    assert.equal(readdirSync(entries).sort(), ["old.conf", "os.conf"]);
    assert.is(readFileSync(path.join(entries, "os.conf"), "utf8"), "title os+2-1.conf\n");
    assert.is((await blessStatusOf(options)).state, "good");
    assert.is((await blessBoot("good", options)).outcome, "already");
    assert.equal(readdirSync(entries).sort(), ["old.conf", "os.conf"]);
  });
});

test("bad, then good again moves the bad name back", async () => {
  await withTempRoot(async (root) => {
    const { entries, options } = setup(root, ["os+2-1.conf"], "/loader/entries/os+2-1.conf");
    await blessBoot("bad", options);
    assert.equal(readdirSync(entries), ["os+0-1.conf"]);
    assert.is((await blessStatusOf(options)).state, "bad");
    await blessBoot("good", options);
    assert.equal(readdirSync(entries), ["os.conf"]);
  });
});

test("clean without LoaderBootCountPath; verbs refuse", async () => {
  await withTempRoot(async (root) => {
    const { options } = setup(root, ["os.conf"]);
    assert.is((await blessStatusOf(options)).state, "clean");
    try {
      await blessBoot("good", options);
      assert.unreachable();
    } catch (err) {
      assert.is((err as { code: string }).code, "E_NOT_COUNTING");
    }
  });
});

test("twin: the booted counted file replaces its uncounted twin", async () => {
  await withTempRoot(async (root) => {
    const { entries, options } = setup(root, ["os+2-1.conf", "os.conf"], "/loader/entries/os+2-1.conf");
    writeFileSync(path.join(entries, "os.conf"), "title stale twin\n");
    const plan = await blessBoot("good", options);
    assert.is(plan.outcome, "twin");
    assert.equal(readdirSync(entries), ["os.conf"]);
    assert.is(readFileSync(path.join(entries, "os.conf"), "utf8"), "title os+2-1.conf\n");
  });
});

test("a stop after any file step leaves exactly one of the names", async () => {
  for (const step of WRITE_STEPS.renameNoReplace) {
    await withTempRoot(async (root) => {
      const { entries, options } = setup(root, ["os+1-2.conf"], "/loader/entries/os+1-2.conf");
      try {
        await blessBoot("good", { ...options, seam: (s) => { if (s === step) throw new SimulatedCrash(s); } });
        assert.unreachable();
      } catch (err) {
        assert.instance(err, SimulatedCrash);
      }
      const names = readdirSync(entries);
      assert.is(names.length, 1, step);
      assert.ok(["os+1-2.conf", "os.conf"].includes(names[0]!), step);
    });
  }
});

test("built CLI: status word, --json, --dry-run changes nothing, bad verb is a usage error", async () => {
  await withTempRoot(async (root) => {
    const { esp, entries, efivars } = setup(root, ["os+2-1.conf"], "/loader/entries/os+2-1.conf");
    const base = ["--esp-path", esp, "--efivars-path", efivars];
    assert.equal(runBuiltCli([...base, "bless-boot"]), { status: 0, stdout: "indeterminate\n", stderr: "" });
    const json = JSON.parse(runBuiltCli([...base, "--json=short", "bless-boot", "status"]).stdout);
    assert.equal(json, { state: "indeterminate", loader: "systemd-boot", path: "/loader/entries/os+2-1.conf", left: 2, done: 1, partitions: [esp] });
    const dry = runBuiltCli([...base, "--dry-run", "bless-boot", "good"]);
    assert.is(dry.status, 0);
    assert.match(dry.stdout, /would rename .*os\+2-1\.conf → .*os\.conf/);
    assert.equal(readdirSync(entries), ["os+2-1.conf"]);
    const bad = runBuiltCli([...base, "bless-boot", "great"]);
    assert.is(bad.status, 2);
    assert.match(bad.stderr, /^bootctl-ts: unknown bless-boot verb 'great'/);
    const good = runBuiltCli([...base, "bless-boot", "good"]);
    assert.is(good.status, 0);
    assert.match(good.stderr, /Marked boot as 'good'\. \(Boot attempt counter is at 1\.\)/);
    assert.equal(readdirSync(entries), ["os.conf"]);
  });
});

test("built service: bless-boot good and status", async () => {
  await withTempRoot(async (root) => {
    const { esp, entries, efivars } = setup(root, ["os+1-2.conf"], "/loader/entries/os+1-2.conf");
    const run = (...args: string[]) => spawnSync(process.execPath, [SERVICE, "bless-boot", ...args, "--path", esp, "--efivars-path", efivars], { encoding: "utf8" });
    assert.is(run("status").stdout, "indeterminate\n");
    const r = run("good");
    assert.is(r.status, 0, r.stderr);
    assert.ok(existsSync(path.join(entries, "os.conf")));
    assert.is(run("status").stdout, "good\n");
    const missing = spawnSync(process.execPath, [SERVICE, "bless-boot", "good", "--path", esp, "--efivars-path", path.join(root, "nothing")], { encoding: "utf8" });
    assert.is(missing.status, 1);
    assert.match(missing.stderr, /^bootctl-ts: not booted with boot counting in effect/);
  });
});

test("GRUB: the same verbs act on the grubenv counting state", async () => {
  const { createGrubenv, parseGrubenv, serializeGrubenv, setVariable, loadEnvView } = await import("../../src/formats/grubenv.ts");
  await withTempRoot(async (root) => {
    mkdirSync(path.join(root, "boot/grub"), { recursive: true });
    mkdirSync(path.join(root, "efivars"));
    let block = parseGrubenv(createGrubenv());
    for (const [k, v] of Object.entries({ bootctl_trial: "os-6.12.conf", bootctl_tries: "2", bootctl_fallback: "os-6.11.conf", bootctl_booted: "os-6.12.conf" })) block = setVariable(block, k, v);
    const file = path.join(root, "boot/grub/grubenv");
    writeFileSync(file, serializeGrubenv(block));
    const options = { root, efivarsPath: path.join(root, "efivars") };
    const before = await blessStatusOf(options);
    assert.equal([before.loader, before.state], ["grub", "indeterminate"]);
    const plan = await blessBoot("good", options);
    assert.is(plan.outcome, "grubenv");
    const env = loadEnvView(parseGrubenv(readFileSync(file)));
    assert.is(env.get("saved_entry"), "os-6.12.conf");
    assert.is(env.has("bootctl_trial"), false);
    assert.is((await blessStatusOf(options)).state, "good");
    assert.is((await blessBoot("good", options)).outcome, "already");
  });
});

test.run();
