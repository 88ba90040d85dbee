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
 * Codes (besides those named where they are thrown):
 * - `E_NO_SUCH_ENTRY`: set-default/set-oneshot named an id that matches no entry of the menu
 *   (actions/select-entry.ts); `--force` writes it anyway.
 * - `E_FILE_TOO_LARGE`: a file read whole is over its size cap (adapters/bounded-read.ts).
 */

export class BootctlError extends Error {
  readonly code: string;
  /** Exit status the CLI uses for this error (1 = operation failed, 2 = usage). */
  readonly exitCode: number;

  constructor(code: string, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options?.exitCode ?? 1;
  }
}

/** The command line is malformed (unknown option, missing argument, bad value). Exit status 2. */
export class UsageError extends BootctlError {
  constructor(message: string, code = "E_USAGE") {
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

  constructor(code: string, reason: string, position: SourcePosition) {
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

  constructor(code: string, message: string, path: string, cause?: unknown) {
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
