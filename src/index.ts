/**
 * The bootctl-ts library API. Everything the CLI does is available here as typed functions
 * over roots, returning data; the CLI (src/cli) is a thin layer over it.
 */
export { BootctlError, UsageError, ParseError, FileError } from "./errors.ts";
export { compareVersions, testVersions, type VersionOrder, type VersionOperator } from "./model/version.ts";
export {
  atomicReplace, renameNoReplace, writeInPlace, copyFileDurable, removeDurable, mkdirDurable,
  SimulatedCrash, WRITE_STEPS, type WriteStep, type StepSeam, type WriteOptions,
} from "./adapters/durable-fs.ts";
export { confine, inRoot, PathEscapeError, SymlinkRefusedError } from "./adapters/root-path.ts";
