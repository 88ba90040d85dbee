/**
 * `predict`: from the state on disk (entries, loader.conf) and in EFI variables (one-shot,
 * default, last booted), simulate systemd-boot attempt by attempt (ops/predict-systemd-boot.ts).
 * Variables are optional: an offline image without `--efivars-path` is simulated without them
 * (adapters/target-efivars.ts), and its loader is told from its files (`detectLoader`).
 */
import { DEFAULT_EFIVARS_DIR, readEfiString } from "../adapters/efivarfs.ts";
import { targetEfivarsPath } from "../adapters/target-efivars.ts";
import { loadBootEntries } from "../adapters/boot-entries.ts";
import { discoverBootPartitions } from "../adapters/esp-discovery.ts";
import { BootctlError } from "../errors.ts";
import { LOADER_VENDOR_GUID } from "../formats/efi/guids.ts";
import { noFallbackWarning, predictSystemdBoot, type FailurePlan, type Prediction } from "../ops/predict-systemd-boot.ts";
import { predictGrub, predictGrubScript } from "../ops/predict-grub.ts";
import { findGrubCfg, readGrubCfgAsGrubRuns } from "../adapters/grub-cfg-file.ts";
import { BOOT_DEVICE, collectGrubFiles, describeGrubPath } from "./grub-files.ts";
import type { EvalOptions } from "../model/grub-eval.ts";
import { locateGrubenv, readGrubenvFile } from "../adapters/grubenv-file.ts";
import { loadEnvView } from "../formats/grubenv.ts";
import { readCountingState } from "../ops/grub-counting.ts";
import { detectLoaderForEntries, type BootLoaderKind } from "./select-entry.ts";

export interface PredictOptions {
  root?: string;
  espPath?: string | undefined;
  bootPath?: string | undefined;
  /** efivarfs directory to read LoaderEntryOneShot/Default/LastBooted from, if any (under a
   * root other than `/`, only when explicit: adapters/target-efivars.ts). */
  efivarsPath?: string | undefined;
  efivarsPathExplicit?: boolean | undefined;
  failures: FailurePlan;
  maxAttempts?: number;
  /** Which loader to simulate; default: detected like set-default does. */
  loader?: BootLoaderKind | undefined;
}

export interface PredictResult extends Prediction {
  loader: BootLoaderKind;
  warnings: string[];
}

async function loaderVariable(dir: string | undefined, name: string): Promise<string | undefined> {
  if (dir === undefined) return undefined;
  const value = await readEfiString(dir, name, LOADER_VENDOR_GUID);
  return value === "" ? undefined : value;
}

/** The prediction with its no-fallback warning, when it has one (ops/predict-systemd-boot.ts). */
function withNoFallbackWarning(result: PredictResult): PredictResult {
  const warning = noFallbackWarning(result);
  return warning === undefined ? result : { ...result, warnings: [...result.warnings, warning] };
}

export async function predict(options: PredictOptions): Promise<PredictResult> {
  return withNoFallbackWarning(await predictEither(options));
}

async function predictEither(options: PredictOptions): Promise<PredictResult> {
  const efivars = targetEfivarsPath(options);
  const loader = options.loader ?? (await detectLoaderForEntries({ ...options, efivarsPath: efivars ?? DEFAULT_EFIVARS_DIR, efivarsPathExplicit: efivars !== undefined }));
  if (loader === "grub") return predictOnGrub(options);
  const found = discoverBootPartitions({ root: options.root ?? "/", espPath: options.espPath, bootPath: options.bootPath });
  if (!found.esp && !found.xbootldr) throw new BootctlError("E_NO_BOOT_PARTITION", "no ESP or XBOOTLDR partition found; give --esp-path or --boot-path");
  const config = await loadBootEntries({ esp: found.esp?.path, xbootldr: found.xbootldr?.path });
  const prediction = predictSystemdBoot({
    entries: config.entries,
    oneShot: await loaderVariable(efivars, "LoaderEntryOneShot"),
    defaultVariable: await loaderVariable(efivars, "LoaderEntryDefault"),
    lastBooted: await loaderVariable(efivars, "LoaderEntryLastBooted"),
    defaultPattern: config.loaderConf?.defaultPattern,
  }, options.failures, options.maxAttempts);
  return { loader: "systemd-boot", ...prediction, warnings: [...found.warnings, ...config.warnings] };
}

/**
 * GRUB: run the system's grub.cfg through the evaluator boot after boot when there is one;
 * otherwise simulate the counting contract from the grubenv alone (ops/predict-grub.ts).
 */
async function predictOnGrub(options: PredictOptions): Promise<PredictResult> {
  const root = options.root ?? "/";
  const location = await locateGrubenv(root, undefined, { espPath: options.espPath });
  const loaded = await readGrubenvFile(location.path);
  if (!loaded) throw new BootctlError("E_NOT_FOUND", `no grubenv at ${location.path}`);
  const env = loadEnvView(loaded.block);
  const cfg = await findGrubCfg(root);
  if (cfg !== undefined) {
    const { script, warnings } = await readGrubCfgAsGrubRuns(root, cfg);
    // As grub default: $prefix is (boot) + the grub.cfg's directory, files on (boot) read under the root.
    const dir = cfg.slice(0, cfg.lastIndexOf("/"));
    const evalOptions: EvalOptions = { variables: { prefix: `(${BOOT_DEVICE})${dir}`, root: BOOT_DEVICE }, describePath: describeGrubPath };
    const found = await collectGrubFiles(root, script, { ...evalOptions, grubenv: env });
    const prediction = predictGrubScript(script, env, options.failures, options.maxAttempts, { ...evalOptions, ...found });
    return { loader: "grub", ...prediction, warnings: [...warnings, ...prediction.warnings] };
  }
  const counting = readCountingState(loaded.block);
  const prediction = predictGrub({
    trial: counting.trial, tries: counting.tries, fallback: counting.fallback,
    savedEntry: env.get("saved_entry") || undefined, nextEntry: env.get("next_entry") || undefined,
    firstEntry: "0", bad: counting.bad, mark: counting.mark,
  }, options.failures, options.maxAttempts);
  return { loader: "grub", ...prediction, warnings: [`no grub.cfg under ${root}: simulated the bootctl-ts counting contract from the grubenv alone`] };
}
