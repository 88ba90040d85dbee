/**
 * addEntry/removeEntry on temporary roots: stopped after every file step, the entries directory
 * never names a missing or partial file and the version never loses all its entries; bad input
 * changes nothing.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { addEntry, removeEntry } from "../../src/actions/add-entry.ts";
import { SimulatedCrash } from "../../src/adapters/durable-fs.ts";
import { BootctlError } from "../../src/errors.ts";
import { withTempRoot } from "../support/tmp.ts";

const MACHINE = "0123456789abcdef0123456789abcdef";

function image(root: string) {
  mkdirSync(path.join(root, "etc/kernel"), { recursive: true });
  mkdirSync(path.join(root, "boot/loader/entries"), { recursive: true });
  writeFileSync(path.join(root, "etc/machine-id"), `${MACHINE}\n`);
  writeFileSync(path.join(root, "etc/os-release"), 'ID=fedora\nPRETTY_NAME="Fedora Linux 41"\n');
  writeFileSync(path.join(root, "etc/kernel/cmdline"), "root=UUID=1234 rw\n");
  const kernel = path.join(root, "vmlinuz");
  const initrd = path.join(root, "initramfs.img");
  writeFileSync(kernel, Buffer.alloc(300_000, 1));
  writeFileSync(initrd, Buffer.alloc(200_000, 2));
  return { kernel, initrd, boot: path.join(root, "boot") };
}

/** Every entry names files that exist with their full content. */
function entriesConsistent(boot: string, expected: Map<string, Buffer>): string[] {
  const problems: string[] = [];
  for (const name of readdirSync(path.join(boot, "loader/entries"))) {
    if (!name.endsWith(".conf")) continue;
    for (const line of readFileSync(path.join(boot, "loader/entries", name), "utf8").split("\n")) {
      const m = /^(linux|initrd)\s+(\S+)$/.exec(line);
      if (!m) continue;
      const file = path.join(boot, m[2]!);
      if (!existsSync(file)) problems.push(`${name} names missing ${m[2]}`);
      else if (expected.has(m[2]!) && !readFileSync(file).equals(expected.get(m[2]!)!)) problems.push(`${name} names partial ${m[2]}`);
    }
  }
  return problems;
}

test("add writes files, then the counted entry; tries from /etc/kernel/tries", async () => {
  await withTempRoot(async (root) => {
    const { kernel, initrd, boot } = image(root);
    writeFileSync(path.join(root, "etc/kernel/tries"), "3\n");
    const plan = await addEntry({ root, bootPath: "/boot", kernelVersion: "6.12.1-200.fc41.x86_64", kernelImage: kernel, initrds: [initrd] });
    assert.is(plan.entry, `${MACHINE}-6.12.1-200.fc41.x86_64+3.conf`);
    assert.equal(readdirSync(path.join(boot, "loader/entries")), [plan.entry]);
    assert.equal(entriesConsistent(boot, new Map()), []);
    assert.is(readFileSync(path.join(boot, "loader/entries", plan.entry), "utf8"),
      "title      Fedora Linux 41\nversion    6.12.1-200.fc41.x86_64\nmachine-id " + MACHINE + "\nsort-key   fedora\n" +
      `options    root=UUID=1234 rw systemd.machine_id=${MACHINE}\nlinux      /${MACHINE}/6.12.1-200.fc41.x86_64/linux\n` +
      `initrd     /${MACHINE}/6.12.1-200.fc41.x86_64/initramfs.img\n`);
  });
});

test("add replaces an uncounted twin and other counters of the same version", async () => {
  await withTempRoot(async (root) => {
    const { kernel, boot } = image(root);
    const entries = path.join(boot, "loader/entries");
    for (const n of [`${MACHINE}-6.1.conf`, `${MACHINE}-6.1+0-3.conf`, `${MACHINE}-6.10.conf`]) writeFileSync(path.join(entries, n), "title old\n");
    await addEntry({ root, bootPath: "/boot", kernelVersion: "6.1", kernelImage: kernel, tries: 2 });
    assert.equal(readdirSync(entries).sort(), [`${MACHINE}-6.1+2.conf`, `${MACHINE}-6.10.conf`]);
  });
});

