/**
 * Differential test: our menu (library, and the built CLI on a subset) against Debian 12's
 * `bootctl --esp-path=D --boot-path=D list --json=short` (systemd 252) on 220 random ESP trees.
 *
 * Setup: bootctl insists that the ESP is a mount point, so one temporary directory is bind-mounted
 * onto itself once (needs root) and its contents are rewritten per tree; SYSTEMD_RELAX_ESP_CHECKS=1
 * skips the partition checks.
 *
 * Normalisation, i.e. where systemd 252 differs from current systemd (we follow current):
 * - 252 prints a stream of objects, one per line, not an array;
 * - 252 has no `type`, `source`, `uki`, `ukiUrl`, `profile`, `isReported`, `isDefault`,
 *   `isSelected`, `addons`, `cmdline` fields: they are removed from our output before comparing
 *   (the `uki`/`uki-url`/`profile` keys are unknown lines to 252, so nothing else changes);
 * - 252 refuses `@` in entry names (current accepts it for UKI profiles): not generated;
 * - current systemd accepts a leading `..` in paths (`../vmlinuz` → `/vmlinuz`), 252 rejects
 *   it; we follow 252 (generated, so this checks our rejection);
 * - files with NUL bytes: 252 reads NUL as a line end, we skip such files as binary: not generated.
 * Generated and compared as they are: a byte order mark (part of the first key for systemd) and
 * U+FFFD written in a title (valid UTF-8, so not taken for undecodable bytes).
 * Field order is compared too (JSON text of each object).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadBootEntries } from "../../src/adapters/boot-entries.ts";
import { bootEntryToJson } from "../../src/model/boot-entry-json.ts";
import { runBuiltCli } from "../support/cli.ts";
import { requireTool } from "../support/exec.ts";

const ONLY_CURRENT = ["type", "source", "uki", "ukiUrl", "profile", "isReported", "isDefault", "isSelected", "addons", "cmdline"];
const TREES = 220;

interface TreeFile {
  name: string;
  content?: string;
  kind?: "file" | "dir" | "symlink";
}

const stems = ["fedora", "debian", "arch", "arch-lts", "linux-6.9", "linux-6.9-rc1", "a-10", "a-5", "b", "Q", "q", "6a98-6.1.0", "x_y", "A-10", "v~é", "v~"];
const versions = ["6.1.0-18-amd64", "6.1.0-9-amd64", "1", "10", "2~rc1", "1.0^git", "5.15.0", "", "~é", "~", "~.", "1~é2", "01.2", "1_0"];
const machineIds = ["dd235d00696545768f6f693bfd23b15f", "309de666fd5044268a9a26541ac93176", "b75451ad92f94feeab50b0b442768dbd"];
const titles = ["Fedora Linux", "Debian GNU/Linux 12", "Arch", "Arch", "T", "Repl \uFFFD char"];

const counterArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant("") },
  { weight: 2, arbitrary: fc.tuple(fc.nat(5), fc.option(fc.nat(4), { nil: undefined })).map(([l, d]) => `+${l}${d === undefined ? "" : `-${d}`}`) },
  { weight: 1, arbitrary: fc.nat(4).map((d) => `+0-${d}`) },
  { weight: 1, arbitrary: fc.constantFrom("+007-000008", "+", "+x", "+1-", "+2147483648", "+1-2147483647", "+0x4") },
);

const nameArb = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(fc.constantFrom(...stems), fc.nat(20), counterArb, fc.constantFrom(".conf", ".conf", ".conf", ".CONF", ".Conf")).map(([s, n, c, suf]) => `${s}${n % 3 === 0 ? "" : `-${n}`}${c}${suf}`) },
  { weight: 1, arbitrary: fc.constantFrom("bad name.conf", "x~y.conf", "é.conf", ".hidden.conf", "nosuffix", "a.conf.bak", "+1.conf", "-.conf", "a+1-2..conf") },
);

const pathValue = fc.constantFrom("/vmlinuz", "vmlinuz-6.1", "//boot//./x", "/a/../b", "../up", "/dir/", ".", "/", "/ok/initrd.img", "/with space", "a\\b");

const lineArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...titles).map((t) => `title ${t}`),
  fc.constantFrom(...versions).map((v) => `version ${v}`),
  fc.constantFrom(...machineIds).map((m) => `machine-id ${m}`),
  fc.constantFrom("fedora", "debian", "arch", "").map((k) => `sort-key ${k}`),
  fc.constantFrom("quiet", "root=UUID=1 rw", "  spaced   out ", "").map((o) => `options ${o}`),
  pathValue.map((p) => `linux ${p}`),
  pathValue.map((p) => `initrd ${p}`),
  pathValue.map((p) => `efi ${p}`),
  pathValue.map((p) => `devicetree ${p}`),
  fc.array(pathValue, { maxLength: 3 }).map((ps) => `devicetree-overlay ${ps.join(" ")}`),
  fc.constantFrom("x64", "aa64", "IA32").map((a) => `architecture ${a}`),
  fc.constantFrom("# a comment", "#title hidden", "", "   ", "\t# indented comment", "unknown-key value", "title", "tit\\le Escaped", "key\\", "uki /EFI/Linux/x.efi", "uki-url https://example.invalid/x.efi", "profile 2", "extra /x.sysext.raw"),
);

const contentArb = fc.tuple(
  fc.array(lineArb, { maxLength: 9 }),
  fc.constantFrom("\n", "\n", "\n", "\r\n", "\r"),
  fc.boolean(),
  fc.constantFrom("", " ", "\t", "  \t"),
  fc.constantFrom(" ", "\t", "  ", " \t "),
  fc.constantFrom("", "", "", "", "\uFEFF"),
).map(([lines, eol, finalEol, indent, sep, bom]) => {
  const body = bom + lines.map((l, i) => (i % 3 === 1 ? indent : "") + l.replace(/ /, sep)).join(eol);
  return finalEol ? body + eol : body;
});

const treeArb = fc.tuple(
  fc.uniqueArray(fc.tuple(nameArb, contentArb), { minLength: 0, maxLength: 9, selector: ([n]) => n }),
  fc.nat(20),
).map(([files, extra]) => {
  const out: TreeFile[] = files.map(([name, content]) => ({ name, content }));
  if (extra === 1) out.push({ name: "dir.conf", kind: "dir" });
  if (extra === 2 && out[0]) out.push({ name: "link.conf", kind: "symlink", content: out[0].name });
  return out;
});

function writeTree(esp: string, files: readonly TreeFile[]): void {
  rmSync(path.join(esp, "loader"), { recursive: true, force: true });
  const dir = path.join(esp, "loader", "entries");
  mkdirSync(dir, { recursive: true });
  for (const f of files) {
    const p = path.join(dir, f.name);
    if (f.kind === "dir") mkdirSync(p);
    else if (f.kind === "symlink") symlinkSync(f.content!, p);
    else writeFileSync(p, f.content ?? "");
  }
}

function bootctlList(esp: string): string[] {
  const r = spawnSync("bootctl", [`--esp-path=${esp}`, `--boot-path=${esp}`, "list", "--json=short"], {
    encoding: "utf8",
    env: { ...process.env, SYSTEMD_RELAX_ESP_CHECKS: "1", SYSTEMD_RELAX_XBOOTLDR_CHECKS: "1", SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "" },
  });
  if (r.status !== 0) throw new Error(`bootctl failed (${r.status}): ${r.stderr}`);
  // 252: one object per line (a stream), not an array.
  return r.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.stringify(JSON.parse(l)));
}

function strip252(o: Record<string, unknown>): string {
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!ONLY_CURRENT.includes(k)) copy[k] = v;
  return JSON.stringify(copy);
}

function oursList(esp: string): string[] {
  const { entries } = loadBootEntries({ esp, xbootldr: esp });
  return entries.map((e, i) => strip252(bootEntryToJson(e, { isDefault: i === 0 })));
}

test(`library and CLI agree with bootctl list --json=short (systemd 252) on ${TREES} random ESP trees`, () => {
  requireTool("bootctl", "systemd-boot");
  requireTool("mount", "mount");
  const esp = mkdtempSync(path.join(tmpdir(), "bootctl-ts-diff-"));
  const mounted = spawnSync("mount", ["--bind", esp, esp], { encoding: "utf8" });
  if (mounted.status !== 0) {
    rmSync(esp, { recursive: true, force: true });
    throw new Error(`mount --bind needs root: ${mounted.stderr}`);
  }
  const mismatches: string[] = [];
  let entriesSeen = 0;
  let withCounters = 0;
  try {
    const trees = fc.sample(treeArb, { numRuns: TREES, seed: 4242 });
    trees.forEach((files, index) => {
      writeTree(esp, files);
      const theirs = bootctlList(esp);
      const ours = oursList(esp);
      entriesSeen += theirs.length;
      withCounters += theirs.filter((t) => t.includes('"triesLeft"')).length;
      if (JSON.stringify(theirs) !== JSON.stringify(ours)) {
        mismatches.push(`tree ${index} ${JSON.stringify(files)}\n  bootctl: ${theirs.join("\n           ")}\n  ours:    ${ours.join("\n           ")}`);
        return;
      }
      if (index % 11 === 0) {
        const cli = runBuiltCli(["--esp-path", esp, "--boot-path", esp, "-q", "list", "--json=short"]);
        const parsed = JSON.parse(cli.stdout) as Record<string, unknown>[];
        const cliStripped = parsed.map(strip252);
        if (cli.status !== 0 || JSON.stringify(cliStripped) !== JSON.stringify(theirs)) {
          mismatches.push(`tree ${index} (built CLI, exit ${cli.status}): ${cli.stdout} ${cli.stderr}`);
        }
      }
    });
  } finally {
    spawnSync("umount", [esp]);
    rmSync(esp, { recursive: true, force: true });
  }
  assert.equal(mismatches.slice(0, 3), [], `${mismatches.length} of ${TREES} trees differ`);
  // The generator must actually exercise the interesting cases.
  assert.ok(entriesSeen > TREES, `only ${entriesSeen} entries listed`);
  assert.ok(withCounters > 50, `only ${withCounters} counted entries`);
});

/** All orderings of `items` (small inputs only). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]));
}

test("versions that are not totally ordered (`~` then non-ASCII) sort exactly as bootctl's qsort does", () => {
  requireTool("bootctl", "systemd-boot");
  // compareVersions: "~é" < "~" < "~." < "~é" (signed char after `~`), so the result depends on
  // the sort algorithm: glibc 2.36's merge sort, fed in directory order.
  const versionsCycle = ["~é", "~", "~.", "~éa", "1"];
  const esp = mkdtempSync(path.join(tmpdir(), "bootctl-ts-diff-"));
  const mounted = spawnSync("mount", ["--bind", esp, esp], { encoding: "utf8" });
  if (mounted.status !== 0) {
    rmSync(esp, { recursive: true, force: true });
    throw new Error(`mount --bind needs root: ${mounted.stderr}`);
  }
  const mismatches: string[] = [];
  let orders = 0;
  try {
    for (const order of permutations(versionsCycle.map((v, i) => ({ name: `e${i}.conf`, content: `title T\nsort-key k\nversion ${v}\n` })))) {
      writeTree(esp, order);
      const theirs = bootctlList(esp);
      const ours = oursList(esp);
      orders++;
      if (JSON.stringify(theirs) !== JSON.stringify(ours)) mismatches.push(order.map((f) => f.name).join(" "));
    }
  } finally {
    spawnSync("umount", [esp]);
    rmSync(esp, { recursive: true, force: true });
  }
  assert.is(orders, 120);
  assert.equal(mismatches.slice(0, 3), [], `${mismatches.length} of ${orders} creation orders differ`);
});

test("hard links are listed once, at the first name in directory order; equal copies are listed twice (bootctl's inodes_seen)", () => {
  requireTool("bootctl", "systemd-boot");
  const esp = mkdtempSync(path.join(tmpdir(), "bootctl-ts-diff-"));
  const mounted = spawnSync("mount", ["--bind", esp, esp], { encoding: "utf8" });
  if (mounted.status !== 0) {
    rmSync(esp, { recursive: true, force: true });
    throw new Error(`mount --bind needs root: ${mounted.stderr}`);
  }
  try {
    const dir = path.join(esp, "loader", "entries");
    mkdirSync(dir, { recursive: true });
    const same = "title Same\nversion 1\nlinux /vmlinuz\n";
    for (const name of ["a.conf", "c.conf", "e.conf"]) writeFileSync(path.join(dir, name), same); // copies
    linkSync(path.join(dir, "a.conf"), path.join(dir, "b.conf")); // hard links of a
    linkSync(path.join(dir, "a.conf"), path.join(dir, "d+1.conf"));
    linkSync(path.join(dir, "c.conf"), path.join(dir, "f.conf")); // hard link of c
    writeFileSync(path.join(dir, "g.conf"), "title Other\n");
    const theirs = bootctlList(esp);
    const ours = oursList(esp);
    assert.equal(ours, theirs);
    assert.is(theirs.length, 4); // one of a/b/d, one of c/f, e, g
  } finally {
    spawnSync("umount", [esp]);
    rmSync(esp, { recursive: true, force: true });
  }
});

test.run();
