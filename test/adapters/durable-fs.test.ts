/**
 * The crash-safe file layer: every operation is stopped after each of its steps (the seam throws
 * SimulatedCrash, which skips all cleanup, like a power cut) and the files must then hold the old
 * content or the new content: never a mix, an empty file, or a lost file.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import {
  atomicReplace, copyFileDurable, mkdirDurable, removeDurable, renameNoReplace, SimulatedCrash,
  WRITE_STEPS, type StepSeam, type WriteStep,
} from "../../src/adapters/durable-fs.ts";
import { BootctlError } from "../../src/errors.ts";
import { withTempRoot } from "../support/tmp.ts";

const OLD = "old content\n";
const NEW = "new content, longer than the old one\n";

function crashAfter(step: WriteStep): StepSeam {
  return (s) => {
    if (s === step) throw new SimulatedCrash(s);
  };
}

async function crashes(promise: Promise<unknown>): Promise<boolean> {
  try {
    await promise;
    return false;
  } catch (err) {
    if (err instanceof SimulatedCrash) return true;
    throw err;
  }
}

/** Files that a boot loader or bootctl would pick up: temp files never match these. */
function visibleEntries(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith(".conf") || n.endsWith(".efi"));
}

test("atomicReplace: after every step the target is old or new, and complete", async () => {
  for (const step of WRITE_STEPS.atomicReplace) {
    await withTempRoot(async (root) => {
      writeFileSync(path.join(root, "entry.conf"), OLD);
      assert.ok(await crashes(atomicReplace(root, "entry.conf", NEW, { seam: crashAfter(step) })), step);
      const content = readFileSync(path.join(root, "entry.conf"), "utf8");
      const beforeRename = WRITE_STEPS.atomicReplace.indexOf(step) < WRITE_STEPS.atomicReplace.indexOf("rename");
      assert.is(content, beforeRename ? OLD : NEW, `after ${step}`);
      assert.equal(visibleEntries(root), ["entry.conf"], `no half-written file is visible after ${step}`);
    });
  }
});

test("atomicReplace: creating a new file leaves nothing visible or the complete file", async () => {
  for (const step of WRITE_STEPS.atomicReplace) {
    await withTempRoot(async (root) => {
      assert.ok(await crashes(atomicReplace(root, "new.conf", NEW, { seam: crashAfter(step) })));
      const target = path.join(root, "new.conf");
      if (existsSync(target)) assert.is(readFileSync(target, "utf8"), NEW, step);
      else assert.ok(WRITE_STEPS.atomicReplace.indexOf(step) < WRITE_STEPS.atomicReplace.indexOf("rename"), step);
    });
  }
});

test("atomicReplace: keeps the mode of an existing file and removes its temp file on errors", async () => {
  await withTempRoot(async (root) => {
    const target = path.join(root, "grubenv");
    writeFileSync(target, OLD, { mode: 0o600 });
    await atomicReplace(root, "grubenv", NEW);
    assert.is(statSync(target).mode & 0o777, 0o600);
    const failing: StepSeam = (s) => {
      if (s === "write-temp") throw Object.assign(new Error("injected"), { code: "ENOSPC" });
    };
    try {
      await atomicReplace(root, "grubenv", "x", { seam: failing });
      assert.unreachable("should fail");
    } catch (err) {
      assert.instance(err, BootctlError);
      assert.match((err as Error).message, /no space left on device/);
    }
    assert.equal(readdirSync(root), ["grubenv"], "temp file removed");
    assert.is(readFileSync(target, "utf8"), NEW);
  });
});

test("a write removes temp files a crashed writer left for the same target (and only those)", async () => {
  await withTempRoot(async (root) => {
    writeFileSync(path.join(root, "a.conf"), OLD);
    assert.ok(await crashes(atomicReplace(root, "a.conf", NEW, { seam: crashAfter("fsync-temp") })));
    writeFileSync(path.join(root, ".#other.conf.0123456789ab.bootctl-tmp"), "not ours to remove");
    assert.is(readdirSync(root).filter((n) => n.startsWith(".#a.conf.")).length, 1);
    await atomicReplace(root, "a.conf", NEW);
    assert.equal(readdirSync(root).sort(), [".#other.conf.0123456789ab.bootctl-tmp", "a.conf"]);
    assert.is(readFileSync(path.join(root, "a.conf"), "utf8"), NEW);
  });
});

test("temp files never end in .conf or .efi", async () => {
  await withTempRoot(async (root) => {
    let seen: string[] = [];
    await atomicReplace(root, "a.conf", NEW, { seam: () => { seen = readdirSync(root); } });
    assert.ok(seen.length > 0);
    for (const name of seen.filter((n) => n !== "a.conf")) {
      assert.not.ok(/\.(conf|efi)$/i.test(name), name);
      assert.ok(name.startsWith("."), `${name} is hidden`);
    }
  });
});

