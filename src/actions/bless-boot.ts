/**
 * `blessBoot`: the boot-success service's core, one set of verbs over both loaders.
 * - systemd-boot (LoaderBootCountPath is set): look at the three names in each partition root and
 *   rename, with systemd-bless-boot's semantics (ops/bless-boot.ts).
 * - GRUB (no LoaderBootCountPath, and the grubenv GRUB reads holds bootctl-ts or greenboot
 *   counting state): edit the grubenv (ops/grub-counting.ts).
 * Node built-ins only: the early-boot service imports this.
 */
import { lstat } from "node:fs/promises";
import * as path from "node:path";
import { BootctlError, FileError, ParseError, describeErrno, errnoOf } from "../errors.ts";
import { readEfiString } from "../adapters/efivarfs.ts";
import { applyPlan, type ApplyOptions } from "../adapters/apply-plan.ts";
import { withBootLocks } from "../adapters/boot-lock.ts";
import { partitionRoots } from "../adapters/partition-roots.ts";
import { confine, refuseSymlinks } from "../adapters/root-path.ts";
import { targetEfivarsPath } from "../adapters/target-efivars.ts";
import { LOADER_VENDOR_GUID } from "../formats/efi/guids.ts";
import { editGrubenvFile, locateGrubenv, readGrubenvFile } from "../adapters/grubenv-file.ts";
import { loadEnvView, serializeGrubenv } from "../formats/grubenv.ts";
import type { Effect } from "../ops/plan.ts";
import { parseBootCountPath, type BootCountPath } from "../model/boot-count-path.ts";
import { grubBlessStatus, planGrubBless, readCountingState, type GrubCountingState } from "../ops/grub-counting.ts";
import { blessStatus, planBless, type BlessPlan, type BlessState, type BlessVerb, type NameFacts } from "../ops/bless-boot.ts";

export interface BlessOptions extends ApplyOptions {
  /** File system root (`--root`), default `/`. */
  root?: string;
  /** Partition roots inside `root` (ESP, XBOOTLDR); default: the conventional mount points. */
  partitions?: readonly (string | undefined)[];
  /** efivarfs directory (absolute; not re-rooted). Under a root other than `/` it is read only
   * when explicit (adapters/target-efivars.ts). */
  efivarsPath: string;
  /** Whether `efivarsPath` was given by the user (default true: a library caller that passes a
   * directory means it; the CLI and the service say whether the option was given). */
  efivarsPathExplicit?: boolean;
  dryRun?: boolean;
}

export interface BlessStatusResult {
  state: BlessState;
  /** Which loader's counting the state comes from ("none" when there is none). */
  loader: "systemd-boot" | "grub" | "none";
  /** The booted entry's counted path, if booted with counting. */
  path?: string;
  left?: number;
  done?: number;
  partitions: string[];
  /** GRUB: the grubenv and its counting variables. */
  grubenv?: string;
  grub?: GrubCountingState;
}

export async function readBootCountPath(efivarsPath: string): Promise<BootCountPath | undefined> {
  const value = await readEfiString(efivarsPath, "LoaderBootCountPath", LOADER_VENDOR_GUID);
  return value === undefined ? undefined : parseBootCountPath(value);
}

/** LoaderBootCountPath of the target: none when its variables are not read (an image). */
function targetBootCountPath(options: BlessOptions): Promise<BootCountPath | undefined> {
  const efivars = targetEfivarsPath(options);
  return efivars === undefined ? Promise.resolve(undefined) : readBootCountPath(efivars);
}

/**
 * Whether the partition has `relative` (a name derived from LoaderBootCountPath). Symbolic links
 * below the partition are refused; any other failure to look (EACCES, ELOOP, ENAMETOOLONG, EIO)
 * is a FileError naming the path, never a raw system error.
 */
async function exists(partition: string, relative: string): Promise<boolean> {
  const absolute = confine(partition, relative.replace(/^\/+/, ""));
  try {
    await refuseSymlinks(partition, absolute);
    const st = await lstat(absolute);
    if (st.isDirectory()) throw new BootctlError("E_BOOT_COUNT_PATH", `${absolute} is a directory, not a boot entry file`);
    return true;
  } catch (err) {
    if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") return false;
    if (err instanceof BootctlError) throw err;
    throw new FileError("E_READ", `cannot look up ${absolute}: ${describeErrno(errnoOf(err))}`, absolute, err);
  }
}

