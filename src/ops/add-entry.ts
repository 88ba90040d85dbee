/**
 * Installing and removing a kernel as a Boot Loader Specification Type #1 entry, the way
 * `kernel-install add|remove` does with its `90-loaderentry.install` plugin (systemd 252, and the
 * newer twin removal of src/kernel-install/90-loaderentry.install.in). Pure: returns the plan.
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
import { tryExtractTries, withTries } from "../model/boot-counter.ts";
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

/** NAME_MAX (linux/limits.h): the longest file name, in bytes. FAT's limit (255 UTF-16 units)
 * is never smaller for the same name, since a UTF-16 unit takes at least one UTF-8 byte. */
export const NAME_MAX = 255;

function printable(value: string): string {
  return value.replace(/\0/g, "\\0").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

/**
 * A path component we create from user input: no separators, not `.`/`..`, no NUL, LF or CR,
 * and at most NAME_MAX bytes (systemd's `filename_is_valid()`, which kernel-install's callers
 * apply to the entry token and version). Checked before anything is written: a name the file
 * system refuses half-way through a plan would otherwise fail after directories were created.
 */
export function assertSafeComponent(what: string, value: string): void {
  if (value === "" || value === "." || value === ".." || /[/\\\0\n\r]/.test(value)) {
    throw new BootctlError("E_BAD_NAME", `invalid ${what} '${printable(value)}'`);
  }
  assertNameLength(what, value);
}

/** Refuse a file name longer than NAME_MAX bytes (the message does not repeat the whole name). */
export function assertNameLength(what: string, name: string): void {
  const bytes = Buffer.byteLength(name, "utf8");
  if (bytes > NAME_MAX) {
    throw new BootctlError("E_NAME_TOO_LONG", `${what} '${printable(name.slice(0, 40))}…' is ${bytes} bytes long; file names may have at most ${NAME_MAX}`);
  }
}

/**
 * A value written on one line of an entry file (title, options, sort key, machine id): no LF,
 * CR or NUL. systemd's entry parser (`read_line()`) ends a line at any of them, so a title
 * `T\nlinux /x` would add a `linux` line — the same injection kernel-install's plain `echo`
 * would let through. Refused, not escaped: the format has no escape for a line break.
 */
export function assertOneLine(what: string, value: string): void {
  const m = /[\n\r\0]/.exec(value);
  if (m) {
    const code = m[0].charCodeAt(0).toString(16).padStart(2, "0").toUpperCase();
    throw new BootctlError("E_BAD_VALUE", `line break or NUL (U+00${code}) in the ${what}: it would start a new line in the entry file`);
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
    // An out-of-range counter is no counter systemd reads: not a twin.
    const tries = tryExtractTries(name);
    return tries?.counter !== undefined && tries.stripped === stem;
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
  assertOneLine("title", inputs.title);
  assertOneLine("kernel options", inputs.options);
  if (inputs.sortKey !== undefined) assertOneLine("sort key", inputs.sortKey);
  if (inputs.machineId !== undefined) assertOneLine("machine id", inputs.machineId);
  const stem = `${inputs.entryToken}-${inputs.kernelVersion}.conf`;
  const entry = inputs.tries === undefined ? stem : withTries(stem, inputs.tries);
  assertNameLength("entry file name", entry);
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
 * A Type #2 entry, as kernel-install's 90-uki-copy.install lays it out (src/kernel-install/90-uki-copy.install.in):
 * `$BOOT/EFI/Linux/<token>-<version>[+TRIES].efi`, written atomically (a UKI is its own entry, so
 * the file must never be visible half-copied: copy to a temp name, then rename), then the other
 * names of the same UKI removed. Add-on directories (`.efi.extra.d/`) are left alone.
 */
export function planAddUki(inputs: AddUkiInputs): Plan & { entry: string } {
  assertSafeComponent("entry token", inputs.entryToken);
  assertSafeComponent("kernel version", inputs.kernelVersion);
  const stem = `${inputs.entryToken}-${inputs.kernelVersion}.efi`;
  const entry = inputs.tries === undefined ? stem : withTries(stem, inputs.tries);
  assertNameLength("UKI file name", entry);
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
  /** Whether `$BOOT/<token>/<version>/` exists. An empty one is what a remove stopped just
   * before its last step (the rmdir) leaves: the next remove takes it away instead of failing. */
  kernelDirectory?: boolean;
}

export function planRemoveEntry(inputs: RemoveEntryInputs): Plan {
  assertSafeComponent("entry token", inputs.entryToken);
  assertSafeComponent("kernel version", inputs.kernelVersion);
  const root = inputs.bootRoot;
  const dir = `${inputs.entryToken}/${inputs.kernelVersion}`;
  const entries = namesOfEntry(inputs.entryToken, inputs.kernelVersion, inputs.existingEntries);
  const ukis = namesOfEntry(inputs.entryToken, inputs.kernelVersion, inputs.existingUkis ?? [], ".efi");
  const removeDirectory = inputs.kernelFiles.length > 0 || inputs.kernelDirectory === true;
  if (entries.length === 0 && ukis.length === 0 && !removeDirectory) {
    throw new BootctlError("E_NOT_FOUND", `no entry or files for ${inputs.entryToken}-${inputs.kernelVersion}`);
  }
  return {
    effects: [
      ...entries.map((name): Effect => ({ kind: "remove", root, path: `loader/entries/${name}` })),
      ...ukis.map((name): Effect => ({ kind: "remove", root, path: `EFI/Linux/${name}` })),
      ...inputs.kernelFiles.map((name): Effect => ({ kind: "remove", root, path: `${dir}/${name}` })),
      ...(removeDirectory ? [{ kind: "rmdir", root, path: dir } as Effect] : []),
    ],
    notes: [],
  };
}
