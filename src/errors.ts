/**
 * Typed errors shared by every layer.
 *
 * Contract:
 * - Every failure that a user can cause (bad input, bad usage, a missing file, a refused write)
 *   is a `BootctlError` with a stable, machine-readable `code` (`E_…`). Codes are part of the
 *   public API: scripts may match on them; never rename one.
 * - `UsageError` means the command line itself is wrong: the CLI exits 2 for it, 1 for all others.
 * - `ParseError` carries the file (when known) and a 1-based line (and column when known), so the
 *   CLI can print `FILE:LINE: message` like compilers and systemd's `log_syntax()` do.
 * - Anything that is not a `BootctlError` is a bug: the CLI reports it as an internal error.
 *
 * Codes of the command line itself (src/cli/main.ts, src/cli/argv.ts): `E_USAGE` (exit 2: an
 * unknown verb or option, a missing or extra argument, a bad value), `E_GRUBENV_COMMAND` (exit 2:
 * `grubenv` with an unknown command), `E_ROOT_NOT_FOUND` and `E_ROOT_NOT_DIRECTORY` (exit 1: the
 * `--root` given is missing or not a directory).
 *
 * Other codes (besides those named where they are thrown):
 * - `E_NO_SUCH_ENTRY`: set-default/set-oneshot named an id that matches no entry of the menu
 *   (actions/select-entry.ts); `--force` writes it anyway.
 * - `E_FILE_TOO_LARGE`: a file read whole is over its size cap (adapters/bounded-read.ts).
 */

/**
 * Every code a `BootctlError` can carry, one per condition. A type only (nothing at run time, so
 * the early-boot service's bundle does not grow): `tsc` rejects a code that is not listed here
 * (test/errors.test.ts holds the `@ts-expect-error` that proves it). Add a code here with the
 * condition it names; never reuse one for another condition, never rename one.
 */
