/**
 * `bootctl-ts status`: a `bootctl status`-like summary from what can be read without privileges:
 * the partitions, boot loader facts from the Boot Loader Interface variables that exist
 * (LoaderInfo, LoaderFirmwareInfo/Type, LoaderDevicePartUUID, LoaderImageIdentifier,
 * LoaderFeatures, StubInfo), the default/selected/one-shot entries, and the boot-assessment
 * state of the booted entry (`systemd-bless-boot status` words).
 *
 * Like `bootctl status` it goes on, exit 0, when a part is missing: on a machine not booted with
 * EFI (no efivarfs directory where the variables are read) it says `System:` / `Not booted with
 * EFI` instead of the boot loader facts, and without an ESP or XBOOTLDR partition (a GRUB-only
 * BIOS machine) it shows `(none)` for them and what GRUB boots.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { readEfiString, readEfiVariable } from "../../../adapters/efivarfs.ts";
import { inRoot } from "../../../adapters/root-path.ts";
import { blessStatusOf } from "../../../actions/bless-boot.ts";
import type { GrubCountingState } from "../../../ops/grub-counting.ts";
import { findGrubCfg, readGrubCfg } from "../../../adapters/grub-cfg-file.ts";
import { locateGrubenv, readGrubenvFile } from "../../../adapters/grubenv-file.ts";
import { loadEnvView } from "../../../formats/grubenv.ts";
import { evaluateGrubScript } from "../../../model/grub-eval.ts";
import { FAILURE_RECORD } from "../../../actions/boot-failure.ts";
import { BootctlError, UsageError, errnoOf } from "../../../errors.ts";
import { discoverBootPartitions } from "../../../adapters/esp-discovery.ts";
import { LOADER_VENDOR_GUID } from "../../../formats/efi/guids.ts";
import { entryTitle, isBadEntry } from "../../../model/boot-entry.ts";
import type { CommandInvocation } from "../../invocation.ts";
import { loadMenu } from "../../../actions/boot-menu.ts";
import { lastRollback } from "../../../actions/rollback.ts";
import type { RollbackRecord } from "../../../model/rollback.ts";
import { unmatchedGrubValues, unmatchedSdBootValues } from "../../../actions/select-entry.ts";

/** EFI_LOADER_FEATURE_* bit names (systemd docs/BOOT_LOADER_INTERFACE.md). */
const FEATURES = [
  "Boot loader sets loader configuration timeout", "One-shot menu timeout control",
  "Default entry control", "One-shot entry control",
  "Boot counting", "Support for XBOOTLDR partition", "Support for passing random seed to OS",
  "Load drop-in drivers", "Support Type #1 sort-key field", "Support @saved pseudo-entry",
  "Support Type #1 devicetree field", "Enroll SecureBoot keys", "Retain SHIM protocols",
  "Menu can be disabled", "Multi-Profile UKIs are supported", "Loader reports network boot URL",
  "Support Type #1 uki field", "Support Type #1 uki-url field", "Loader reports active TPM2 PCR banks",
  "Preferred entry control",
];

const FACTS: [string, string][] = [
  ["LoaderInfo", "Product"],
  ["LoaderFirmwareType", "Firmware type"],
  ["LoaderFirmwareInfo", "Firmware"],
  ["LoaderDevicePartUUID", "ESP partition UUID"],
  ["LoaderImageIdentifier", "File"],
  ["StubInfo", "Stub"],
  ["LoaderConfigTimeout", "Timeout (variable)"],
];

async function safeString(dir: string, name: string): Promise<string | undefined> {
  try {
    return await readEfiString(dir, name, LOADER_VENDOR_GUID);
  } catch (err) {
    if (err instanceof BootctlError) return undefined;
    throw err;
  }
}