test("a stop after any step of add never leaves an entry naming a missing or partial file", async () => {
  for (let stopAt = 1; ; stopAt++) {
    const finished = await withTempRoot(async (root) => {
      const { kernel, initrd, boot } = image(root);
      const dir = `/${MACHINE}/6.2`;
      const expected = new Map([[`${dir}/linux`, readFileSync(kernel)], [`${dir}/initramfs.img`, readFileSync(initrd)]]);
      writeFileSync(path.join(boot, `loader/entries/${MACHINE}-6.2.conf`), `linux ${dir}/linux\n`);
      mkdirSync(path.join(boot, MACHINE, "6.2"), { recursive: true });
      writeFileSync(path.join(boot, MACHINE, "6.2/linux"), readFileSync(kernel));
      let steps = 0;
      try {
        await addEntry({ root, bootPath: "/boot", kernelVersion: "6.2", kernelImage: kernel, initrds: [initrd], tries: 3,
          seam: (s) => { if (++steps === stopAt) throw new SimulatedCrash(s); } });
        return true;
      } catch (err) {
        if (!(err instanceof SimulatedCrash)) throw err;
      }
      assert.equal(entriesConsistent(boot, expected), [], `stop at step ${stopAt}`);
      const names = readdirSync(path.join(boot, "loader/entries")).filter((n) => n.endsWith(".conf"));
      assert.ok(names.length >= 1, `stop at step ${stopAt}: the version still has an entry`);
      return false;
    });
    if (finished) {
      assert.ok(stopAt > 10, "the plan has many steps");
      break;
    }
  }
});

test("bad input changes nothing: missing kernel, unsafe version, unreadable config", async () => {
  await withTempRoot(async (root) => {
    const { kernel, boot } = image(root);
    const before = JSON.stringify(readdirSync(boot, { recursive: true }));
    const attempts: [string, () => Promise<unknown>, string][] = [
      ["missing kernel", () => addEntry({ root, bootPath: "/boot", kernelVersion: "6.3", kernelImage: path.join(root, "nope") }), "E_NOT_FOUND"],
      ["version with slash", () => addEntry({ root, bootPath: "/boot", kernelVersion: "../6.3", kernelImage: kernel }), "E_BAD_NAME"],
      ["dot-dot token", () => addEntry({ root, bootPath: "/boot", kernelVersion: "6.3", kernelImage: kernel, entryToken: ".." }), "E_BAD_NAME"],
      ["remove unknown", () => removeEntry({ root, bootPath: "/boot", kernelVersion: "9.9" }), "E_NOT_FOUND"],
    ];
    for (const [name, attempt, code] of attempts) {
      try {
        await attempt();
        assert.unreachable(name);
      } catch (err) {
        assert.instance(err, BootctlError, name);
        assert.is((err as BootctlError).code, code, name);
      }
    }
    writeFileSync(path.join(root, "etc/kernel/tries"), "three\n");
    try {
      await addEntry({ root, bootPath: "/boot", kernelVersion: "6.3", kernelImage: kernel });
      assert.unreachable();
    } catch (err) {
      assert.is((err as BootctlError).code, "E_BAD_TRIES");
    }
    assert.is(JSON.stringify(readdirSync(boot, { recursive: true })), before);
  });
});

