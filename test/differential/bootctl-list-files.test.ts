/**
 * The file lines of `bootctl list` text output (linux, initrd, efi, devicetree, overlays): which
 * files bootctl reports missing and with which `strerror()` text, compared with Debian's systemd
 * 252 on random entries over a tree of present files, missing files, paths through a regular
 * file (ENOTDIR), symbolic links to files and directories, dangling links and odd spellings.
 * The layout of the lines differs by version (current systemd prints the partition root first,
 * joined with a second slash, `/efi//vmlinuz`; 252 prints the path on the partition alone; we
 * print the whole path, `/efi/vmlinuz`): only the path on the partition and its status are
 * compared. 252 prints no `efi` line (current
 * systemd does, and so do we): `efi` lines are generated but left out of the comparison.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runBuiltCli } from "../support/cli.ts";
import { requireTool } from "../support/exec.ts";

const TREES = 40;
const FILE_FIELDS = ["linux", "initrd", "efi", "devicetree", "devicetree-overlay"];

const paths = [
  "/vm/linux", "/vm/initrd", "/vm/missing", "/nodir/linux", "/nodir/deeper/x", "/file/x", "/file/",
  "/vm/linux/", "/vm/", "/vm", "//vm//linux", "vm/linux", "/lnk/linux", "/lnk/missing", "/dangle",
  "/dangle/x", "/filelink", "/filelink/x", "/loader/entries", "/with space", "/UPPER/linux",
];

function layout(esp: string): void {
  mkdirSync(path.join(esp, "vm"));
  writeFileSync(path.join(esp, "vm/linux"), "");
  writeFileSync(path.join(esp, "vm/initrd"), "");
  writeFileSync(path.join(esp, "file"), "");
  writeFileSync(path.join(esp, "with space"), "");
  symlinkSync("vm", path.join(esp, "lnk"));
  symlinkSync("nowhere", path.join(esp, "dangle"));
  symlinkSync("vm/linux", path.join(esp, "filelink"));
}

const entryArb = fc.array(fc.tuple(fc.constantFrom(...FILE_FIELDS), fc.array(fc.constantFrom(...paths), { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 6 })
  .map((lines) => "title T\n" + lines.map(([field, ps]) => `${field} ${field === "devicetree-overlay" ? ps.join(" ") : ps[0]}`).join("\n") + "\n");

/** [path, status] per file line, in order; status is the `(…)` text or "" when present. */
function fileLines(text: string, root: string): string[] {
  const out: string[] = [];
  let inFiles = false;
  for (const line of text.split("\n")) {
    const m = /^ {0,13}([a-z-]*)(:| ) (.*)$/.exec(line);
    if (!m) continue;
    const [, field, , rest] = m;
    if (field !== "") inFiles = FILE_FIELDS.includes(field!) && field !== "efi";
    if (!inFiles) continue;
    let value = rest!.startsWith(root + "/") ? rest!.slice(root.length) : rest!;
    const status = / \(([A-Z][a-z ]+)\)$/.exec(value);
    if (status) value = value.slice(0, -status[0].length);
    out.push(`${value} [${status?.[1] ?? ""}]`);
  }
  return out;
}

test(`missing-file statuses in list text equal bootctl list (systemd 252) on ${TREES} random entry sets`, () => {
  requireTool("bootctl", "systemd-boot");
  const esp = mkdtempSync(path.join(tmpdir(), "bootctl-ts-files-"));
  const mounted = spawnSync("mount", ["--bind", esp, esp], { encoding: "utf8" });
  if (mounted.status !== 0) {
    rmSync(esp, { recursive: true, force: true });
    throw new Error(`mount --bind needs root: ${mounted.stderr}`);
  }
  const mismatches: string[] = [];
  const statuses = new Set<string>();
  let lines = 0;
  try {
    layout(esp);
    const sets = fc.sample(fc.array(entryArb, { minLength: 1, maxLength: 4 }), { numRuns: TREES, seed: 2511 });
    for (const [index, contents] of sets.entries()) {
      rmSync(path.join(esp, "loader"), { recursive: true, force: true });
      mkdirSync(path.join(esp, "loader/entries"), { recursive: true });
      contents.forEach((c, i) => writeFileSync(path.join(esp, `loader/entries/e${i}.conf`), c));
      const env = { ...process.env, SYSTEMD_RELAX_ESP_CHECKS: "1", SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "" };
      const theirs = spawnSync("bootctl", ["--no-pager", `--esp-path=${esp}`, `--boot-path=${esp}`, "list"], { encoding: "utf8", env });
      assert.is(theirs.status, 0, theirs.stderr);
      const ours = runBuiltCli(["--no-color", "--esp-path", esp, "--boot-path", esp, "list"]);
      assert.is(ours.status, 0, ours.stderr);
      const t = fileLines(theirs.stdout, esp);
      const o = fileLines(ours.stdout, esp);
      lines += t.length;
      for (const l of t) statuses.add(l.replace(/^.* \[/, "["));
      if (JSON.stringify(t) !== JSON.stringify(o)) mismatches.push(`set ${index}:\n  bootctl: ${t.join(" | ")}\n  ours:    ${o.join(" | ")}`);
    }
  } finally {
    spawnSync("umount", [esp]);
    rmSync(esp, { recursive: true, force: true });
  }
  assert.equal(mismatches.slice(0, 3), [], `${mismatches.length} of ${TREES} sets differ`);
  assert.ok(lines > 100, `only ${lines} file lines`);
  // The tree must produce present files and both kinds of failure.
  assert.ok(statuses.has("[]") && statuses.has("[No such file or directory]") && statuses.has("[Not a directory]"), [...statuses].join(" "));
});

test.run();
