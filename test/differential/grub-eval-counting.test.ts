/**
 * The evaluator (model/grub-eval.ts) against real GRUB on the boot-counting script
 * (ops/grub-counting-script.ts = grub/bootctl-counting.cfg) with the menu entries `grub render`
 * makes (their hooks pick the trial and record the boot), in grub-emu 2.06, boot after boot
 * (harness as in grub-emu.test.ts): a trial entry with N tries boots N times, then GRUB boots the
 * fallback by itself; a one-shot boot is not counted; a trial without a menu entry boots the
 * fallback and uses no try. Each boot's grubenv is read back and fed
 * to the next boot; the evaluator must predict every booted entry and every saved value.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadEnvView, parseGrubenv } from "../../src/formats/grubenv.ts";
import { checkScript, parse } from "../../src/formats/grubcfg/parser.ts";
import { evaluateGrubScript } from "../../src/model/grub-eval.ts";
import { grubCountingScript } from "../../src/ops/grub-counting-script.ts";
import { renderGrubScript } from "../../src/ops/grub-render.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";
import { UPSTREAM_00_HEADER_ENV } from "../support/grub-header.ts";

const FRAGMENT = grubCountingScript();
const ENTRIES = { good: "Good deployment", new: "New deployment", other: "Other deployment" } as const;
function cfgOf(ids: readonly (keyof typeof ENTRIES)[]): string {
  const menu = renderGrubScript(ids.map((id) => ({ id, title: ENTRIES[id], linux: `/${id}`, initrd: [], options: [] })));
  return `${UPSTREAM_00_HEADER_ENV}${FRAGMENT}${menu}set timeout=0\n`;
}
const CFG = cfgOf(["good", "new"]);

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
}

/** One boot in grub-emu on `image`: the titles GRUB ran and the grubenv afterwards. */
function boot(dir: string, image: string): Promise<{ titles: string[]; env: Record<string, string> }> {
  return new Promise((resolve) => {
    const child = spawn("grub-emu", ["-m", path.join(dir, "device.map"), "-r", "hd0", "-d", "/boot/grub"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
      if (/Press any key to continue|Failed to boot|grub> /.test(out)) child.kill("SIGKILL");
    });
    child.on("close", () => {
      clearTimeout(timer);
      const back = path.join(dir, "env.after");
      sh("mcopy", ["-o", "-i", image, "::/boot/grub/grubenv", back]);
      const titles = [...out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").matchAll(/Booting `([^\n\r]*)'/g)].map((m) => m[1]!);
      resolve({ titles, env: Object.fromEntries(loadEnvView(parseGrubenv(readFileSync(back)))) });
    });
  });
}

async function sequence(initial: Record<string, string>, boots: number, cfg = CFG): Promise<{ real: string[][]; ours: string[][]; envs: Record<string, string>[] }> {
  return withTempRoot(async (dir) => {
    const image = path.join(dir, "disk.img");
    writeFileSync(image, Buffer.alloc(4 << 20));
    sh("mformat", ["-i", image, "::"]);
    sh("mmd", ["-i", image, "::/boot", "::/boot/grub"]);
    writeFileSync(path.join(dir, "grub.cfg"), cfg);
    sh("mcopy", ["-i", image, path.join(dir, "grub.cfg"), "::/boot/grub/grub.cfg"]);
    const env = path.join(dir, "grubenv");
    sh("grub-editenv", [env, "create"]);
    sh("grub-editenv", [env, "set", ...Object.entries(initial).map(([k, v]) => `${k}=${v}`)]);
    sh("mcopy", ["-i", image, env, "::/boot/grub/grubenv"]);
    writeFileSync(path.join(dir, "device.map"), `(hd0) ${image}\n`);
    const real: string[][] = [];
    const ours: string[][] = [];
    const envs: Record<string, string>[] = [];
    let predicted = new Map(Object.entries(initial));
    for (let i = 0; i < boots; i++) {
      const r = await boot(dir, image);
      const o = evaluateGrubScript(parse(cfg), { grubenv: predicted, variables: { prefix: "(hd0)/boot/grub", root: "hd0", grub_platform: "emu" }, emulator: true });
      real.push(r.titles);
      ours.push(o.chosen?.titlePath ?? []);
      envs.push(r.env);
      assert.equal(Object.fromEntries(o.grubenv ?? []), r.env, `grubenv after boot ${i + 1}`);
      predicted = new Map(Object.entries(r.env));
    }
    return { real, ours, envs };
  });
}

test("the test configurations parse (ours and grub-script-check)", () => {
  requireTool("grub-script-check", "grub-common");
  for (const cfg of [CFG, cfgOf(["other", "good"])]) {
    assert.is(checkScript(cfg), undefined);
    const r = spawnSync("grub-script-check", [], { input: cfg, encoding: "utf8" });
    assert.is(r.status, 0, r.stdout + r.stderr);
  }
});

test("three tries, then the good entry, in real GRUB and in our evaluator", async () => {
  for (const [tool, pkg] of [["grub-emu", "grub-emu"], ["mformat", "mtools"], ["grub-editenv", "grub-common"]] as const) requireTool(tool, pkg);
  const { real, ours, envs } = await sequence({ saved_entry: "good", bootctl_trial: "new", bootctl_tries: "3", bootctl_fallback: "good" }, 5);
  const N = ["New deployment"];
  const G = ["Good deployment"];
  assert.equal(real, [N, N, N, G, G]);
  assert.equal(ours, real);
  assert.equal(envs.map((e) => [e.bootctl_tries, e.bootctl_booted]), [["2", "new"], ["1", "new"], ["0", "new"], ["0", "good"], ["0", "good"]]);
});

test("a one-shot boot is neither counted nor redirected", async () => {
  const { real, ours, envs } = await sequence({ saved_entry: "good", bootctl_trial: "new", bootctl_tries: "2", bootctl_fallback: "good", next_entry: "good" }, 2);
  assert.equal(real, [["Good deployment"], ["New deployment"]]);
  assert.equal(ours, real);
  assert.equal(envs.map((e) => [e.bootctl_tries, e.next_entry]), [["2", ""], ["1", ""]]);
});

test("a trial without a menu entry: the fallback boots (not entry 0), no try is used, the record names the fallback", async () => {
  const { real, ours, envs } = await sequence({ saved_entry: "good", bootctl_trial: "new", bootctl_tries: "2", bootctl_fallback: "good", bootctl_booted: "new" }, 2, cfgOf(["other", "good"]));
  assert.equal(real, [["Good deployment"], ["Good deployment"]]);
  assert.equal(ours, real);
  assert.equal(envs.map((e) => [e.bootctl_tries, e.bootctl_booted]), [["2", "good"], ["2", "good"]]);
});

test.run();