test("on GRUB, the tries go to the grubenv and the entry has no counter", async () => {
  const { parseGrubenv, createGrubenv, loadEnvView, setVariable, serializeGrubenv } = await import("../../src/formats/grubenv.ts");
  await withTempRoot(async (root) => {
    const { kernel, boot } = image(root);
    mkdirSync(path.join(root, "boot/grub2"), { recursive: true });
    writeFileSync(path.join(boot, `loader/entries/${MACHINE}-6.11.conf`), "title F\nversion 6.11\nlinux /k\n");
    const env = path.join(root, "boot/grub2/grubenv");
    writeFileSync(env, serializeGrubenv(setVariable(parseGrubenv(createGrubenv()), "boot_success", "1")));
    const plan = await addEntry({ root, bootPath: "/boot", kernelVersion: "6.12", kernelImage: kernel, tries: 3, efivarsPath: path.join(root, "none") });
    assert.is(plan.loader, "grub");
    assert.equal(readdirSync(path.join(boot, "loader/entries")).sort(), [`${MACHINE}-6.11.conf`, `${MACHINE}-6.12.conf`]);
    const vars = loadEnvView(parseGrubenv(readFileSync(env)));
    // The machine id starts with a digit: GRUB would read the bare name as an entry number.
    assert.is(vars.get("bootctl_trial"), `bls:${MACHINE}-6.12`);
    assert.is(vars.get("bootctl_tries"), "3");
    assert.is(vars.get("bootctl_fallback"), `bls:${MACHINE}-6.11`);
    assert.is(vars.get("boot_success"), "1", "other variables stay");
  });
});

test("on GRUB with grub.cfg but no grubenv yet (update-grub made no block), add creates the block as grub-editenv set does", async () => {
  const { spawnSync } = await import("node:child_process");
  await withTempRoot(async (root) => {
    const { kernel, boot } = image(root);
    mkdirSync(path.join(root, "boot/grub"), { recursive: true });
    writeFileSync(path.join(root, "boot/grub/grub.cfg"), "set default=0\n");
    writeFileSync(path.join(boot, `loader/entries/${MACHINE}-6.11.conf`), "title F\nversion 6.11\nlinux /k\n");
    const env = path.join(root, "boot/grub/grubenv");
    const plan = await addEntry({ root, bootPath: "/boot", kernelVersion: "6.12", kernelImage: kernel, tries: 3, efivarsPath: path.join(root, "none") });
    assert.is(plan.loader, "grub");
    assert.ok(plan.notes.some((n) => n.includes("/boot/grub/grubenv does not exist yet: created")), plan.notes.join("\n"));
    // The oracle: grub-editenv on a missing file, with the same variables in the same order.
    const expected = path.join(root, "expected.grubenv");
    const vars = readFileSync(env, "latin1").split("\n").filter((l) => l.startsWith("bootctl_"));
    assert.ok(vars.includes("bootctl_tries=3") && vars.includes(`bootctl_trial=bls:${MACHINE}-6.12`), vars.join(" "));
    const editenv = spawnSync("grub-editenv", [expected, "set", ...vars], { encoding: "utf8" });
    assert.is(editenv.status, 0, editenv.stderr);
    assert.equal(readFileSync(env), readFileSync(expected));
  });
  // No GRUB directory at all: one error, nothing written.
  await withTempRoot(async (root) => {
    const { kernel, boot } = image(root);
    const err = await addEntry({ root, bootPath: "/boot", kernelVersion: "6.12", kernelImage: kernel, tries: 3, loader: "grub", efivarsPath: path.join(root, "none") }).then(() => undefined, (e: unknown) => e);
    assert.instance(err, BootctlError);
    assert.match((err as Error).message, /no GRUB directory to create it in/);
    assert.equal(readdirSync(path.join(boot, "loader/entries")), []);
    assert.not.ok(existsSync(path.join(root, "boot/grub")));
  });
});

