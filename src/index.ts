/**
 * The bootctl-ts library API. Everything the CLI does is available here as typed functions
 * over roots, returning data; the CLI (src/cli) is a thin layer over it.
 */
export { BootctlError, UsageError, ParseError, FileError, type ErrorCode } from "./errors.ts";

// Version comparison (UAPI Version Format, systemd's strverscmp_improved).
export { compareVersions, testVersions, type VersionOrder, type VersionOperator } from "./model/version.ts";

// The crash-safe file layer and root confinement.
export {
  atomicReplace, renameNoReplace, renameReplace, copyFileDurable, removeDurable, mkdirDurable, rmdirDurable,
  symlinkDurable, SimulatedCrash, WRITE_STEPS, type WriteStep, type StepSeam, type WriteOptions,
} from "./adapters/durable-fs.ts";
export { confine, inRoot, PathEscapeError, SymlinkRefusedError } from "./adapters/root-path.ts";
export { withBootLock, withBootLocks, LOCK_NAME } from "./adapters/boot-lock.ts";

// Plans.
export { describeEffect, effectToJson, type Effect, type Plan } from "./ops/plan.ts";
export { applyPlan, applyEffect } from "./adapters/apply-plan.ts";

// Boot assessment and deployment (systemd-boot).
export { parseBootCountPath, type BootCountPath } from "./model/boot-count-path.ts";
export { blessStatus, planBless, type BlessState, type BlessVerb, type BlessPlan } from "./ops/bless-boot.ts";
export { blessBoot, blessStatusOf, readBootCountPath, type BlessOptions, type BlessStatusResult } from "./actions/bless-boot.ts";
export { runHealthChecks, planHealthChecks, describeCheck, describePlan, describeSkipped, type HealthReport, type HealthPlan } from "./actions/health.ts";
export { handleBootFailure, type FailureOutcome } from "./actions/boot-failure.ts";
export { decideOnFailure, rebootDisabledByCmdline } from "./ops/boot-failure.ts";
export { installUnits } from "./actions/install-units.ts";
export { unitFiles } from "./install/units.ts";
export { installLayout } from "./install/layout.ts";
export { addEntry, removeEntry, planAdd, type AddEntryOptions, type RemoveEntryOptions } from "./actions/add-entry.ts";
export { planAddEntry, planRemoveEntry, entryText } from "./ops/add-entry.ts";
export { predict, type PredictOptions, type PredictResult } from "./actions/predict.ts";
export { readCountingState, grubBlessStatus, planGrubBless, planGrubTrial, MAX_GRUB_TRIES, type GrubCountingState, type TrialSpec } from "./ops/grub-counting.ts";
export { grubCountingScript, grubCountingGenerator } from "./ops/grub-counting-script.ts";
export { unlinkEntry, cleanupBootFiles } from "./actions/unlink-entry.ts";
export { planUnlink, planCleanup, referencedFiles } from "./ops/unlink-entry.ts";
export { predictSystemdBoot, type Prediction, type PredictedAttempt, type FailurePlan } from "./ops/predict-systemd-boot.ts";

// EFI variables, boot manager variables, device paths.
export { decodeDevicePath, encodeDevicePath, encodeNode, decodeNode, walkDevicePath, withEnd, gptHardDriveNode, type DevicePathNode } from "./formats/efi/device-path.ts";
export { devicePathText, formatDevicePath } from "./formats/efi/device-path-text.ts";
export { decodeLoadOption, encodeLoadOption, splitLoadOption, LOAD_OPTION_ACTIVE, LOAD_OPTION_HIDDEN, type LoadOption } from "./formats/efi/load-option.ts";
export { bootOptionName, bootOptionNumber, decodeBootOrder, encodeBootOrder } from "./formats/efi/boot-manager.ts";
export { renderEfibootmgrListing } from "./formats/efi/efibootmgr-listing.ts";
export { decodeLoaderVariables, effectiveLoaderFeatures, hasLoaderFeature, LOADER_FEATURES, STUB_FEATURES, type LoaderVariables } from "./formats/efi/loader-variables.ts";
export { decodeUcs2z, encodeUcs2z, decodeUcs2List, encodeUcs2List } from "./formats/efi/ucs2.ts";
export { EFI_GLOBAL_VARIABLE, LOADER_VENDOR_GUID, guidToText, guidToBytes } from "./formats/efi/guids.ts";
export { readEfiVariable, readEfiString, listEfiVariables, writeEfiVariable, deleteEfiVariable, applyEfiPlan, requireEfivarsDir } from "./adapters/efivarfs.ts";
export { bootManagerState, type BootManagerState } from "./ops/efi-list.ts";
export { describeEfiEffect, type EfiEffect } from "./ops/efi-plan.ts";
export { planSetBootNext, planClearBootNext, planSetBootOrder, planDeleteBootOption, planSetBootOptionActive, planCreateBootOption } from "./ops/efi-boot-manager.ts";
export { buildGptLoadOption } from "./ops/efi-create.ts";
export { planSetDefault, planSetOneshot, planSetTimeout, planSetTimeoutOneshot } from "./ops/loader-variables.ts";

// OVMF variable stores (offline firmware NVRAM).
export { readVarStore, listVariables, getVariable, setVariable as setVarStoreVariable, deleteVariable as deleteVarStoreVariable, AUTHENTICATED_VARIABLE_GUID, VARIABLE_GUID, type VarStore, type VarRecord, type StoredVariable, type VariableInput } from "./formats/ovmf/varstore.ts";
export type { EfiVariable } from "./formats/efi/efivarfs-file.ts";
export { decodeFirmwareVolumeHeader, SYSTEM_NV_DATA_FV_GUID, type FirmwareVolumeHeader } from "./formats/ovmf/firmware-volume.ts";
export { VAR_ADDED, VAR_DELETED, VAR_IN_DELETED_TRANSITION, VAR_HEADER_VALID_ONLY, type AuthFields, type EfiTime, type RecordFormat, type RecordState } from "./formats/ovmf/variable-record.ts";

