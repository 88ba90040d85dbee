/**
 * Installing and removing a kernel as a Boot Loader Specification Type #1 entry, the way
 * `kernel-install add|remove` does with its `90-loaderentry.install` plugin (systemd 252, and the
 * newer twin removal: systemd.md §3.1). Pure: returns the plan.
 *
 * add: files first, entry last, old names after — so a stop at any point never leaves an entry
 * naming a missing or partial file, and never leaves the version without an entry:
 *   1. `$BOOT/<token>/<version>/linux` and each initrd (by basename), mode 0644;
 *   2. `$BOOT/loader/entries/<token>-<version>[+TRIES].conf`, written atomically;
 *   3. the other names of the same entry (`<token>-<version>.conf`, `<token>-<version>+*.conf`)
 *      removed, so no uncounted twin can shadow the counted entry (systemd issue 33504).
 * remove: the entry files first, then the kernel files and their directory.
 */
import { BootctlError } from "../errors.ts";
import { extractTries, withTries } from "../model/boot-counter.ts";
import type { Effect, Plan } from "./plan.ts";

export interface KernelEntrySpec {
  /** Absolute path of $BOOT (the ESP or XBOOTLDR), already resolved under the root. */
  bootRoot: string;
  entryToken: string;
  kernelVersion: string;
  machineId?: string;
  title: string;
  sortKey?: string;
  /** The kernel command line, words separated by single spaces. */
  options: string;
  tries?: number;
}

export interface AddEntryInputs extends KernelEntrySpec {
  /** Host paths of the kernel image and initrds to copy. */
  kernelImage: string;
  initrds: readonly string[];
  /** File names currently in `$BOOT/loader/entries`. */
  existingEntries: readonly string[];
}

