/**
 * Titles, ids and kernel options that try to break out of GRUB quoting when `grub render` turns
 * Boot Loader Specification entries into grub.cfg (issue 9, "Hostile input", item 3).
 *
 * Oracles: the real `grub-script-check` accepts the file, and real GRUB 2.06 (grub-emu) runs it:
 * `linux`/`initrd` do not exist in grub-emu, so the test defines them as GRUB functions that echo
 * every argument; one boot per entry (`set default=N`; GRUB's fallback would sleep 2.5 s between
 * entries) prints "Booting `T'" and what the entry ran. Each entry must show exactly its title and
 * receive exactly the arguments the kernel would split its command line into (blanks outside
 * double quotes separate, the quotes are dropped: the kernel's next_arg()), written out here by
 * hand. Payloads are built so that running them would print INJECTED (`INJ""ECTED`,
 * `INJ''ECTED` and `$marker` only become INJECTED when GRUB evaluates them as code): the word
 * never appears in GRUB's output. Entry ids cannot carry quotes or `$`: entry file names outside
 * systemd's allowed set are skipped when the menu is loaded (a warning), so they never reach
 * the renderer.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { execTool, requireTool } from "../support/exec.ts";
import { GrubEmuDisk } from "../support/grub-emu.ts";
import { runBuiltCli } from "../support/cli.ts";
import { assertRefused, runInProcess, typicalImage, withSandbox } from "../support/hostile.ts";

interface Case {
  file: string;
  title: string;
  options: string;
  /** What the kernel's next_arg() makes of `options`. */
  args: string[];
}

const CASES: Case[] = [
  { file: "q1.conf", title: "it's", options: "root=/dev/vda1 quiet", args: ["root=/dev/vda1", "quiet"] },
  { file: "q2.conf", title: "'\\''", options: "a='b' c\\'d", args: ["a='b'", "c\\'d"] },
  { file: "q3.conf", title: "a\\b\\\\c\\", options: "back\\slash \\\\double", args: ["back\\slash", "\\\\double"] },
  { file: "q4.conf", title: "$marker ${marker} $(echo INJ\"\"ECTED)", options: "x=$marker y=${marker}", args: ["x=$marker", "y=${marker}"] },
  { file: "q5.conf", title: "`echo INJ\"\"ECTED`", options: "`echo INJ''ECTED`", args: ["`echo", "INJ''ECTED`"] },
  { file: "q6.conf", title: "x; echo INJ\"\"ECTED", options: "; echo INJ''ECTED", args: [";", "echo", "INJ''ECTED"] },
  { file: "q7.conf", title: "} echo INJ\"\"ECTED; menuentry 'y' {", options: "semi;colon } { brace", args: ["semi;colon", "}", "{", "brace"] },
  { file: "q8.conf", title: "menuentry", options: "menuentry x {", args: ["menuentry", "x", "{"] },
  { file: "q9.conf", title: "\"double\" & | < > #hash", options: "\"quoted arg with spaces\" plain", args: ["quoted arg with spaces", "plain"] },
  { file: "q10.conf", title: "--help", options: "--help -- -h", args: ["--help", "--", "-h"] },
];

const GRUB_PRELUDE = `function linux { echo "LINUX $#"; for a in "$@"; do echo "ARG<$a>"; done; }
function initrd { echo "INITRD<$1>"; }
set marker=INJ""ECTED
`;

interface Ran {
  title: string;
  args: string[];
}

