/**
 * Boot Loader Interface decoding on real variables (fixtures/efivars/ovmf-after-boot, captured
 * from sd-boot 252 under OVMF; values per docs/BOOT_LOADER_INTERFACE.md) and the bootctl-style plans.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { listEfiVariables } from "../../src/adapters/efivarfs.ts";
import { BootctlError } from "../../src/errors.ts";
import { decodeLoaderVariables } from "../../src/formats/efi/loader-variables.ts";
import { LOADER_VENDOR_GUID } from "../../src/formats/efi/guids.ts";
import { planSetDefault, planSetOneshot, planSetTimeout, planSetTimeoutOneshot } from "../../src/ops/loader-variables.ts";
import { decodeUcs2z } from "../../src/formats/efi/ucs2.ts";
import { planSetBootNext, planDeleteBootOption, planCreateBootOption } from "../../src/ops/efi-boot-manager.ts";
import { decodeBootOrder } from "../../src/formats/efi/boot-manager.ts";
import { withEnd } from "../../src/formats/efi/device-path.ts";

const dir = new URL("../../fixtures/efivars/ovmf-after-boot", import.meta.url).pathname;

test("sd-boot 252's variables decode: features 0x7ff, upper-case ESP UUID normalised, entries list", async () => {
  const v = decodeLoaderVariables(await listEfiVariables(dir));
  assert.is(v.loaderFeatures?.mask, "0x7ff");
  assert.equal(v.loaderFeatures?.names.slice(0, 4), ["config-timeout", "config-timeout-one-shot", "entry-default", "entry-oneshot"]);
  assert.is(v.devicePartUuid, "0a3f4e45-2a8f-4d34-9b5c-1f7c3e2d8a61");
  assert.ok(v.strings.LoaderInfo?.startsWith("systemd-boot 252"));
  assert.ok((v.entries?.length ?? 0) >= 2);
  assert.is(v.strings.LoaderBootCountPath?.startsWith("\\loader\\entries\\"), true);
});

test("set-default / set-oneshot: plain ids, @current, empty deletes, @saved needs the feature", async () => {
  const vars = await listEfiVariables(dir);
  const text = (e: ReturnType<typeof planSetDefault>[number]) => (e.op === "write" ? decodeUcs2z(e.data) : "(delete)");
  assert.equal(planSetDefault(vars, "b*").map(text), ["b*"]);
  const selected = decodeLoaderVariables(vars).strings.LoaderEntrySelected!;
  assert.equal(planSetOneshot(vars, "@current").map(text), [selected]);
  assert.equal(planSetDefault(vars, "").map((e) => e.op), ["delete"]);
  assert.equal(planSetDefault(vars, "@saved").map(text), ["@saved"]);
  const noSaved = vars.map((v) => (v.name === "LoaderFeatures" && v.guid === LOADER_VENDOR_GUID ? { ...v, data: Buffer.from([0x0d, 0, 0, 0, 0, 0, 0, 0]) } : v));
  assert.throws(() => planSetDefault(noSaved, "@saved"), (e: unknown) => e instanceof BootctlError && e.code === "E_LOADER_FEATURE");
  const bare = vars.filter((v) => v.guid !== LOADER_VENDOR_GUID);
  assert.throws(() => planSetOneshot(bare, "a.conf"), (e: unknown) => e instanceof BootctlError && e.code === "E_LOADER_FEATURE");
});

test("timeouts: seconds, menu-force as UINT32_MAX, menu-hidden as 0, bad values refused", async () => {
  const vars = await listEfiVariables(dir);
  const value = (effects: ReturnType<typeof planSetTimeout>) => (effects[0]!.op === "write" ? decodeUcs2z(effects[0]!.data) : "(delete)");
  assert.is(value(planSetTimeout(vars, "5")), "5");
  assert.is(value(planSetTimeout(vars, "menu-force")), "4294967295");
  assert.is(value(planSetTimeoutOneshot(vars, "menu-hidden")), "0");
  assert.throws(() => planSetTimeout(vars, "soon"));
});

test("boot manager plans: set-next needs an existing option; delete drops it from BootOrder (BootNext kept); create picks the lowest free number", async () => {
  const vars = await listEfiVariables(dir);
  assert.throws(() => planSetBootNext(vars, 0x42), /Boot entry 0042 does not exist/);
  const del = planDeleteBootOption(vars, 1);
  // The fixture's BootNext is 0001: left alone, as efibootmgr -B leaves it (see test/ops/efi-boot-manager.test.ts).
  assert.equal(del.map((e) => e.op + " " + e.name), ["delete Boot0001", "write BootOrder"]);
  const order = del[1]!.op === "write" ? decodeBootOrder(del[1]!.data) : [];
  assert.equal(order, [0, 2, 3]);
  const created = planCreateBootOption(vars, { attributes: 1, description: "x", filePath: withEnd([{ kind: "file", path: "\\a.efi" }]), optionalData: Buffer.alloc(0) });
  assert.is(created.number, 4);
});

test.run();
