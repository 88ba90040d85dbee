/**
 * The repository stands alone: no tracked file reads or cites the developers' reference notes
 * outside it (a user's clone has no `../shared`). Test data lives under fixtures/, with its
 * provenance in fixtures/README.md.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const THIS_FILE = path.relative(REPO, fileURLToPath(import.meta.url));

/** Paths outside the checkout that earlier code read, and the notes it cited by name. */
const OUTSIDE = [/\.\.\/shared\b/, /\/work\/shared\b/, /shared\/reference/, /\b(?:systemd|grub|uefi|qemu|qemu-node|real-os|peers|toolchain)\.md\b/];

test("no tracked file points outside the repository", () => {
  const ls = spawnSync("git", ["ls-files", "-z"], { cwd: REPO, encoding: "utf8" });
  assert.is(ls.status, 0, ls.stderr);
  const offenders: string[] = [];
  for (const file of ls.stdout.split("\0").filter(Boolean)) {
    if (file === THIS_FILE || /\.(fd|efi|bin|grubenv|img|cache|tgz|gz)$/.test(file) || file.startsWith("fixtures/efivars/")) continue;
    let text: string;
    try {
      text = readFileSync(path.join(REPO, file), "utf8");
    } catch {
      continue; // deleted in the working tree
    }
    text.split("\n").forEach((line, i) => {
      if (OUTSIDE.some((re) => re.test(line))) offenders.push(`${file}:${i + 1}: ${line.trim().slice(0, 100)}`);
    });
  }
  assert.equal(offenders, []);
});

test.run();