test("on GRUB, a bare machine-id saved_entry becomes the fallback by its GRUB id; with no other entry the fallback is entry 0", async () => {
  const { parseGrubenv, createGrubenv, loadEnvView, setVariable, serializeGrubenv } = await import("../../src/formats/grubenv.ts");
  await withTempRoot(async (root) => {
    const { kernel, boot } = image(root);
    mkdirSync(path.join(root, "boot/grub2"), { recursive: true });
    const env = path.join(root, "boot/grub2/grubenv");
    writeFileSync(env, serializeGrubenv(parseGrubenv(createGrubenv())));
    await addEntry({ root, bootPath: "/boot", kernelVersion: "6.12", kernelImage: kernel, tries: 3, efivarsPath: path.join(root, "none") });
    assert.is(loadEnvView(parseGrubenv(readFileSync(env))).get("bootctl_fallback"), "0", "nothing else to boot: GRUB's first entry");

    writeFileSync(path.join(boot, `loader/entries/${MACHINE}-6.11.conf`), "title F\nversion 6.11\nlinux /k\n");
    // Written bare (by grub-set-default, or before ids got their prefix): GRUB would read it as 0.
    writeFileSync(env, serializeGrubenv(setVariable(parseGrubenv(createGrubenv()), "saved_entry", `${MACHINE}-6.11`)));
    await addEntry({ root, bootPath: "/boot", kernelVersion: "6.13", kernelImage: kernel, tries: 2, efivarsPath: path.join(root, "none") });
    const vars = loadEnvView(parseGrubenv(readFileSync(env)));
    assert.equal([vars.get("bootctl_trial"), vars.get("bootctl_fallback")], [`bls:${MACHINE}-6.13`, `bls:${MACHINE}-6.11`]);
  });
});

test("on GRUB with no saved_entry (a fresh image), the fallback is the newest entry known to boot: never the bad trial nor an untried one", async () => {
  const { parseGrubenv, createGrubenv, loadEnvView, setVariable, serializeGrubenv } = await import("../../src/formats/grubenv.ts");
  await withTempRoot(async (root) => {
    const { kernel, boot } = image(root);
    mkdirSync(path.join(root, "boot/grub2"), { recursive: true });
    for (const v of ["6.11", "6.12"]) writeFileSync(path.join(boot, `loader/entries/${MACHINE}-${v}.conf`), `title F\nversion ${v}\nlinux /k\n`);
    const env = path.join(root, "boot/grub2/grubenv");
    const write = (vars: Record<string, string>) => {
      let block = parseGrubenv(createGrubenv());
      for (const [k, v] of Object.entries(vars)) block = setVariable(block, k, v);
      writeFileSync(env, serializeGrubenv(block));
    };
    const add = (version: string) => addEntry({ root, bootPath: "/boot", kernelVersion: version, kernelImage: kernel, tries: 3, efivarsPath: path.join(root, "none") });
    // 6.12 was on trial and was marked bad (bless-boot bad: tries 0, state bad).
    write({ bootctl_trial: `bls:${MACHINE}-6.12`, bootctl_tries: "0", bootctl_fallback: `bls:${MACHINE}-6.11`, bootctl_booted: `bls:${MACHINE}-6.12`, bootctl_state: "bad" });
    let plan = await add("6.13");
    let vars = loadEnvView(parseGrubenv(readFileSync(env)));
    assert.equal([vars.get("bootctl_trial"), vars.get("bootctl_fallback")], [`bls:${MACHINE}-6.13`, `bls:${MACHINE}-6.11`], "not the entry just marked bad");
    assert.is(vars.get("bootctl_bad"), `bls:${MACHINE}-6.12`, "the ended trial stays known as not good");
    assert.is(plan.notes.some((n) => /warning/.test(n)), false, plan.notes.join("; "));
    // 6.13 never booted either (out of tries after the fallback took over): 6.14's fallback is still 6.11.
    write({ ...Object.fromEntries(vars), bootctl_tries: "0" });
    plan = await add("6.14");
    vars = loadEnvView(parseGrubenv(readFileSync(env)));
    assert.equal([vars.get("bootctl_trial"), vars.get("bootctl_fallback")], [`bls:${MACHINE}-6.14`, `bls:${MACHINE}-6.11`]);
    assert.is(vars.get("bootctl_bad"), `bls:${MACHINE}-6.12 bls:${MACHINE}-6.13`);
    // An earlier trial that never booted (grub.cfg not regenerated, tries untouched) is no fallback either.
    for (const v of ["6.13", "6.14"]) rmSync(path.join(boot, `loader/entries/${MACHINE}-${v}.conf`));
    write({ bootctl_trial: `bls:${MACHINE}-6.12`, bootctl_tries: "3", bootctl_fallback: `bls:${MACHINE}-6.11` });
    await add("6.13");
    vars = loadEnvView(parseGrubenv(readFileSync(env)));
    assert.is(vars.get("bootctl_fallback"), `bls:${MACHINE}-6.11`);
  });
});

