import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { installUnits } from "../../src/actions/install-units.ts";
import { withTempRoot } from "../support/tmp.ts";

test("installs the bundle, the units and the enablement links under the root; idempotent", async () => {
  await withTempRoot(async (root) => {
    const bundle = path.join(root, "service.cjs");
    writeFileSync(bundle, "// service\n");
    const image = path.join(root, "image");
    await installUnits({ root: image, serviceBundle: bundle });
    await installUnits({ root: image, serviceBundle: bundle });
    assert.is(readFileSync(path.join(image, "usr/lib/bootctl-ts/service.cjs"), "utf8"), "// service\n");
    assert.is(statSync(path.join(image, "usr/lib/bootctl-ts/service.cjs")).mode & 0o777, 0o755);
    const health = readFileSync(path.join(image, "etc/systemd/system/bootctl-ts-health.service"), "utf8");
    assert.match(health, /^Before=boot-complete\.target$/m);
    assert.match(health, /^RequiredBy=boot-complete\.target$/m);
    assert.match(health, /^OnFailure=bootctl-ts-boot-failure\.service$/m);
    const bless = readFileSync(path.join(image, "etc/systemd/system/bootctl-ts-bless.service"), "utf8");
    assert.match(bless, /^Requires=boot-complete\.target$/m);
    assert.match(bless, /^After=local-fs\.target boot-complete\.target$/m);
    assert.is(readlinkSync(path.join(image, "etc/systemd/system/boot-complete.target.requires/bootctl-ts-health.service")), "/etc/systemd/system/bootctl-ts-health.service");
    assert.is(readlinkSync(path.join(image, "etc/systemd/system/multi-user.target.wants/bootctl-ts-bless.service")), "/etc/systemd/system/bootctl-ts-bless.service");
  });
});

test("systemd-analyze verify accepts the units", async () => {
  await withTempRoot(async (root) => {
    const bundle = path.join(root, "service.cjs");
    writeFileSync(bundle, "// service\n");
    await installUnits({ root, serviceBundle: bundle, node: process.execPath });
    const dir = path.join(root, "etc/systemd/system");
    // Verify with ExecStart pointing at files that exist on this machine.
    const units = ["bootctl-ts-health.service", "bootctl-ts-bless.service", "bootctl-ts-boot-failure.service"].map((u) => {
      const text = readFileSync(path.join(dir, u), "utf8").replaceAll("/usr/lib/bootctl-ts/service.cjs", bundle);
      writeFileSync(path.join(root, u), text);
      return path.join(root, u);
    });
    const r = spawnSync("systemd-analyze", ["verify", "--man=no", ...units], { encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr.trim(), "");
  });
});

test.run();