export type ErrorCode =
  // The command line.
  | "E_USAGE"
  // Files and paths (adapters/durable-fs.ts, root-path.ts and the readers built on them).
  | "E_READ" | "E_WRITE" | "E_RENAME" | "E_COPY" | "E_REMOVE" | "E_REMOVE_DIRECTORY" | "E_CREATE_DIRECTORY" | "E_CREATE_LINK"
  | "E_EXISTS" | "E_NOT_FOUND" | "E_NOT_DIRECTORY" | "E_NOT_REGULAR" | "E_NOT_SYMLINK"
  | "E_SYMLINK" | "E_LINK_LOOP" | "E_PATH_ESCAPE" | "E_LOCKED" | "E_FILE_TOO_LARGE"
  // The target: the --root itself, boot partitions, boot loader, Node for the units.
  | "E_ROOT_NOT_FOUND" | "E_ROOT_NOT_DIRECTORY" | "E_NO_BOOT_PARTITION" | "E_NO_BOOT_LOADER" | "E_AMBIGUOUS_BOOT_LOADER" | "E_NOT_SUPPORTED" | "E_NODE_NOT_FOUND"
  // Boot Loader Specification entries, names and boot counters.
  | "E_BLS_KEY" | "E_BLS_VALUE" | "E_BLS_ENTRY" | "E_BLS_ENTRY_REFUSED" | "E_NO_ENTRY_TOKEN" | "E_NO_SUCH_ENTRY"
  | "E_BAD_NAME" | "E_BAD_VALUE" | "E_BAD_TRIES" | "E_NAME_TOO_LONG"
  | "E_BOOT_COUNTER_NAME" | "E_BOOT_COUNTER_RANGE" | "E_BOOT_COUNT_PATH"
  // Boot assessment.
  | "E_NOT_COUNTING" | "E_ALREADY_BAD" | "E_BOOT_STATE_UNKNOWN"
  // Health checks: a check's drop-in file (formats/health/check-drop-in.ts), systemctl's answer
  // about check units (adapters/systemctl-show.ts).
  | "E_CHECK_DROP_IN" | "E_SYSTEMCTL"
  // Metrics (formats/prometheus-text.ts): a metric or label name the format cannot carry.
  | "E_METRIC_NAME"
  // Unified kernel images and PE files.
  | "E_UKI_INVALID" | "E_UKI_INITRD" | "E_UKI_NOT_A_UKI" | "E_UKI_NO_OSREL" | "E_UKI_SECTION_EMBEDDED_NUL" | "E_UKI_SECTION_SHORT" | "E_UKI_SECTION_TOO_LARGE"
  | "E_PE_NO_MZ" | "E_PE_NO_SIGNATURE" | "E_PE_OPTIONAL_HEADER" | "E_PE_OPTIONAL_MAGIC" | "E_PE_SECTION_OUT_OF_BOUNDS" | "E_PE_TRUNCATED"
  // GPT disks.
  | "E_GPT_NO_PROTECTIVE_MBR" | "E_GPT_NO_VALID_HEADER" | "E_GPT_SECTOR_SIZE" | "E_GPT_TRUNCATED" | "E_DISK_READ"
  // EFI variables and the UEFI boot manager.
  | "E_NOT_EFI" | "E_EFIVARS_DIR" | "E_EFIVAR_READ" | "E_EFIVAR_WRITE" | "E_EFIVAR_DELETE" | "E_EFIVAR_NAME" | "E_EFIVAR_SHORT" | "E_EFIVAR_SIZE"
  | "E_LOADER_VARIABLE" | "E_LOADER_FEATURE"
  | "E_EFI_BAD_LOADOPT" | "E_EFI_NO_BOOT_ENTRY" | "E_EFI_NO_FREE_NUMBER" | "E_EFI_NO_PARTITION"
  | "E_LOADOPT_SHORT" | "E_LOADOPT_DESCRIPTION" | "E_LOADOPT_PATH_LENGTH" | "E_DEVPATH_NODE_LENGTH" | "E_DEVPATH_NO_END" | "E_DEVPATH_TRUNCATED"
  // OVMF firmware images.
  | "E_OVMF_TRUNCATED"
  | "E_OVMF_FV_BLOCK_MAP" | "E_OVMF_FV_CHECKSUM" | "E_OVMF_FV_GUID" | "E_OVMF_FV_HEADER_LENGTH" | "E_OVMF_FV_LENGTH" | "E_OVMF_FV_REVISION" | "E_OVMF_FV_SIGNATURE"
  | "E_OVMF_STORE_FORMAT" | "E_OVMF_STORE_FULL" | "E_OVMF_STORE_RAW" | "E_OVMF_STORE_SIGNATURE" | "E_OVMF_STORE_SIZE" | "E_OVMF_STORE_STATE"
  | "E_OVMF_VAR_ATTRIBUTES" | "E_OVMF_VAR_AUTH" | "E_OVMF_VAR_BOUNDS" | "E_OVMF_VAR_EMPTY" | "E_OVMF_VAR_GUID" | "E_OVMF_VAR_NAME" | "E_OVMF_VAR_NOT_FOUND"
  // grubenv.
  | "E_GRUBENV_INVALID" | "E_GRUBENV_SIZE" | "E_GRUBENV_TOO_SMALL" | "E_GRUBENV_BAD_NAME" | "E_GRUBENV_BAD_VALUE"
  | "E_GRUBENV_PATH" | "E_GRUBENV_AMBIGUOUS" | "E_GRUBENV_COMMAND" | "E_GRUBENV_PARAMETER"
  // grub.cfg: syntax, evaluation, edits, rendering.
  | "E_GRUB_SYNTAX" | "E_GRUB_NO_COMMANDS" | "E_GRUB_CONTROL_CHARACTER" | "E_GRUB_EVAL_LIMIT"
  | "E_GRUB_EDIT_AMBIGUOUS" | "E_GRUB_EDIT_ENTRY" | "E_GRUB_EDIT_INVALID" | "E_GRUB_EDIT_NAME" | "E_GRUB_EDIT_NOT_FOUND" | "E_GRUB_ENTRY_NOT_FOUND"
  | "E_GRUB_RENDER_INVALID" | "E_GRUB_RENDER_NO_KERNEL";

export class BootctlError extends Error {
  readonly code: ErrorCode;
  /** Exit status the CLI uses for this error (1 = operation failed, 2 = usage). */
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options?.exitCode ?? 1;
  }
}