/** Split grub-emu's output into the entries it ran, in order. */
function entriesRun(output: string): Ran[] {
  const out: Ran[] = [];
  for (const line of output.split(/[\r\n]+/)) {
    const start = /(?:Booting|Falling back to) `(.*)'\s*$/.exec(line);
    if (start) out.push({ title: start[1]!, args: [] });
    const arg = /^ARG<(.*)>$/.exec(line);
    if (arg && out.length > 0) out[out.length - 1]!.args.push(arg[1]!);
  }
  return out;
}

test("grub render: hostile titles, ids and options pass grub-script-check and run literally in grub-emu", async () => {
  for (const [tool, pkg] of [["grub-script-check", "grub-common"], ["grub-emu", "grub-emu"], ["mformat", "mtools"]] as const) requireTool(tool, pkg);
  await withSandbox(async (s) => {
    typicalImage(s);
    CASES.forEach((c, i) => s.write(`efi/loader/entries/${c.file}`, `title ${c.title}\noptions ${c.options}\nlinux /k${i}\ninitrd /i${i}\n`));
    const r = await runInProcess(["--root", s.root, "--esp-path", "/efi", "grub", "render"]);
    assert.is(r.status, 0, r.stderr);
    const cfgFile = path.join(s.base, "rendered.cfg");
    writeFileSync(cfgFile, r.stdout);
    const check = await execTool("grub-script-check", [cfgFile]);
    assert.is(check.status, 0, `grub-script-check: ${check.stderr}\n${r.stdout}`);

    const disk = new GrubEmuDisk(s.base);
    const ran: Ran[] = [];
    let output = "";
    for (let i = 0; i < CASES.length; i++) {
      disk.writeFile("/boot/grub/grub.cfg", `${GRUB_PRELUDE}${r.stdout}set default=${i}\nset timeout=0\n`);
      const boot = await disk.boot();
      output += boot.output;
      ran.push(...entriesRun(boot.output));
    }
    assert.not.match(output, /INJECTED/, "a payload was run as GRUB code");
    assert.not.match(output, /syntax error|unknown command|can't find command/, output.slice(-1500));
    assert.is(ran.length, CASES.length, output.slice(-2000));
    const expected = CASES.map((c, i) => ({ title: c.title, args: [`/k${i}`, ...c.args] }));
    const byTitle = (a: Ran, b: Ran) => a.title.localeCompare(b.title);
    assert.equal([...ran].sort(byTitle), [...expected].sort(byTitle));
    assert.is((output.match(/^LINUX \d+$/gm) ?? []).length, CASES.length, "one linux command per entry, no more");
    assert.is((output.match(/^INITRD<\/i\d+>$/gm) ?? []).length, CASES.length, "one initrd command per entry, no more");
  });
});

test("grub render: a control character in a title or option is refused with one line; --output writes nothing", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    s.write("boot/grub/keep.cfg", "# old\n");
    const bad: [string, string][] = [["title with ESC", "title a\u001b[2Jb"], ["options with BEL", "options a\u0007b"], ["title with DEL", "title a\u007fb"]];
    for (const [label, line] of bad) {
      s.write("efi/loader/entries/bad.conf", `${line}\nlinux /k\n`);
      s.mark();
      const r = await runInProcess(["--root", s.root, "--esp-path", "/efi", "grub", "render", "--output", "/boot/grub/keep.cfg"]);
      assertRefused(r, label, /control character/);
      s.assertUnchanged(label);
    }
    const built = runBuiltCli(["--root", s.root, "--esp-path", "/efi", "grub", "render", "--output", "/boot/grub/keep.cfg"]);
    assertRefused(built, "built binary", /control character/);
  });
});

test("grub render --output: the written file is what grub-script-check accepts, and only that file changes", async () => {
  requireTool("grub-script-check", "grub-common");
  await withSandbox(async (s) => {
    typicalImage(s);
    CASES.forEach((c, i) => s.write(`efi/loader/entries/${c.file}`, `title ${c.title}\noptions ${c.options}\nlinux /k${i}\n`));
    s.write("boot/grub/bls.cfg", "# old\n");
    s.mark();
    const r = await runInProcess(["--root", s.root, "--esp-path", "/efi", "grub", "render", "--output", "/boot/grub/bls.cfg"]);
    assert.is(r.status, 0, r.stderr);
    s.assertOnlyChanges(["~root/boot/grub/bls.cfg"], "render --output");
    const check = await execTool("grub-script-check", [s.at("boot/grub/bls.cfg")]);
    assert.is(check.status, 0, check.stderr);
  });
});

test.run();