// PE/UKI and GPT.
export { readPeHeaders, readPeSections, PE_MACHINE, PE_SUBSYSTEM, type PeHeaders, type PeImage, type PeSection, type PeSectionHeader } from "./formats/pe/pe-sections.ts";
export { readUki, UKI_SECTION_SIZE_MAX, UNIFIED_PROFILES_MAX, type UkiImage, type UkiSections } from "./formats/pe/uki.ts";
export { readGpt, partitionsWithRole, GPT_TYPE_ESP, GPT_TYPE_XBOOTLDR, type GptTable, type GptHeader, type GptPartition, type GptRole } from "./formats/gpt/gpt.ts";

// GRUB environment block.
export {
  parseGrubenv, serializeGrubenv, createGrubenv, loadEnvView, listEntries, formatList, setVariable, unsetVariable,
  isValidVariableName, isBroken, freeBytes, GRUBENV_SIGNATURE, DEFAULT_GRUBENV_SIZE,
  type GrubenvBlock, type GrubenvLine, type GrubenvEntry,
} from "./formats/grubenv.ts";
export {
  locateGrubenv, readGrubenvFile, writeGrubenvFile, editGrubenvFile, createGrubenvFile, detectGrubenvFilesystem,
  type GrubenvLocation, type GrubenvEditResult, type GrubenvFilesystemFacts, type BlockLayer,
} from "./adapters/grubenv-file.ts";

// Boot Loader Specification entries.
export { extractTries, tryExtractTries, nextAttemptName, goodName, badName, withTries, counterState, CounterRangeError, TRIES_MAX, type BootCounter, type ExtractedTries } from "./model/boot-counter.ts";
export { entryTitle, isBadEntry, type BootEntry, type BootEntryType, type BootEntrySource } from "./model/boot-entry.ts";
export { bootEntryToJson } from "./model/boot-entry-json.ts";
export { compareBootEntries, sortBootEntries } from "./model/entry-order.ts";
export { uniquifyTitles } from "./model/show-title.ts";
export { selectDefault, selectSelected, findEntryByPattern, findEntryById, type SelectionInputs, type DefaultSelection, type DefaultReason } from "./model/select-default.ts";
export { fnmatchCasefold } from "./model/fnmatch.ts";
export { parseEntry, serializeEntry, interpretEntry, readEntryFields, setEntryValue, addEntryValue, removeEntryKey, mangleEntryPath, type EntryDocument, type EntryFields } from "./formats/bls/entry.ts";
export { parseLoaderConf, serializeLoaderConf, interpretLoaderConf, setLoaderConfValue, removeLoaderConfKey, type LoaderConf } from "./formats/bls/loader-conf.ts";
export { loadBootEntries, type LoadedBootConfig } from "./adapters/boot-entries.ts";
export { discoverBootPartitions, type DiscoveredPartitions } from "./adapters/esp-discovery.ts";

// The boot menu as bootctl list and status see it: partitions, entries, loader.conf, Loader* variables, default and selected.
export { loadMenu, type Menu, type MenuTarget, type WithoutPartitions } from "./actions/boot-menu.ts";

// Default and one-shot selection on either loader.
export { setDefault, setOneshot, setTimeout, detectLoader, type BootLoaderKind, type SelectionTarget, type SelectionResult } from "./actions/select-entry.ts";

// GRUB configuration: lossless grub.cfg parser, menu, edits, what GRUB boots, the renderer.
export { parse as parseGrubCfg, checkScript as checkGrubScript, hasCommands as grubScriptHasCommands } from "./formats/grubcfg/parser.ts";
export { stringify as stringifyGrubCfg } from "./formats/grubcfg/stringify.ts";
export { tokenize as tokenizeGrubCfg, type Token as GrubToken } from "./formats/grubcfg/lexer.ts";
export type { Script as GrubScript, StatementNode as GrubStatement, CommandNode as GrubCommand, WordNode as GrubWord } from "./formats/grubcfg/ast.ts";
export { readMenu as readGrubMenu, flattenMenu as flattenGrubMenu, parseMenuentryArgs, type MenuNode as GrubMenuNode, type StaticMenu as GrubStaticMenu } from "./formats/grubcfg/menu.ts";
export { setVariable as setGrubVariable, renameEntry as renameGrubEntry, removeEntry as removeGrubEntry, addEntry as addGrubEntry, findAssignments as findGrubAssignments, findEntry as findGrubEntry, type EntrySelector as GrubEntrySelector } from "./formats/grubcfg/edit.ts";
export { grubQuote, menuSpec as grubMenuSpec } from "./formats/grubcfg/quote.ts";
export { expandWord as expandGrubWord, literalValue as grubWordValue } from "./formats/grubcfg/word.ts";
export { renderGrubScript, renderEntry as renderGrubEntry, splitKernelOptions, type RenderOptions as GrubRenderOptions, type RenderableEntry as GrubRenderableEntry } from "./ops/grub-render.ts";
export { evaluateGrubScript, evalTest as evalGrubTest, type EvalOptions as GrubEvalOptions, type EvalResult as GrubEvalResult, type RuntimeEntry as GrubRuntimeEntry } from "./model/grub-eval.ts";
export { selectEntryIndex as selectGrubEntryIndex, menuentryEq as grubMenuentryEq } from "./model/grub-default.ts";
export { grubEntryId } from "./model/grub-entry-id.ts";