/** A path component we create from user input: no separators, not `.`/`..`, no NUL. */
export function assertSafeComponent(what: string, value: string): void {
  if (value === "" || value === "." || value === ".." || /[/\\\0\n]/.test(value)) {
    throw new BootctlError("E_BAD_NAME", `invalid ${what} '${value.replace(/\0/g, "\\0").replace(/\n/g, "\\n")}'`);
  }
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

/** The entry file's text, line for line as 90-loaderentry.install writes it. */
export function entryText(spec: KernelEntrySpec, initrdNames: readonly string[]): string {
  const dir = `/${spec.entryToken}/${spec.kernelVersion}`;
  let options = spec.options;
  if (spec.machineId !== undefined && spec.entryToken === spec.machineId && !options.includes("systemd.machine_id=")) {
    options = `${options} systemd.machine_id=${spec.machineId}`;
  }
  const lines = [`title      ${spec.title}`, `version    ${spec.kernelVersion}`];
  if (spec.machineId !== undefined && spec.entryToken === spec.machineId) lines.push(`machine-id ${spec.machineId}`);
  if (spec.sortKey) lines.push(`sort-key   ${spec.sortKey}`);
  lines.push(`options    ${options}`, `linux      ${dir}/linux`);
  for (const name of initrdNames) lines.push(`initrd     ${dir}/${name}`);
  return lines.join("\n") + "\n";
}

/** Entry file names that belong to `<token>-<version>` (with or without a counter), for Type #1
 * entries (`.conf`) or UKIs (`.efi`). */
export function namesOfEntry(token: string, version: string, existing: readonly string[], suffix = ".conf"): string[] {
  const stem = `${token}-${version}${suffix}`;
  return existing.filter((name) => {
    if (name === stem) return true;
    if (!name.startsWith(`${token}-${version}+`)) return false;
    try {
      const { stripped, counter } = extractTries(name);
      return counter !== undefined && stripped === stem;
    } catch {
      return false;
    }
  });
}

export function planAddEntry(inputs: AddEntryInputs): Plan & { entry: string } {
  assertSafeComponent("entry token", inputs.entryToken);
  assertSafeComponent("kernel version", inputs.kernelVersion);
  const dir = `${inputs.entryToken}/${inputs.kernelVersion}`;
  const initrdNames = inputs.initrds.map(basename);
  for (const name of initrdNames) assertSafeComponent("initrd file name", name);
  if (initrdNames.includes("linux")) throw new BootctlError("E_BAD_NAME", "an initrd may not be named 'linux'");
  if (new Set(initrdNames).size !== initrdNames.length) throw new BootctlError("E_BAD_NAME", "two initrds have the same file name");
  const stem = `${inputs.entryToken}-${inputs.kernelVersion}.conf`;
  const entry = inputs.tries === undefined ? stem : withTries(stem, inputs.tries);
  const root = inputs.bootRoot;
  const effects: Effect[] = [
    { kind: "mkdir", root, path: dir },
    { kind: "copy-file", root, source: inputs.kernelImage, path: `${dir}/linux`, mode: 0o644 },
    ...inputs.initrds.map((source, i): Effect => ({ kind: "copy-file", root, source, path: `${dir}/${initrdNames[i]}`, mode: 0o644 })),
    { kind: "mkdir", root, path: "loader/entries" },
    { kind: "write-file", root, path: `loader/entries/${entry}`, content: Buffer.from(entryText(inputs, initrdNames)), mode: 0o644 },
    ...namesOfEntry(inputs.entryToken, inputs.kernelVersion, inputs.existingEntries)
      .filter((name) => name !== entry)
      .map((name): Effect => ({ kind: "remove", root, path: `loader/entries/${name}` })),
  ];
  const notes = inputs.tries === undefined ? [] : [`the entry gets ${inputs.tries} tries`];
  return { effects, notes, entry };
}

export interface AddUkiInputs {
  bootRoot: string;
  entryToken: string;
  kernelVersion: string;
  /** Host path of the unified kernel image. */
  uki: string;
  tries?: number;
  /** File names currently in `$BOOT/EFI/Linux`. */
  existingUkis: readonly string[];
}

/**
 * A Type #2 entry, as kernel-install's 90-uki-copy.install lays it out (systemd.md §3.1):
 * `$BOOT/EFI/Linux/<token>-<version>[+TRIES].efi`, written atomically (a UKI is its own entry, so
 * the file must never be visible half-copied: copy to a temp name, then rename), then the other
 * names of the same UKI removed. Add-on directories (`.efi.extra.d/`) are left alone.
 */
export function planAddUki(inputs: AddUkiInputs): Plan & { entry: string } {
  assertSafeComponent("entry token", inputs.entryToken);
  assertSafeComponent("kernel version", inputs.kernelVersion);
  const stem = `${inputs.entryToken}-${inputs.kernelVersion}.efi`;
  const entry = inputs.tries === undefined ? stem : withTries(stem, inputs.tries);
  const root = inputs.bootRoot;
  const others = namesOfEntry(inputs.entryToken, inputs.kernelVersion, inputs.existingUkis, ".efi").filter((name) => name !== entry);
  return {
    effects: [
      { kind: "mkdir", root, path: "EFI/Linux" },
      { kind: "copy-file", root, source: inputs.uki, path: `EFI/Linux/${entry}`, mode: 0o644 },
      ...others.map((name): Effect => ({ kind: "remove", root, path: `EFI/Linux/${name}` })),
    ],
    notes: inputs.tries === undefined ? [] : [`the UKI gets ${inputs.tries} tries`],
    entry,
  };
}

export interface RemoveEntryInputs {
  bootRoot: string;
  entryToken: string;
  kernelVersion: string;
  existingEntries: readonly string[];
  /** File names in `$BOOT/EFI/Linux` (UKIs of this version are removed too). */
  existingUkis?: readonly string[];
  /** File names inside `$BOOT/<token>/<version>/`. */
  kernelFiles: readonly string[];
}

export function planRemoveEntry(inputs: RemoveEntryInputs): Plan {
  assertSafeComponent("entry token", inputs.entryToken);
  assertSafeComponent("kernel version", inputs.kernelVersion);
  const root = inputs.bootRoot;
  const dir = `${inputs.entryToken}/${inputs.kernelVersion}`;
  const entries = namesOfEntry(inputs.entryToken, inputs.kernelVersion, inputs.existingEntries);
  const ukis = namesOfEntry(inputs.entryToken, inputs.kernelVersion, inputs.existingUkis ?? [], ".efi");
  if (entries.length === 0 && ukis.length === 0 && inputs.kernelFiles.length === 0) {
    throw new BootctlError("E_NOT_FOUND", `no entry or files for ${inputs.entryToken}-${inputs.kernelVersion}`);
  }
  return {
    effects: [
      ...entries.map((name): Effect => ({ kind: "remove", root, path: `loader/entries/${name}` })),
      ...ukis.map((name): Effect => ({ kind: "remove", root, path: `EFI/Linux/${name}` })),
      ...inputs.kernelFiles.map((name): Effect => ({ kind: "remove", root, path: `${dir}/${name}` })),
      ...(inputs.kernelFiles.length > 0 ? [{ kind: "rmdir", root, path: dir } as Effect] : []),
    ],
    notes: [],
  };
}