async function gatherFacts(partitions: readonly string[], counted: BootCountPath): Promise<NameFacts[]> {
  const facts: NameFacts[] = [];
  for (const root of partitions) {
    facts.push({ root, path: await exists(root, counted.path), good: await exists(root, counted.good), bad: await exists(root, counted.bad) });
  }
  return facts;
}

function toNumber(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** The grubenv GRUB reads, when it holds bootctl-ts or greenboot counting state. */
async function grubCounting(options: BlessOptions): Promise<{ file: string; state: GrubCountingState } | undefined> {
  const root = options.root ?? "/";
  const location = await locateGrubenv(root, undefined, { espPath: options.partitions?.[0] });
  if (!location.exists) return undefined;
  // A block GRUB cannot read (grub-core/lib/envblk.c: no signature, bad size) holds no counting
  // state for it either; any other failure to read it is thrown.
  const loaded = await readGrubenvFile(location.path).catch((err: unknown) => {
    if (err instanceof ParseError) return undefined;
    throw err;
  });
  if (!loaded) return undefined;
  const state = readCountingState(loaded.block);
  const counting = state.trial !== undefined || state.mark !== undefined || state.greenboot?.bootCounter !== undefined;
  return counting ? { file: location.path, state } : undefined;
}

export async function blessStatusOf(options: BlessOptions): Promise<BlessStatusResult> {
  const counted = await targetBootCountPath(options);
  const partitions = await partitionRoots(options.root ?? "/", options.partitions ?? []);
  if (!counted) {
    const grub = await grubCounting(options);
    if (grub) return { state: grubBlessStatus(grub.state), loader: "grub", partitions, grubenv: grub.file, grub: grub.state };
    return { state: "clean", loader: "none", partitions };
  }
  const state = blessStatus(counted, await gatherFacts(partitions, counted));
  return { state, loader: "systemd-boot", path: counted.path, left: toNumber(counted.left), done: toNumber(counted.done), partitions };
}

/** Mark the current boot. Returns the plan, applied unless `dryRun`. */
export async function blessBoot(verb: BlessVerb, options: BlessOptions): Promise<BlessPlan> {
  const counted = await targetBootCountPath(options);
  if (!counted) {
    const grub = await grubCounting(options);
    if (grub) return blessGrub(verb, grub.file, options);
    throw new BootctlError("E_NOT_COUNTING", "not booted with boot counting in effect (no LoaderBootCountPath, no GRUB counting state)");
  }
  const partitions = await partitionRoots(options.root ?? "/", options.partitions ?? []);
  const decide = async () => planBless(counted, verb, await gatherFacts(partitions, counted));
  if (options.dryRun) return decide();
  return withBootLocks(partitions, async () => {
    const plan = await decide();
    await applyPlan(plan, options.seam ? { seam: options.seam } : {});
    return plan;
  });
}

/**
 * GRUB: the same verbs on the grubenv (read, plan and write under the directory's lock). The plan
 * carries the write as its effect and each variable it changes as a note, so `--dry-run` says
 * what would change as it does on systemd-boot (where the effect is the rename).
 */
async function blessGrub(verb: BlessVerb, file: string, options: BlessOptions): Promise<BlessPlan> {
  const root = options.root ?? "/";
  let outcome: "grubenv" | "already" = "already";
  let notes: string[] = [];
  const result = await editGrubenvFile(root, file, (block) => {
    const plan = planGrubBless(block, verb);
    outcome = plan.outcome === "changed" ? "grubenv" : "already";
    notes = [...plan.notes, ...(plan.outcome === "changed" ? [`grubenv ${file}: ${verb === "good" ? "trial ended, entry is the default" : "no tries left, the next boot falls back"}`] : [])];
    return plan.after;
  }, { dryRun: options.dryRun === true, ...(options.seam ? { seam: options.seam } : {}) });
  if (outcome === "already") return { verb, outcome, effects: [], done: 0n, notes };
  const before = result.before ? loadEnvView(result.before) : new Map<string, string>();
  const after = loadEnvView(result.after);
  const changes: string[] = [];
  for (const [name, value] of after) if (before.get(name) !== value) changes.push(before.has(name) ? `${name}=${value} (was ${before.get(name)})` : `${name}=${value} (new)`);
  for (const name of before.keys()) if (!after.has(name)) changes.push(`${name} unset (was ${before.get(name)})`);
  const write: Effect = { kind: "write-file", root, path: path.relative(path.resolve(root), file), content: serializeGrubenv(result.after) };
  return { verb, outcome, effects: [write], done: 0n, notes: [...notes, ...changes.map((c) => `grubenv: ${c}`)] };
}