/** The command line is malformed (unknown option, missing argument, bad value). Exit status 2. */
export class UsageError extends BootctlError {
  constructor(message: string, code: ErrorCode = "E_USAGE") {
    super(code, message, { exitCode: 2 });
  }
}

export interface SourcePosition {
  /** Path of the file, as given by the caller (never resolved further), if known. */
  file?: string;
  /** 1-based line number. */
  line: number;
  /** 1-based column number, if known. */
  column?: number;
}

/** Input text or bytes do not follow the format. */
export class ParseError extends BootctlError {
  readonly file: string | undefined;
  readonly line: number;
  readonly column: number | undefined;
  /** The message without the position prefix. */
  readonly reason: string;

  constructor(code: ErrorCode, reason: string, position: SourcePosition) {
    super(code, formatPosition(position) + reason);
    this.reason = reason;
    this.file = position.file;
    this.line = position.line;
    this.column = position.column;
  }

  /** The same error, attributed to `file` (codecs are pure and do not know file names). */
  inFile(file: string): ParseError {
    const position: SourcePosition = { file, line: this.line };
    if (this.column !== undefined) position.column = this.column;
    return new ParseError(this.code, this.reason, position);
  }
}

function formatPosition(p: SourcePosition): string {
  const parts: string[] = [];
  if (p.file !== undefined) parts.push(p.file);
  parts.push(String(p.line));
  if (p.column !== undefined) parts.push(String(p.column));
  return parts.join(":") + ": ";
}

/** A file-system operation failed; `errno` is Node's code (`ENOENT`, `ENOSPC`, …). */
export class FileError extends BootctlError {
  readonly path: string;
  readonly errno: string | undefined;

  constructor(code: ErrorCode, message: string, path: string, cause?: unknown) {
    super(code, message, { cause });
    this.path = path;
    this.errno = errnoOf(cause);
  }
}

/** Node's `err.code` for system errors, or undefined. */
export function errnoOf(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** The errno name of a system error, or of the system error a FileError wraps. */
function errnoName(err: unknown): string | undefined {
  if (err instanceof FileError) return err.errno;
  return err instanceof BootctlError ? undefined : errnoOf(err); // a BootctlError's code is no errno
}

/** Whether `err` is a system error with one of these errno names (`ENOENT`, …). */
export function hasErrno(err: unknown, ...errnos: readonly string[]): boolean {
  const errno = errnoName(err);
  return errno !== undefined && errnos.includes(errno);
}

/**
 * For `.catch()`: `value` when the error is a system error with one of `errnos`, else the error
 * is thrown on. The only way bootctl-ts turns a failure into a value: it names the condition.
 */
export function whenErrno<T>(value: T, ...errnos: readonly string[]): (err: unknown) => T {
  return (err) => {
    if (hasErrno(err, ...errnos)) return value;
    throw err;
  };
}

/**
 * Cleanup while `primary` is on its way up (a temp file removed, a handle closed, an effect
 * undone): a failure of the cleanup never hides or replaces the error that caused it; it is
 * recorded on the primary error as `suppressed` (an array) instead.
 */
export async function cleanUpAfter(primary: unknown, cleanup: () => Promise<unknown>): Promise<void> {
  try {
    await cleanup();
  } catch (err) {
    if (typeof primary === "object" && primary !== null) {
      const holder = primary as { suppressed?: unknown[] };
      (holder.suppressed ??= []).push(err);
    }
  }
}

/** Human text for the errno values users meet on a boot partition. */
export function describeErrno(errno: string | undefined): string {
  switch (errno) {
    case "ENOENT": return "no such file or directory";
    case "EEXIST": return "file exists";
    case "EACCES": return "permission denied";
    case "EPERM": return "operation not permitted";
    case "EROFS": return "read-only file system";
    case "ENOSPC": return "no space left on device";
    case "EIO": return "input/output error";
    case "EXDEV": return "cross-device link";
    case "ENOTDIR": return "not a directory";
    case "EISDIR": return "is a directory";
    case "EINVAL": return "invalid argument";
    case "ELOOP": return "too many levels of symbolic links";
    case "ENAMETOOLONG": return "file name too long";
    default: return errno ?? "unknown error";
  }
}
