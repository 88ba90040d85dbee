/**
 * The install-time templates: the repository's grub/20_bootctl-ts is the installed generator, and
 * the generator's contract with grub-mkconfig (which runs it under `set -e`): BOOTCTL_TS names one
 * executable and is never word-split; a missing or failing bootctl-ts is an error on stderr and a
 * non-zero exit (grub-mkconfig then keeps the old grub.cfg); a working one's output is passed on.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { entriesGenerator, grubGenerators } from "../../src/install/grub-generators.ts";
import { grubCountingGenerator } from "../../src/ops/grub-counting-script.ts";
import { blessBootDropIn, presetFile } from "../../src/install/units.ts";
import { withTempRoot } from "../support/tmp.ts";

const GRUB = fileURLToPath(new URL("../../grub/", import.meta.url));

test("grub/20_bootctl-ts and grub/09_bootctl_counting are the generators install-units installs", () => {
  assert.is(readFileSync(path.join(GRUB, "20_bootctl-ts"), "utf8"), entriesGenerator());
  assert.equal(grubGenerators(), { "09_bootctl_counting": grubCountingGenerator(), "20_bootctl-ts": entriesGenerator() });
});

function generator(work: string, env: Record<string, string>) {
  const script = path.join(work, "20_bootctl-ts");
  writeFileSync(script, entriesGenerator());
  chmodSync(script, 0o755);
  // An entries directory the generator's own check sees is given through GRUB_BOOTCTL_TS_ARGS.
  return spawnSync(script, [], { encoding: "utf8", env: { PATH: "/usr/bin:/bin", GRUB_BOOTCTL_TS_ARGS: "--boot-path=/boot", ...env } });
}

function fakeCli(file: string, body: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}

test("20_bootctl-ts: one executable in BOOTCTL_TS, even with a space in its path; its menu passes through", async () => {
  await withTempRoot((work) => {
    const cli = path.join(work, "dir with space", "bootctl ts");
    fakeCli(cli, `printf '%s\\n' "$*" >&2; echo "menuentry 'OS' --id os {"; echo "}"`);
    const r = generator(work, { BOOTCTL_TS: cli, GRUB_BOOTCTL_TS_RENDER_ARGS: "--boot-uuid=1234" });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, "menuentry 'OS' --id os {\n}\n");
    assert.match(r.stderr, /^--quiet --boot-path=\/boot grub render --boot-uuid=1234$/m);
  });
});

test("20_bootctl-ts: bootctl-ts missing or failing is an error on stderr and a non-zero exit", async () => {
  await withTempRoot((work) => {
    const missing = generator(work, { BOOTCTL_TS: path.join(work, "nowhere") });
    assert.is(missing.status, 1);
    assert.is(missing.stdout, "");
    assert.match(missing.stderr, /error: .*nowhere not found.*grub-mkconfig stops here/);
    const cli = path.join(work, "bootctl-ts");
    fakeCli(cli, "echo 'bootctl-ts: no such thing' >&2; exit 3");
    const failing = generator(work, { BOOTCTL_TS: cli });
    assert.is(failing.status, 3);
    assert.match(failing.stderr, /error: .*grub render failed \(exit 3\)/);
  });
});

test("the bless-boot drop-in and the preset name what install-units installs", () => {
  assert.match(blessBootDropIn("/usr/lib/bootctl-ts/service.cjs"), /^ConditionPathExists=!\/usr\/lib\/bootctl-ts\/service\.cjs$/m);
  assert.match(blessBootDropIn("/usr/lib/bootctl-ts/service.cjs"), /^Wants=bootctl-ts-bless\.service$/m);
  assert.equal(presetFile().split("\n").filter((l) => l && !l.startsWith("#")), ["enable bootctl-ts-health.service", "enable bootctl-ts-bless.service"]);
});

test.run();
