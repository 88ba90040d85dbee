/**
 * ESP discovery on the running system (root `/`) against bootctl 252's own: a candidate is the ESP
 * only on a FAT file system (find-esp.c verify_esp(): statfs f_type MSDOS_SUPER_MAGIC, skipped
 * with SYSTEMD_RELAX_ESP_CHECKS=1), so the ext4 `/boot` of a Fedora-style GRUB system is never
 * called "ESP".
 *
 * Each case runs in a private mount namespace (unshare(1), root) with a temporary directory bound
 * over `/boot` (the host's own /boot is untouched): the same mounts are seen by `bootctl
 * --print-esp-path` / `--print-boot-path` and by `bootctl-ts status --json`, and the two must
 * agree. The temporary directory is on the host's root file system (not FAT; checked), as a
 * Fedora `/boot` is ext4. The positive FAT case needs a FAT mount, which this kernel may lack
 * (no vfat here); the QEMU real-OS scenarios find their FAT ESP on the running guest.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { requireTool } from "../support/exec.ts";

const CLI = fileURLToPath(new URL("../../dist/cli.cjs", import.meta.url));
const MSDOS_SUPER_MAGIC = 0x4d44;

interface Seen {
  bootctlEsp: string | null;
  /** `$BOOT` as `bootctl --print-boot-path` prints it: XBOOTLDR when there is one, else the ESP. */
  bootctlBoot: string | null;
  oursEsp: string | null;
  oursBoot: string | null;
}

/** bootctl's and our view of the ESP and XBOOTLDR with `boot` bound over /boot. */
function discover(boot: string, env: Record<string, string>): Seen {
  const script = 'set -e; mount --bind "$1" /boot; shift; '
    + 'echo "esp=$(bootctl --print-esp-path 2>/dev/null || echo -)"; '
    + 'echo "boot=$(bootctl --print-boot-path 2>/dev/null || echo -)"; '
    + 'echo "ours=$("$@")"';
  const r = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", script, "sh", boot, process.execPath, CLI, "status", "--json=short"], {
    encoding: "utf8",
    env: { ...process.env, SYSTEMD_PAGER: "", SYSTEMD_COLORS: "0", ...env },
  });
  assert.is(r.status, 0, r.stderr);
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(r.stdout)?.[1] ?? "";
  const ours = JSON.parse(field("ours")) as { esp: string | null; xbootldr: string | null };
  const orNull = (s: string) => (s === "-" ? null : s);
  return { bootctlEsp: orNull(field("esp")), bootctlBoot: orNull(field("boot")), oursEsp: ours.esp, oursBoot: ours.xbootldr ?? ours.esp };
}

function fedoraBoot(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "bootctl-ts-fat-"));
  mkdirSync(path.join(dir, "loader", "entries"), { recursive: true });
  mkdirSync(path.join(dir, "grub2"), { recursive: true });
  writeFileSync(path.join(dir, "loader", "entries", "0123456789abcdef0123456789abcdef-6.12.0.conf"), "title Fedora Linux\nversion 6.12.0\nlinux /vmlinuz-6.12.0\n");
  return dir;
}

test("a /boot mount point that is not FAT (Fedora's ext4 /boot) is not the ESP, as bootctl 252 decides; with SYSTEMD_RELAX_ESP_CHECKS=1 both take it", () => {
  requireTool("bootctl", "systemd-boot");
  requireTool("unshare", "util-linux");
  const boot = fedoraBoot();
  try {
    assert.is.not(statfsSync(boot).type, MSDOS_SUPER_MAGIC, "the test directory must not be on FAT");
    const strict = discover(boot, {});
    assert.is.not(strict.bootctlEsp, "/boot", "bootctl does not call a non-FAT /boot its ESP");
    assert.is(strict.oursEsp, strict.bootctlEsp, "ESP as bootctl finds it");
    assert.is(strict.oursBoot, strict.bootctlBoot, "$BOOT (XBOOTLDR, else the ESP) as bootctl finds it");

    const relaxed = discover(boot, { SYSTEMD_RELAX_ESP_CHECKS: "1" });
    assert.is(relaxed.bootctlEsp, "/boot", "relaxed, bootctl takes the /boot mount point");
    assert.is(relaxed.oursEsp, relaxed.bootctlEsp);
    assert.is(relaxed.oursBoot, relaxed.bootctlBoot);
  } finally {
    rmSync(boot, { recursive: true, force: true });
  }
});

test.run();
