/**
 * `predict`: from the state on disk (entries, loader.conf) and in EFI variables (one-shot,
 * default, last booted), simulate systemd-boot attempt by attempt (ops/predict-systemd-boot.ts).
 * Variables are optional: an offline image without `--efivars-path` is simulated without them.
 */
import { readEfiString } from "../adapters/efivarfs.ts";
import { loadBootEntries } from "../adapters/boot-entries.ts";
import { discoverBootPartitions } from "../adapters/esp-discovery.ts";
import { BootctlError } from "../errors.ts";
import { LOADER_VENDOR_GUID } from "../formats/efi/guids.ts";
import { predictSystemdBoot, type FailurePlan, type Prediction } from "../ops/predict-systemd-boot.ts";

export interface PredictOptions {
  root?: string;
  espPath?: string | undefined;
  bootPath?: string | undefined;
  /** efivarfs directory to read LoaderEntryOneShot/Default/LastBooted from, if any. */
  efivarsPath?: string | undefined;
  failures: FailurePlan;
  maxAttempts?: number;
}

export interface PredictResult extends Prediction {
  loader: "systemd-boot";
  warnings: string[];
}

async function loaderVariable(dir: string | undefined, name: string): Promise<string | undefined> {
  if (dir === undefined) return undefined;
  const value = await readEfiString(dir, name, LOADER_VENDOR_GUID);
  return value === "" ? undefined : value;
}

export async function predict(options: PredictOptions): Promise<PredictResult> {
  const found = discoverBootPartitions({ root: options.root ?? "/", espPath: options.espPath, bootPath: options.bootPath });
  if (!found.esp && !found.xbootldr) throw new BootctlError("E_NO_BOOT_PARTITION", "no ESP or XBOOTLDR partition found; give --esp-path or --boot-path");
  const config = await loadBootEntries({ esp: found.esp?.path, xbootldr: found.xbootldr?.path });
  const prediction = predictSystemdBoot({
    entries: config.entries,
    oneShot: await loaderVariable(options.efivarsPath, "LoaderEntryOneShot"),
    defaultVariable: await loaderVariable(options.efivarsPath, "LoaderEntryDefault"),
    lastBooted: await loaderVariable(options.efivarsPath, "LoaderEntryLastBooted"),
    defaultPattern: config.loaderConf?.defaultPattern,
  }, options.failures, options.maxAttempts);
  return { loader: "systemd-boot", ...prediction, warnings: [...found.warnings, ...config.warnings] };
}
