/**
 * Differential for the renderer: every generated file passes the real grub-script-check, and in
 * grub-emu hostile titles (quotes, `$`, `;`, backslashes, braces, `>`, leading dashes, `--help`)
 * show literally. grub-emu prints "Booting `TITLE'" for the entry it runs (selected by appending
 * `set default=N`); the entry then fails there (no `linux` command) and the run is stopped.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { renderGrubScript } from "../../src/ops/grub-render.ts";
import { grubQuote } from "../../src/formats/grubcfg/quote.ts";
import { GrubEmuDisk } from "../support/grub-emu.ts";
import { execTool, requireTool } from "../support/exec.ts";
import { mapPool } from "../support/pool.ts";
import { withTempRoot } from "../support/tmp.ts";
import { hostileEntry, hostileTitle } from "../ops/grub-render-arbitraries.ts";

test("grub-script-check accepts every rendered file", async () => {
  requireTool("grub-script-check", "grub-common");
  const files = fc.sample(fc.array(hostileEntry, { minLength: 1, maxLength: 6 }), { numRuns: 150, seed: 5 }).map((entries) => renderGrubScript(entries));
  await withTempRoot(async (dir) => {
    const results = await mapPool(files, 4, async (text, i) => {
      const file = path.join(dir, `r${i}.cfg`);
      writeFileSync(file, text);
      const r = await execTool("grub-script-check", [file]);
      return r.status === 0 ? undefined : `${r.stderr.trim()}\n${text}`;
    });
    assert.equal(results.filter((r) => r !== undefined).slice(0, 3), []);
  });
});

const ASCII_HOSTILE = [
  "It's a > test $HOME \"q\" \\ back #h ;semi {b}", "--help", "-h", "--usage", "-u", "--id=x", "--", "-", "'", "''", "\\", "\\'",
  "$", "${a}", "$1", "{", "}", "a>b", "a>>b", "#comment", ";", "a;b", "&&", "|", "<x>", "`id`", "$(ls)", "0", "1abc", " lead", "trail ",
];

function emuTitles(dir: string, cfg: string): Promise<string[]> {
  const image = path.join(dir, "disk.img");
  writeFileSync(image, Buffer.alloc(4 << 20));
  for (const [cmd, args] of [["mformat", ["-i", image, "::"]], ["mmd", ["-i", image, "::/boot", "::/boot/grub"]]] as const) {
    if (spawnSync(cmd, [...args]).status !== 0) throw new Error(`${cmd} failed`);
  }
  writeFileSync(path.join(dir, "grub.cfg"), cfg);
  if (spawnSync("mcopy", ["-i", image, path.join(dir, "grub.cfg"), "::/boot/grub/grub.cfg"]).status !== 0) throw new Error("mcopy failed");
  writeFileSync(path.join(dir, "device.map"), `(hd0) ${image}\n`);
  return new Promise((resolve) => {
    const child = spawn("grub-emu", ["-m", path.join(dir, "device.map"), "-r", "hd0", "-d", "/boot/grub"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (/Press any key to continue|Failed to boot|grub> /.test(out)) child.kill("SIGKILL");
    });
    child.on("close", () => {
      clearTimeout(timer);
      const plain = out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
      resolve([...plain.matchAll(/Booting `([^\n\r]*)'/g)].map((m) => m[1]!));
    });
  });
}

test("grub-emu shows hostile titles literally", async () => {
  for (const [tool, pkg] of [["grub-emu", "grub-emu"], ["mformat", "mtools"]] as const) requireTool(tool, pkg);
  const generated = fc.sample(hostileTitle.filter((t) => /^[\x20-\x7e]+$/.test(t)), { numRuns: 20, seed: 3 });
  const titles = [...ASCII_HOSTILE, ...generated];
  const entries = titles.map((title, i) => ({ id: `e${i}-${title}`, title, linux: "/vmlinuz", initrd: [], options: ["quiet"] }));
  const script = renderGrubScript(entries);
  const booted = await mapPool(titles, 2, (_, i) => withTempRoot((dir) => emuTitles(dir, `${script}set default=${i}\nset timeout=0\n`)));
  assert.equal(booted, titles.map((t) => [t]));
});

test("grub-emu: with hostile ids, the counting hooks pick the named entry and save its id and tries literally", async () => {
  for (const [tool, pkg] of [["grub-emu", "grub-emu"], ["mformat", "mtools"], ["grub-editenv", "grub-common"]] as const) requireTool(tool, pkg);
  // Ids GRUB's `default` can name (one that starts with a digit is an index: grub-default.ts).
  const ids = [...ASCII_HOSTILE, ...fc.sample(hostileTitle.filter((t) => /^[\x20-\x7e]+$/.test(t)), { numRuns: 10, seed: 4 })]
    .filter((id) => !/^\s*[0-9]/.test(id) && id.length > 0)
    .filter((id, i, all) => all.indexOf(id) === i);
  const entries = ids.map((id, i) => ({ id, title: `T${i}`, linux: "/vmlinuz", initrd: [], options: [] }));
  const script = renderGrubScript(entries);
  const picks = [0, 3, 7, 11, ids.length - 1];
  const results = await mapPool(picks, 2, (k) => withTempRoot(async (dir) => {
    const disk = new GrubEmuDisk(dir);
    disk.writeEnv("/boot/grub/grubenv", { bootctl_tries: "5" });
    const prelude = `load_env\nset bootctl_record="\${prefix}/grubenv"\nset bootctl_pick=${grubQuote(ids[k]!, "id")}\nset bootctl_left=4\nset timeout=0\n`;
    disk.writeFile("/boot/grub/grub.cfg", prelude + script);
    const { titles } = await disk.boot();
    const env = disk.readEnv();
    return { titles, booted: env.get("bootctl_booted"), tries: env.get("bootctl_tries") };
  }));
  assert.equal(results, picks.map((k) => ({ titles: [`T${k}`], booted: ids[k], tries: "4" })));
});

test.run();
