/**
 * The offline OVMF variable-store writer (src/formats/ovmf/varstore.ts) checked by the firmware
 * itself. Boot 1 lets OVMF populate a fresh VARS copy. Then, with QEMU stopped, the writer
 * injects `LoaderEntryOneShot` (systemd's Boot Loader Interface GUID, UTF-16LE with NUL, NV|BS|RT)
 * and replaces `Timeout`; boot 2 must keep the store (edk2 erases a store it finds corrupt), keep
 * the one-shot record where it was written, and — because OVMF rewrites `Timeout` from its PCD at
 * every boot (BdsEntry.c) — supersede *our* `Timeout` record, which proves the firmware took it as
 * the live copy. Then the writer compacts the store (edk2 Reclaim layout) and boot 3 must accept
 * the compacted layout the same way. No loader is installed: OVMF ends in its UEFI shell, which
 * the harness must detect on the serial console and stop at once as "nothing booted", not wait for
 * the hard timeout (this also serves as the harness's own control for that case).
 */
import { readFile, writeFile } from "node:fs/promises";
import { deleteVariable, getVariable, readVarStore, setVariable, type VarStore } from "../../src/formats/ovmf/varstore.ts";
import type { Scenario, ScenarioContext } from "../lib/scenario.ts";

const LOADER_GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";
const GLOBAL_GUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c";
const NV_BS_RT = 7;
const utf16z = (s: string): Buffer => Buffer.from(s + "\0", "utf16le");

/** The firmware may only have changed State bytes of records we wrote, and appended after them. */
function expectKeptRecords(ctx: ScenarioContext, before: VarStore, after: VarStore, label: string): void {
  const byOffset = new Map(after.records.map((r) => [r.offset, r]));
  for (const r of before.records) {
    const a = byOffset.get(r.offset);
    ctx.expect(a !== undefined && a.name === r.name && a.guid === r.guid && a.data.equals(r.data),
      `${label}: the record ${r.name} at 0x${r.offset.toString(16)} is gone or changed: the firmware rewrote the store`);
  }
  ctx.expect(after.freeOffset > before.freeOffset, `${label}: the firmware appended nothing after our records`);
}