test("add --tries warns when no entry known to boot would be left to fall back to (GRUB and systemd-boot)", async () => {
  const { parseGrubenv, createGrubenv, loadEnvView, setVariable, serializeGrubenv } = await import("../../src/formats/grubenv.ts");
  await withTempRoot(async (root) => {
    const { kernel, boot } = image(root);
    mkdirSync(path.join(root, "boot/grub2"), { recursive: true });
    writeFileSync(path.join(boot, `loader/entries/${MACHINE}-6.12.conf`), "title F\nversion 6.12\nlinux /k\n");
    const env = path.join(root, "boot/grub2/grubenv");
    writeFileSync(env, serializeGrubenv(setVariable(setVariable(parseGrubenv(createGrubenv()), "bootctl_trial", `bls:${MACHINE}-6.12`), "bootctl_tries", "0")));
    const plan = await addEntry({ root, bootPath: "/boot", kernelVersion: "6.13", kernelImage: kernel, tries: 3, efivarsPath: path.join(root, "none") });
    assert.ok(plan.notes.some((n) => /^GRUB: warning: no entry is known to boot/.test(n)), plan.notes.join("; "));
    assert.match(plan.notes.join("\n"), /out of tries/);
    assert.is(loadEnvView(parseGrubenv(readFileSync(env))).get("bootctl_fallback"), `bls:${MACHINE}-6.12`, "the only other entry, with the warning");
  });
  await withTempRoot(async (root) => {
    const { kernel, boot } = image(root);
    writeFileSync(path.join(boot, "loader/entries/other-6.11+0-3.conf"), "title F\nversion 6.11\nlinux /k\n");
    writeFileSync(path.join(boot, "loader/entries/other-6.12+2.conf"), "title F\nversion 6.12\nlinux /k\n");
    const plan = await addEntry({ root, bootPath: "/boot", kernelVersion: "6.13", kernelImage: kernel, tries: 3, loader: "systemd-boot" });
    assert.ok(plan.notes.some((n) => /^warning: no entry is known to boot/.test(n)), plan.notes.join("; "));
    writeFileSync(path.join(boot, "loader/entries/other-6.10.conf"), "title F\nversion 6.10\nlinux /k\n");
    const fine = await addEntry({ root, bootPath: "/boot", kernelVersion: "6.14", kernelImage: kernel, tries: 3, loader: "systemd-boot" });
    assert.is(fine.notes.some((n) => /warning/.test(n)), false, fine.notes.join("; "));
    // Without --tries there is no trial, and nothing to warn about.
    const untried = await addEntry({ root, bootPath: "/boot", kernelVersion: "6.15", kernelImage: kernel, loader: "systemd-boot" });
    assert.is(untried.notes.some((n) => /warning/.test(n)), false);
  });
});

