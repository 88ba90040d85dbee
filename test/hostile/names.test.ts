/**
 * Hostile names and paths (issue 9, "Hostile input", item 1): entry ids, versions, tokens and
 * file arguments with `..`, absolute paths, `/`, NUL, line breaks and lengths beyond NAME_MAX
 * (255 bytes) and PATH_MAX (4096) — for add, remove, unlink, set-default, set-oneshot,
 * bless-boot and the grub verbs — and entry files on disk whose linux/initrd/efi/devicetree
 * keys climb out or are absolute.
 *
 * Every attempt either fails with one `bootctl-ts: …` line and a non-zero exit, changing
 * nothing anywhere in the sandbox (root and the `outside/` next to it), or — where the value is
 * not a path at all (a set-default id is a pattern) — changes exactly the one legitimate file.
 * Expected values: the real `bootctl list --json=short` (systemd 252) for trees on disk, the real
 * `grub-editenv list` for grubenv values, systemd's path rules (path_is_normalized,
 * filename_is_valid) otherwise.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { BootctlError } from "../../src/errors.ts";
import { addEntry, removeEntry } from "../../src/actions/add-entry.ts";
import { setDefault } from "../../src/actions/select-entry.ts";
import { loadBootEntries } from "../../src/adapters/boot-entries.ts";
import { bootEntryToJson } from "../../src/model/boot-entry-json.ts";
import { encodeEfivarfsFile, DEFAULT_ATTRIBUTES } from "../../src/formats/efi/efivarfs-file.ts";
import { runBuiltCli } from "../support/cli.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { requireTool } from "../support/exec.ts";
import {
  HOSTILE_NAMES, LONG_NAME, LONG_PATH, assertOnlyWarnings, assertRefused, bootctlList, runInProcess, strip252, typicalImage, withMountedEsp, withSandbox,
} from "../support/hostile.ts";

const LOADER_GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";

test("add: hostile versions and entry tokens are refused before anything is written", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    const base = ["--root", s.root, "--esp-path", "/efi"];
    s.mark();
    for (const { label, value } of HOSTILE_NAMES) {
      assertRefused(await runInProcess([...base, "add", value, s.at("vmlinuz"), s.at("initrd.img")]), `add version ${label}`, /invalid kernel version|file names may have at most 255/);
      assertRefused(await runInProcess([...base, "add", "--entry-token", value, "6.1", s.at("vmlinuz")]), `add --entry-token ${label}`, /invalid entry token|file names may have at most 255/);
      s.assertUnchanged(`add ${label}`);
    }
    // Each part fits NAME_MAX but the entry file name `<token>-<version>+3.conf` does not: refused
    // before the kernel directory is made (it used to fail after creating $BOOT/<token>/).
    assertRefused(await runInProcess([...base, "add", "--tries", "3", "v".repeat(250), s.at("vmlinuz")]), "add: entry file name > NAME_MAX", /entry file name .* at most 255/);
    s.assertUnchanged("add: entry file name > NAME_MAX");
  });
});

test("add: titles and options with line breaks cannot add lines to the entry file", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    const base = ["--root", s.root, "--esp-path", "/efi"];
    s.mark();
    for (const [flag, value] of [["--title", "T\nlinux /evil"], ["--title", "T\rlinux /evil"], ["--options", "quiet\ninitrd /evil"], ["--options", "quiet\rinitrd /evil"]] as const) {
      assertRefused(await runInProcess([...base, "add", flag, value, "6.1", s.at("vmlinuz")]), `add ${flag} ${JSON.stringify(value)}`, /line break/);
      s.assertUnchanged(`add ${flag} ${JSON.stringify(value)}`);
    }
    // The same through /etc/kernel/cmdline (kernel-install's source of options).
    s.write("etc/kernel/cmdline", "root=/dev/vda2\rinitrd /evil\n");
    s.mark();
    assertRefused(await runInProcess([...base, "add", "6.1", s.at("vmlinuz")]), "add with CR in /etc/kernel/cmdline", /line break/);
    s.assertUnchanged("add with CR in /etc/kernel/cmdline");
  });
});

test("add/remove (library): NUL in a version or token is a typed error, nothing written", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    s.mark();
    for (const [what, run] of [
      ["version", () => addEntry({ root: s.root, espPath: "/efi", kernelVersion: "6.1\0x", kernelImage: s.at("vmlinuz") })],
      ["token", () => addEntry({ root: s.root, espPath: "/efi", kernelVersion: "6.1", entryToken: "a\0b", kernelImage: s.at("vmlinuz") })],
      ["title", () => addEntry({ root: s.root, espPath: "/efi", kernelVersion: "6.1", title: "a\0b", kernelImage: s.at("vmlinuz") })],
      ["remove version", () => removeEntry({ root: s.root, espPath: "/efi", kernelVersion: "6.1\0x" })],
    ] as const) {
      const err = await (run as () => Promise<unknown>)().then(() => undefined, (e: unknown) => e);
      assert.instance(err, BootctlError, what);
      assert.match((err as BootctlError).code, /^E_BAD_(NAME|VALUE)$/, what);
    }
    s.assertUnchanged("NUL");
  });
});

test("remove and unlink: hostile ids match nothing and change nothing", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    s.write("efi/loader/entries/debian-6.1.conf", "title Debian\nversion 6.1\nlinux /debian/6.1/linux\n");
    s.write("efi/debian/6.1/linux", "kernel\n");
    const base = ["--root", s.root, "--esp-path", "/efi"];
    s.mark();
    for (const { label, value } of HOSTILE_NAMES) {
      assertRefused(await runInProcess([...base, "remove", value]), `remove ${label}`, /invalid kernel version|at most 255|no entry or files/);
      assertRefused(await runInProcess([...base, "unlink", value]), `unlink ${label}`, /no boot entry matches/);
    }
    s.assertUnchanged("remove/unlink");
  });
});

test("unlink: an entry's absolute and climbing paths only ever name files on its own partition", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    // Absolute paths in an entry are paths on the partition (BLS): /abs/vmlinuz is efi/abs/vmlinuz,
    // never the root's /abs/vmlinuz nor the host's. A climbing path is ignored (systemd 252:
    // "Path in field 'initrd' is not normalized, ignoring").
    s.write("efi/loader/entries/evil.conf", `title Evil\nlinux /abs/vmlinuz\ninitrd /../../outside/secret\ninitrd ${path.join(s.outside, "secret")}\ndevicetree /abs/../../x.dtb\n`);
    s.write("efi/abs/vmlinuz", "kernel on the ESP\n");
    s.write("abs/vmlinuz", "kernel in the root, not on the ESP\n");
    s.mark();
    const r = await runInProcess(["--root", s.root, "--esp-path", "/efi", "-q", "unlink", "evil.conf"]);
    assert.is(r.status, 0, r.stderr);
    s.assertOnlyChanges(["-root/efi/abs", "-root/efi/abs/vmlinuz", "-root/efi/loader/entries/evil.conf"], "unlink removed only the entry and its file on the ESP");
  });
});

test("set-default/set-oneshot: an id is a pattern, not a path — stored verbatim in the one variable or loader.conf", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    mkdirSync(s.at("efivars"));
    writeLoaderString(s.at("efivars"), "LoaderInfo", "systemd-boot 252");
    const efi = ["--root", s.root, "--esp-path", "/efi", "--efivars-path", s.at("efivars")];
    for (const { label, value } of HOSTILE_NAMES) {
      for (const [verb, variable] of [["set-default", "LoaderEntryDefault"], ["set-oneshot", "LoaderEntryOneShot"]] as const) {
        s.mark();
        const r = await runInProcess([...efi, verb, value]);
        assert.is(r.status, 0, `${verb} ${label}: ${r.stderr}`);
        const file = `root/efivars/${variable}-${LOADER_GUID}`;
        s.assertOnlyChanges([`+${file}`], `${verb} ${label}`);
        // Boot Loader Interface: NV|BS|RT, UTF-16LE, NUL-terminated.
        assert.equal(readFileSync(path.join(s.base, file)), encodeEfivarfsFile({ attributes: DEFAULT_ATTRIBUTES, data: Buffer.from(value + "\0", "utf16le") }), `${verb} ${label}`);
        spawnSync("rm", ["-f", path.join(s.base, file)]);
      }
    }
    // Offline image: loader.conf `default` is one word on one line (systemd's loader.conf reader).
    const image = ["--root", s.root, "--esp-path", "/efi"];
    for (const { label, value } of HOSTILE_NAMES) {
      s.mark();
      const r = await runInProcess([...image, "set-default", value]);
      if (/[\s"]/.test(value)) {
        assertRefused(r, `set-default (loader.conf) ${label}`, /may not contain blanks/);
        s.assertUnchanged(`set-default (loader.conf) ${label}`);
      } else {
        assert.is(r.status, 0, `${label}: ${r.stderr}`);
        assert.is(readFileSync(s.at("efi/loader/loader.conf"), "utf8"), `default ${value}\n`, label);
        assert.equal(s.changes().filter((c) => c !== "~root/efi/loader/loader.conf" && c !== "+root/efi/loader/loader.conf"), [], label);
      }
    }
  });
});

test("set-default (library): NUL in an id is refused for EFI variables and loader.conf", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    mkdirSync(s.at("efivars"));
    writeLoaderString(s.at("efivars"), "LoaderInfo", "systemd-boot 252");
    s.mark();
    for (const target of [
      { root: s.root, espPath: "/efi", efivarsPath: s.at("efivars"), efivarsPathExplicit: true },
      { root: s.root, espPath: "/efi", efivarsPath: s.at("no-efivars"), loader: "systemd-boot" as const },
    ]) {
      const err = await setDefault(target, "a\0b").then(() => undefined, (e: unknown) => e);
      assert.instance(err, BootctlError);
    }
    s.assertUnchanged("NUL id");
  });
});

test("set-default --loader grub: hostile ids land in saved_entry only, as grub-editenv reads it back", async () => {
  requireTool("grub-editenv", "grub-common");
  await withSandbox(async (s) => {
    typicalImage(s);
    mkdirSync(s.at("boot/grub"), { recursive: true });
    spawnSync("grub-editenv", [s.at("boot/grub/grubenv"), "create"]);
    for (const { label, value } of HOSTILE_NAMES) {
      s.mark();
      const r = await runInProcess(["--root", s.root, "--esp-path", "/efi", "set-default", "--loader", "grub", value]);
      if (value.includes("\n") || Buffer.byteLength(value) > 1000) {
        // A newline cannot be an entry name; a value that does not fit the 1 KiB block is refused whole.
        assertRefused(r, `grub ${label}`);
        s.assertUnchanged(`grub ${label}`);
        continue;
      }
      assert.is(r.status, 0, `${label}: ${r.stderr}`);
      s.assertOnlyChanges(["~root/boot/grub/grubenv"], `grub ${label}`);
      const listed = spawnSync("grub-editenv", [s.at("boot/grub/grubenv"), "list"], { encoding: "utf8" }).stdout;
      assert.is(listed, `saved_entry=${value}\n`, `grub-editenv list after set-default ${label}`);
    }
  });
});

test("bless-boot: a LoaderBootCountPath that climbs, is relative, or breaks NAME_MAX/PATH_MAX is refused", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    s.write("efi/loader/entries/good+3.conf", "title Good\nlinux /vmlinuz\n");
    mkdirSync(s.at("efivars"));
    // systemd-bless-boot: path_is_normalized() and path_is_absolute(), else "refusing".
    const values = [
      "/loader/entries/../../../outside/secret+3.conf", "/../../outside/secret+3.conf", "\\..\\..\\outside\\secret+3.conf",
      "loader/entries/good+3.conf", "/loader/entries/./good+3.conf", "/loader//entries/good+3.conf", "/loader/entries/",
      `/loader/entries/${LONG_NAME}+3.conf`, `/${LONG_PATH}/x+3.conf`,
    ];
    for (const value of values) {
      writeLoaderString(s.at("efivars"), "LoaderBootCountPath", value);
      s.mark();
      for (const verb of ["status", "good", "bad", "indeterminate"]) {
        const r = await runInProcess(["--root", s.root, "--esp-path", "/efi", "--efivars-path", s.at("efivars"), "bless-boot", verb]);
        assertRefused(r, `bless-boot ${verb} ${value.slice(0, 60)}`, /invalid LoaderBootCountPath/);
      }
      s.assertUnchanged(`bless-boot ${value.slice(0, 60)}`);
    }
    // Control: the harness sees a legitimate rename.
    writeLoaderString(s.at("efivars"), "LoaderBootCountPath", "\\loader\\entries\\good+3.conf");
    s.mark();
    const ok = await runInProcess(["--root", s.root, "--esp-path", "/efi", "--efivars-path", s.at("efivars"), "bless-boot", "good"]);
    assert.is(ok.status, 0, ok.stderr);
    s.assertOnlyChanges(["-root/efi/loader/entries/good+3.conf", "+root/efi/loader/entries/good.conf"], "bless-boot good renames");
  });
});

test("grub verbs: FILE arguments that climb out, are too long or hold odd bytes are refused; nothing outside is read or written", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    s.write("boot/grub/grub.cfg", "menuentry 'A' { true }\n");
    const rel = path.relative(s.root, path.join(s.outside, "secret"));
    const files = [rel, `/${rel}`, `/boot/../../outside/secret`, `/${LONG_NAME}`, `/${LONG_PATH}`];
    s.mark();
    for (const f of files) {
      const label = JSON.stringify(f.slice(0, 40));
      const base = ["--root", s.root, "--esp-path", "/efi"];
      for (const args of [["grub", "menu", "--grub-cfg", f], ["grub", "default", "--grub-cfg", f], ["grub", "default", "--grub-cfg", "/boot/grub/grub.cfg", "--grubenv", f], ["grub", "check", f], ["grub", "render", "--output", f], ["grubenv", f, "set", "a=b"], ["grubenv", f, "list"], ["grubenv", f, "create"]]) {
        const r = await runInProcess([...base, ...args], { cwd: s.root });
        assertRefused(r, `${args.slice(0, 2).join(" ")} ${label}`);
        assert.not.match(r.stderr + r.stdout, /outside the root\n/, "the outside file's content never shows");
      }
    }
    s.assertUnchanged("grub verbs");
  });
});

test("entry files on disk with climbing and absolute paths: listed exactly as bootctl list does (systemd 252)", async () => {
  requireTool("bootctl", "systemd-boot");
  await withSandbox(async (s) => {
    const esp = s.at("efi");
    mkdirSync(path.join(esp, "loader/entries"), { recursive: true });
    const values = ["../../outside/secret", "/../../outside/secret", "/a/../../outside/secret", "/a/../b", path.join(s.outside, "secret"), "//x", "/x/./y", "/x/", "/ok/vmlinuz"];
    values.forEach((v, i) => {
      writeFileSync(path.join(esp, "loader/entries", `linux-${i}.conf`), `title L${i}\nlinux ${v}\ninitrd ${v}\n`);
      writeFileSync(path.join(esp, "loader/entries", `efi-${i}.conf`), `title E${i}\nefi ${v}\ndevicetree ${v}\ndevicetree-overlay ${v} /ok.dtbo\n`);
    });
    // Long names on disk: a 255-byte entry file name (NAME_MAX) and a title over PATH_MAX.
    writeFileSync(path.join(esp, "loader/entries", `${"n".repeat(250)}.conf`), `title ${"T".repeat(5000)}\nlinux /${"p".repeat(255)}\n`);
    await withMountedEsp(esp, async () => {
      const theirs = bootctlList(esp);
      const ours = loadBootEntries({ esp, xbootldr: esp }).entries.map((e, i) => strip252(bootEntryToJson(e, { isDefault: i === 0 })));
      assert.equal(ours, theirs);
      assert.is(theirs.length, values.length * 2 + 1);
      // The built CLI: same menu, warnings only (one per ignored path), no error.
      const cli = await runInProcess(["--esp-path", esp, "--boot-path", esp, "list", "--json=short"]);
      assert.is(cli.status, 0, cli.stderr);
      assert.equal((JSON.parse(cli.stdout) as Record<string, unknown>[]).map(strip252), theirs);
      assert.ok(assertOnlyWarnings(cli, "list").some((l) => /not normalized, ignoring/.test(l)));
    });
  });
});

test("entry files with NUL bytes are skipped with a warning naming the line; the rest is listed", async () => {
  await withSandbox(async (s) => {
    typicalImage(s);
    s.write("efi/loader/entries/nul.conf", "title A\nlinux /vmlinuz\0\ninitrd /../../outside/secret\n");
    s.write("efi/loader/entries/ok.conf", "title OK\nlinux /vmlinuz\n");
    s.mark();
    const r = await runInProcess(["--root", s.root, "--esp-path", "/efi", "list", "--json=short"]);
    assert.is(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { id: string }[]).map((e) => e.id), ["ok.conf"]);
    assert.match(assertOnlyWarnings(r, "list").join("\n"), /nul\.conf:2: binary data \(NUL byte\), ignoring entry/);
    s.assertUnchanged("list");
  });
});

test("the built binary: each verb's refusal is one line, no stack trace, nothing written", async () => {
  await withSandbox((s) => {
    typicalImage(s);
    mkdirSync(s.at("efivars"));
    writeLoaderString(s.at("efivars"), "LoaderBootCountPath", `/loader/entries/${LONG_NAME}+3.conf`);
    const base = ["--root", s.root, "--esp-path", "/efi", "--efivars-path", s.at("efivars")];
    s.mark();
    assertRefused(runBuiltCli([...base, "add", "../../outside/x", s.at("vmlinuz")]), "add", /invalid kernel version/);
    assertRefused(runBuiltCli([...base, "add", "--title", "T\nlinux /evil", "6.1", s.at("vmlinuz")]), "add --title", /line break/);
    assertRefused(runBuiltCli([...base, "remove", LONG_NAME]), "remove", /at most 255/);
    assertRefused(runBuiltCli([...base, "unlink", "/etc/passwd"]), "unlink", /no boot entry matches/);
    assertRefused(runBuiltCli([...base, "bless-boot", "good"]), "bless-boot", /invalid LoaderBootCountPath/);
    assertRefused(runBuiltCli([...base, "grub", "render", "--output", "/../outside/secret"]), "grub render", /refusing path outside/);
    s.assertUnchanged("built binary");
  });
});

test.run();