export default async function status({ globals, output, options }: CommandInvocation): Promise<number> {
  const format = options.format ?? "text";
  if (format !== "text" && format !== "prometheus") throw new UsageError(`--format: expected text or prometheus, got '${String(format)}'`);
  if (format === "prometheus") {
    const { metricsText } = await import("../../../actions/metrics.ts");
    const partitions = discoverBootPartitions({ root: globals.root, espPath: globals.espPath, bootPath: globals.bootPath });
    output.write(await metricsText({ root: globals.root, partitions: [partitions.esp?.inRoot, partitions.xbootldr?.inRoot], efivarsPath: globals.efivarsPath, efivarsPathExplicit: globals.efivarsPathExplicit }));
    return 0;
  }
  const menu = await loadMenu(globals, "empty");
  for (const w of menu.warnings) output.warn(w);
  // Read from the variables' directory: bootctl's is_efi_boot() asks /sys/firmware/efi/.
  const bootedWithEfi = menu.efivarsRead ? existsSync(globals.efivarsPath) : undefined;
  const facts: Record<string, string> = {};
  let features: string[] | undefined;
  let countPath: string | undefined;
  if (menu.efivarsRead) {
    for (const [name] of FACTS) {
      const v = await safeString(globals.efivarsPath, name);
      if (v !== undefined) facts[name] = v;
    }
    countPath = await safeString(globals.efivarsPath, "LoaderBootCountPath");
    try {
      const raw = await readEfiVariable(globals.efivarsPath, "LoaderFeatures", LOADER_VENDOR_GUID);
      if (raw && raw.data.length >= 8) {
        const bits = raw.data.readBigUInt64LE(0);
        features = FEATURES.map((name, i) => ((bits >> BigInt(i)) & 1n ? name : "")).filter((n) => n !== "");
      }
    } catch (err) {
      if (!(err instanceof BootctlError)) throw err;
    }
  }
  const assessment = await assessBootState(globals.root, [menu.partitions.esp?.inRoot, menu.partitions.xbootldr?.inRoot], menu.efivarsRead ? globals.efivarsPath : undefined);
  // Entries that used up their tries: the loader has fallen back from them (or will). On GRUB,
  // the trial with no tries left (GRUB then boots bootctl_fallback).
  const exhausted = menu.entries.filter(isBadEntry).map((e) => e.id);
  const failure = await lastFailure(globals.root);
  const rollbacks = await lastRollback(globals.root);
  const grubTrial = assessment.grub?.trial;
  if (grubTrial !== undefined && assessment.grub?.tries === 0) exhausted.push(grubTrial);
  const grubDefault = await grubDefaultEntry(globals.root, globals.espPath);
  const def = menu.defaultEntry;
  const selected = menu.selectedIndex >= 0 ? menu.entries[menu.selectedIndex] : undefined;
  const oneShot = menu.variables.oneShot;
  // A default or one-shot that names no entry (actions/select-entry.ts): the loader boots another.
  const unmatched = [
    ...unmatchedSdBootValues([["LoaderEntryDefault", menu.variables.default], ["LoaderEntryOneShot", oneShot], ["loader.conf default", menu.config.loaderConf?.defaultPattern]], menu.entries.map((e) => e.id), menu.variables.entries !== undefined),
    ...(await unmatchedGrubValues({ root: globals.root, espPath: globals.espPath, bootPath: globals.bootPath, efivarsPath: globals.efivarsPath })),
  ];

  if (output.json !== "off") {
    const o: Record<string, unknown> = {
      bootedWithEfi: bootedWithEfi ?? null,
      esp: menu.partitions.esp?.path ?? null,
      xbootldr: menu.partitions.xbootldr?.path ?? null,
      loader: facts,
      features: features ?? null,
      entries: menu.entries.length,
      default: def ? { id: def.entry.id, reason: def.reason, ...(def.pattern !== undefined ? { pattern: def.pattern } : {}) } : null,
      selected: selected?.id ?? menu.variables.selected ?? null,
      oneShot: oneShot ?? null,
      bootCountPath: countPath ?? null,
      bootAssessment: assessment.state ?? null,
      badEntries: exhausted,
      grubCounting: assessment.grub ?? null,
      grubDefault: grubDefault ?? null,
      bootFailure: failure ?? null,
      lastRollback: rollbacks.last ? publicRollback(rollbacks.last) : null,
      rollbacksTotal: rollbacks.total,
      unmatchedSelections: unmatched,
    };
    output.printJson(o);
    return 0;
  }
  const s = output.style;
  if (bootedWithEfi === false) {
    // bootctl status's words for it (systemd src/bootctl/bootctl-status.c).
    output.line(s.bold("System:"));
    output.line("Not booted with EFI");
    output.line();
  } else {
    output.line(s.bold("Current Boot Loader:"));
    if (Object.keys(facts).length === 0) output.line("      (no Boot Loader Interface variables found)");
    for (const [name, label] of FACTS) if (facts[name] !== undefined) output.line(`${label.padStart(19)}: ${facts[name]}`);
    if (features) for (const [i, f] of features.entries()) output.line(`${(i === 0 ? "Features" : "").padStart(19)}${i === 0 ? ":" : " "} ${s.green("✓")} ${f}`);
    output.line();
  }
  output.line(s.bold("Boot Loader Entries:"));
  output.line(`${"ESP".padStart(19)}: ${menu.partitions.esp?.path ?? "(none)"}`);
  output.line(`${"XBOOTLDR".padStart(19)}: ${menu.partitions.xbootldr?.path ?? "(none)"}`);
  output.line(`${"Entries".padStart(19)}: ${menu.entries.length}`);
  if (menu.config.loaderConfPath) output.line(`${"loader.conf".padStart(19)}: ${menu.config.loaderConfPath}`);
  output.line();
  output.line(s.bold("Default Boot Loader Entry:"));
  output.line(`${"Default".padStart(19)}: ${def ? `${entryTitle(def.entry)} (${def.entry.id}; ${def.reason}${def.pattern !== undefined ? ` '${def.pattern}'` : ""})` : "(none)"}`);
  output.line(`${"Selected".padStart(19)}: ${selected ? `${entryTitle(selected)} (${selected.id})` : menu.variables.selected ?? "(none)"}`);
  output.line(`${"One-shot".padStart(19)}: ${oneShot ?? "(none)"}`);
  if (grubDefault) output.line(`${"GRUB boots".padStart(19)}: ${grubDefault.title} [${grubDefault.id}] (${grubDefault.grubCfg})`);
  for (const u of unmatched) output.line(`${"Matches nothing".padStart(19)}: ${s.red(u)}`);
  output.line();
  output.line(s.bold("Boot Assessment:"));
  if (countPath !== undefined) output.line(`${"Boot count path".padStart(19)}: ${countPath}`);
  output.line(`${"State".padStart(19)}: ${assessment.state ?? `unknown (${assessment.reason ?? "?"})`}`);
  const g = assessment.grub;
  if (g?.trial !== undefined) output.line(`${"GRUB trial".padStart(19)}: ${g.trial} (${g.tries ?? "?"} tries left; fallback ${g.fallback ?? "(none)"}; booted ${g.booted ?? "(not yet)"})`);
  if (g?.greenboot) output.line(`${"greenboot".padStart(19)}: boot_counter=${g.greenboot.bootCounter ?? "(unset)"} boot_success=${g.greenboot.bootSuccess ?? "(unset)"}`);
  if (exhausted.length > 0) output.line(`${"Fallen back from".padStart(19)}: ${exhausted.map((id) => s.red(id)).join(", ")} (no tries left: bad)`);
  if (failure) output.line(`${"Last failure".padStart(19)}: ${failure.reason}`);
  if (rollbacks.last) output.line(`${"Last rollback".padStart(19)}: ${describeRollback(rollbacks.last)}${rollbacks.total > 1 ? ` (${rollbacks.total} in all)` : ""}`);
  return 0;
}