const scenario: Scenario = {
  name: "ovmf-varstore",
  title: "OVMF keeps and uses variables written offline into OVMF_VARS (append, replace, compacted store)",
  loader: "firmware",
  budgetMs: 40_000,
  async run(ctx: ScenarioContext) {
    const esp = await ctx.newDisk();
    const machine = await ctx.machine({ disk: esp, timeoutMs: 60_000 });

    const first = await machine.boot();
    ctx.sequence.push("populate");
    ctx.expect(first.shell, `boot-1: OVMF did not reach its UEFI shell (see ${first.consoleLog})`);
    ctx.expect(!first.timedOut, "boot-1: the boot ran into the hard timeout instead of stopping at the shell");
    ctx.expectEqual(first.markers.length, 0, "boot-1: guest markers from a disk with nothing to boot");
    const populated = await readFile(machine.vars);
    const firmwareTimeout = getVariable(readVarStore(populated), "Timeout", GLOBAL_GUID);
    ctx.expect(firmwareTimeout !== undefined, "boot-1: OVMF did not create Timeout");

    // Boot 2: append a one-shot entry, replace Timeout with a value OVMF will not keep.
    const ourTimeout = Buffer.from([firmwareTimeout.data.readUInt16LE(0) === 7 ? 9 : 7, 0]);
    let injected = setVariable(populated, { name: "LoaderEntryOneShot", guid: LOADER_GUID, attributes: NV_BS_RT, data: utf16z("probe.conf") });
    injected = setVariable(injected, { name: "Timeout", guid: GLOBAL_GUID, attributes: NV_BS_RT, data: ourTimeout });
    const injectedStore = readVarStore(injected);
    const ourOneShot = getVariable(injectedStore, "LoaderEntryOneShot", LOADER_GUID)!;
    const ourTimeoutRecord = getVariable(injectedStore, "Timeout", GLOBAL_GUID)!;
    await writeFile(machine.vars, injected);
    await ctx.observed("injected", `LoaderEntryOneShot@0x${ourOneShot.offset.toString(16)}, Timeout=${ourTimeout.readUInt16LE(0)}@0x${ourTimeoutRecord.offset.toString(16)}`);

    const second = await machine.boot();
    ctx.sequence.push("appended");
    ctx.expect(second.shell, `boot-2: OVMF did not reach its UEFI shell (see ${second.consoleLog})`);
    const afterSecond = await readFile(machine.vars);
    ctx.expect(afterSecond.subarray(0, injectedStore.recordsOffset).equals(injected.subarray(0, injectedStore.recordsOffset)), "boot-2: FV or store header changed");
    const store2 = readVarStore(afterSecond);
    expectKeptRecords(ctx, injectedStore, store2, "boot-2");
    const oneShot2 = getVariable(store2, "LoaderEntryOneShot", LOADER_GUID);
    ctx.expectEqual(oneShot2?.offset, ourOneShot.offset, "boot-2: LoaderEntryOneShot record offset");
    ctx.expectEqual(oneShot2?.data.toString("hex"), utf16z("probe.conf").toString("hex"), "boot-2: LoaderEntryOneShot data");
    ctx.expectEqual(oneShot2?.attributes, NV_BS_RT, "boot-2: LoaderEntryOneShot attributes");
    ctx.expectEqual(store2.records.find((r) => r.offset === ourTimeoutRecord.offset)?.state, 0x3c, "boot-2: State of our Timeout record after OVMF rewrote Timeout");
    const timeouts = store2.variables.filter((v) => v.name === "Timeout" && v.guid === GLOBAL_GUID);
    ctx.expectEqual(timeouts.map((v) => v.data.toString("hex")), [firmwareTimeout.data.toString("hex")], "boot-2: live Timeout copies");
    await ctx.observed("after boot-2", `${store2.records.length} records, ${store2.variables.length} live, free at 0x${store2.freeOffset.toString(16)}`);

    // Boot 3: fill the store until the writer has to compact it, then set the one-shot again.
    let image: Buffer = afterSecond;
    let compacted = false;
    for (let i = 0; i < 64 && !compacted; i++) {
      const before = readVarStore(image).records.length;
      image = setVariable(image, { name: "BootctlTsFiller", guid: LOADER_GUID, attributes: 3, data: Buffer.alloc(0x7000, i + 1) });
      compacted = readVarStore(image).records.length < before;
    }
    ctx.expect(compacted, "the writer never compacted the store");
    image = deleteVariable(image, "BootctlTsFiller", LOADER_GUID);
    image = setVariable(image, { name: "LoaderEntryOneShot", guid: LOADER_GUID, attributes: NV_BS_RT, data: utf16z("second.conf") });
    const compactStore = readVarStore(image);
    await writeFile(machine.vars, image);
    await ctx.observed("compacted", `${compactStore.records.length} records, ${compactStore.variables.length} live, free at 0x${compactStore.freeOffset.toString(16)}`);

    const third = await machine.boot();
    ctx.sequence.push("compacted");
    ctx.expect(third.shell, `boot-3: OVMF did not reach its UEFI shell (see ${third.consoleLog})`);
    const store3 = readVarStore(await readFile(machine.vars));
    expectKeptRecords(ctx, compactStore, store3, "boot-3");
    const oneShot3 = getVariable(store3, "LoaderEntryOneShot", LOADER_GUID);
    ctx.expectEqual(oneShot3?.data.toString("hex"), utf16z("second.conf").toString("hex"), "boot-3: LoaderEntryOneShot data");
    ctx.expectEqual(oneShot3?.offset, getVariable(compactStore, "LoaderEntryOneShot", LOADER_GUID)?.offset, "boot-3: LoaderEntryOneShot record offset");
    await ctx.observed("after boot-3", `${store3.records.length} records, ${store3.variables.length} live, free at 0x${store3.freeOffset.toString(16)}`);
  },
};

export default scenario;