test("renameNoReplace: refuses to clobber, is a no-op for equal names, and crash-safe", async () => {
  await withTempRoot(async (root) => {
    writeFileSync(path.join(root, "a+3.conf"), OLD);
    writeFileSync(path.join(root, "a.conf"), NEW);
    try {
      await renameNoReplace(root, "a+3.conf", "a.conf");
      assert.unreachable();
    } catch (err) {
      assert.is((err as BootctlError).code, "E_EXISTS");
    }
    assert.is(readFileSync(path.join(root, "a.conf"), "utf8"), NEW);
    assert.is(readFileSync(path.join(root, "a+3.conf"), "utf8"), OLD);
    const same = await renameNoReplace(root, "a+3.conf", "./a+3.conf");
    assert.is(same.changed, false);
  });
  for (const step of WRITE_STEPS.renameNoReplace) {
    await withTempRoot(async (root) => {
      writeFileSync(path.join(root, "e+3.conf"), OLD);
      assert.ok(await crashes(renameNoReplace(root, "e+3.conf", "e+2-1.conf", { seam: crashAfter(step) })));
      assert.equal(visibleEntries(root), ["e+2-1.conf"], step);
      assert.is(readFileSync(path.join(root, "e+2-1.conf"), "utf8"), OLD);
    });
  }
});

test("copyFileDurable: the target is absent or complete after every step", async () => {
  for (const step of WRITE_STEPS.copyFileDurable) {
    await withTempRoot(async (root) => {
      const source = path.join(root, "vmlinuz.src");
      writeFileSync(source, Buffer.alloc(70000, 7));
      mkdirSync(path.join(root, "esp"));
      assert.ok(await crashes(copyFileDurable(path.join(root, "esp"), source, "vmlinuz", { seam: crashAfter(step) })));
      const target = path.join(root, "esp", "vmlinuz");
      if (existsSync(target)) assert.ok(readFileSync(target).equals(Buffer.alloc(70000, 7)), step);
      else assert.ok(WRITE_STEPS.copyFileDurable.indexOf(step) < WRITE_STEPS.copyFileDurable.indexOf("rename"), step);
    });
  }
});

test("removeDurable and mkdirDurable", async () => {
  await withTempRoot(async (root) => {
    writeFileSync(path.join(root, "x.conf"), OLD);
    assert.equal(await removeDurable(root, "x.conf"), { path: path.join(root, "x.conf"), removed: true });
    assert.equal(await removeDurable(root, "x.conf"), { path: path.join(root, "x.conf"), removed: false });
    const made = await mkdirDurable(root, "loader/entries");
    assert.ok(lstatSync(made).isDirectory());
    assert.is(await mkdirDurable(root, "loader/entries"), made);
  });
});

test("every operation refuses paths outside the root and symlinks below it", async () => {
  await withTempRoot(async (root) => {
    mkdirSync(path.join(root, "esp"));
    mkdirSync(path.join(root, "elsewhere"));
    writeFileSync(path.join(root, "elsewhere", "victim"), OLD);
    symlinkSync(path.join(root, "elsewhere"), path.join(root, "esp", "loader"));
    symlinkSync(path.join(root, "elsewhere", "victim"), path.join(root, "esp", "file.conf"));
    const esp = path.join(root, "esp");
    const attempts: [string, () => Promise<unknown>][] = [
      ["dotdot", () => atomicReplace(esp, "../elsewhere/victim", NEW)],
      ["absolute jump", () => atomicReplace(esp, path.join(root, "elsewhere", "victim"), NEW)],
      ["symlinked dir", () => atomicReplace(esp, "loader/victim", NEW)],
      ["symlinked file", () => atomicReplace(esp, "file.conf", NEW)],
      ["rename onto symlink dir", () => renameNoReplace(esp, "file.conf", "loader/x")],
      ["remove through symlink dir", () => removeDurable(esp, "loader/victim")],
      ["mkdir through symlink", () => mkdirDurable(esp, "loader/sub")],
      ["NUL byte", () => atomicReplace(esp, "a\0b", NEW)],
    ];
    for (const [name, attempt] of attempts) {
      try {
        await attempt();
        assert.unreachable(`${name} should be refused`);
      } catch (err) {
        assert.instance(err, BootctlError, name);
        assert.ok(["E_PATH_ESCAPE", "E_SYMLINK"].includes((err as BootctlError).code), `${name}: ${(err as BootctlError).code}`);
      }
    }
    assert.is(readFileSync(path.join(root, "elsewhere", "victim"), "utf8"), OLD);
    assert.equal(readdirSync(path.join(root, "elsewhere")), ["victim"]);
  });
});

test.run();