/** A record as `status --json` shows it (the key is internal). */
function publicRollback(r: RollbackRecord): Omit<RollbackRecord, "key"> {
  const { key: _key, ...shown } = r;
  return shown;
}

/** `from → to, TIME, after N tries: reason`. */
export function describeRollback(r: RollbackRecord): string {
  const tries = r.tries === null ? "" : `, after ${r.tries} ${r.tries === 1 ? "try" : "tries"}`;
  return `${r.from} → ${r.to ?? "(another entry)"}, ${r.time}${tries}: ${r.reason}`;
}

/** The `bless-boot status` word of this boot (actions/bless-boot.ts), or why it is unknown. */
async function assessBootState(root: string, partitions: (string | undefined)[], efivarsPath: string | undefined): Promise<{ state?: string; reason?: string; grub?: GrubCountingState }> {
  try {
    const status = await blessStatusOf({ root, partitions, efivarsPath: efivarsPath ?? "/nonexistent-efivars" });
    return { state: status.state, ...(status.grub ? { grub: status.grub } : {}) };
  } catch (err) {
    if (err instanceof BootctlError) return { reason: err.message };
    throw err;
  }
}

/** What the boot-failure handler decided earlier in this boot (`/run/bootctl-ts/boot-failure.json`). */
async function lastFailure(root: string): Promise<{ reason: string; guard: boolean; time?: string } | undefined> {
  try {
    const record = JSON.parse(await readFile(inRoot(root, FAILURE_RECORD), "utf8")) as { reason?: unknown; guard?: unknown; time?: unknown };
    if (typeof record.reason !== "string") return undefined;
    return { reason: record.reason, guard: record.guard === true, ...(typeof record.time === "string" ? { time: record.time } : {}) };
  } catch (err) {
    // No decision in this boot (ENOENT), or a record cut short by a crash (not JSON).
    if (errnoOf(err) === "ENOENT" || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** What GRUB boots next, when the root has a grub.cfg: the evaluator run on it with the grubenv. */
async function grubDefaultEntry(root: string, espPath: string | undefined): Promise<{ title: string; id: string; grubCfg: string } | undefined> {
  const cfg = await findGrubCfg(root);
  if (cfg === undefined) return undefined;
  try {
    const { script } = await readGrubCfg(root, cfg);
    const location = await locateGrubenv(root, undefined, { espPath });
    const loaded = await readGrubenvFile(location.path);
    const result = evaluateGrubScript(script, { grubenv: loaded ? loadEnvView(loaded.block) : undefined });
    if (!result.chosen) return undefined;
    return { title: result.chosen.titlePath.join(" > "), id: result.chosen.id, grubCfg: cfg };
  } catch (err) {
    if (err instanceof BootctlError) return undefined;
    throw err;
  }
}