test("add --root on a GRUB image from a host booted by systemd-boot: the tries go to the image's grubenv; real errors of the detection surface", async () => {
  const { parseGrubenv, createGrubenv, loadEnvView, serializeGrubenv } = await import("../../src/formats/grubenv.ts");
  const { writeLoaderString } = await import("../support/efivars.ts");
  await withTempRoot(async (root) => {
    const { kernel, boot } = image(root);
    const host = path.join(root, "host-efivars");
    mkdirSync(host);
    writeLoaderString(host, "LoaderInfo", "systemd-boot 252.39-1~deb12u1");
    mkdirSync(path.join(root, "boot/grub2"), { recursive: true });
    writeFileSync(path.join(boot, `loader/entries/${MACHINE}-6.11.conf`), "title F\nversion 6.11\nlinux /k\n");
    const env = path.join(root, "boot/grub2/grubenv");
    writeFileSync(env, serializeGrubenv(parseGrubenv(createGrubenv())));
    // As the CLI passes it: the default efivars directory, not given explicitly.
    const plan = await addEntry({ root, bootPath: "/boot", kernelVersion: "6.12", kernelImage: kernel, tries: 3, efivarsPath: host, efivarsPathExplicit: false });
    assert.is(plan.loader, "grub");
    assert.is(plan.entry, `${MACHINE}-6.12.conf`);
    assert.is(loadEnvView(parseGrubenv(readFileSync(env))).get("bootctl_trial"), `bls:${MACHINE}-6.12`);
  });
  await withTempRoot(async (root) => {
    const { kernel, boot } = image(root);
    // Two grubenvs on the ESP and none in /boot/grub*: which one GRUB reads is ambiguous. That
    // is an error to report, not a reason to count in file names instead.
    for (const vendor of ["debian", "fedora"]) {
      mkdirSync(path.join(root, `efi/EFI/${vendor}`), { recursive: true });
      writeFileSync(path.join(root, `efi/EFI/${vendor}/grubenv`), createGrubenv());
    }
    const before = JSON.stringify(readdirSync(boot, { recursive: true }));
    try {
      await addEntry({ root, espPath: "/efi", bootPath: "/boot", kernelVersion: "6.12", kernelImage: kernel, tries: 3, efivarsPath: path.join(root, "none"), efivarsPathExplicit: false });
      assert.unreachable();
    } catch (err) {
      assert.is((err as BootctlError).code, "E_GRUBENV_AMBIGUOUS", String(err));
    }
    assert.is(JSON.stringify(readdirSync(boot, { recursive: true })), before, "nothing written");
  });
  await withTempRoot(async (root) => {
    // Neither loader installed yet (an ESP kernel-install fills first): kernel-install's layout.
    const { kernel } = image(root);
    mkdirSync(path.join(root, "efi"));
    rmSync(path.join(root, "boot"), { recursive: true });
    const plan = await addEntry({ root, espPath: "/efi", kernelVersion: "6.12", kernelImage: kernel, tries: 2, efivarsPath: path.join(root, "none"), efivarsPathExplicit: false });
    assert.equal([plan.loader, plan.entry], ["systemd-boot", `${MACHINE}-6.12+2.conf`]);
  });
});

test("a UKI goes to EFI/Linux as <token>-<version>+N.efi; remove takes it away", async () => {
  const { buildUki } = await import("../support/pe-builder.ts");
  await withTempRoot(async (root) => {
    const { boot } = image(root);
    const uki = path.join(root, "os.efi");
    writeFileSync(uki, buildUki({ osrel: "ID=fedora\nVERSION_ID=41\n", cmdline: "quiet", uname: "6.12" }));
    mkdirSync(path.join(boot, "EFI/Linux"), { recursive: true });
    writeFileSync(path.join(boot, `EFI/Linux/${MACHINE}-6.12.efi`), "old uncounted twin");
    const plan = await addEntry({ root, bootPath: "/boot", kernelVersion: "6.12", kernelImage: uki, tries: 2, loader: "systemd-boot" });
    assert.is(plan.entry, `${MACHINE}-6.12+2.efi`);
    assert.equal(readdirSync(path.join(boot, "EFI/Linux")), [`${MACHINE}-6.12+2.efi`]);
    assert.ok(readFileSync(path.join(boot, "EFI/Linux", plan.entry)).equals(readFileSync(uki)));
    try {
      await addEntry({ root, bootPath: "/boot", kernelVersion: "6.12", kernelImage: uki, initrds: [uki], loader: "systemd-boot" });
      assert.unreachable();
    } catch (err) {
      assert.is((err as BootctlError).code, "E_UKI_INITRD");
    }
    await removeEntry({ root, bootPath: "/boot", kernelVersion: "6.12" });
    assert.equal(readdirSync(path.join(boot, "EFI/Linux")), []);
  });
});

test.run();
