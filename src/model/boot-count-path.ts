/**
 * `LoaderBootCountPath` and the three names of a counted boot entry, exactly as
 * systemd-bless-boot derives them (src/bless-boot/bless-boot.c, `acquire_path()` and
 * `parse_counter()`, src/bless-boot/bless-boot.c):
 *
 * - The variable holds the path of the booted entry file relative to its partition, with `\`
 *   separators (`\loader\entries\foo+2-1.conf`). It must be absolute and normalised, and its last
 *   component must contain `+`.
 * - Split at the last `+` of the last component: LEFT is ≥1 decimal digit; an optional `-` is
 *   followed by DONE, ≥1 digit (absent means 0); the rest, verbatim, is the suffix.
 * - good name = prefix + suffix; bad name = prefix + `+0` + suffix when DONE is 0, else
 *   prefix + `+0-DONE` + suffix (decimal, no padding).
 */
import { BootctlError } from "../errors.ts";

export interface BootCountPath {
  /** The booted file, `/`-separated, relative to the partition root, e.g. `/loader/entries/a+2-1.conf`. */
  path: string;
  /** The name the file gets when the boot is good (counter removed). */
  good: string;
  /** The name the file gets when the boot is bad (`+0` or `+0-DONE`). */
  bad: string;
  left: bigint;
  done: bigint;
}

const UINT64_MAX = (1n << 64n) - 1n;

export class BootCountPathError extends BootctlError {
  constructor(reason: string) {
    super("E_BOOT_COUNT_PATH", `invalid LoaderBootCountPath: ${reason}`);
  }
}

/** NAME_MAX and PATH_MAX (linux/limits.h), in bytes; PATH_MAX counts the terminating NUL. */
const NAME_MAX = 255;
const PATH_MAX = 4096;

/**
 * systemd's `path_is_normalized()` (src/basic/path-util.c) on an absolute path: no empty, `.` or
 * `..` component, no trailing slash, every component at most NAME_MAX bytes
 * (`path_find_first_component()` returns -EINVAL beyond) and the whole path shorter than
 * PATH_MAX bytes (`path_is_valid_full()`). Lengths are of the UTF-8 text systemd converts the
 * variable to.
 */
function isNormalisedAbsolute(p: string): boolean {
  if (!p.startsWith("/")) return false;
  if (p.length > 1 && p.endsWith("/")) return false;
  if (Buffer.byteLength(p, "utf8") >= PATH_MAX) return false;
  return p.split("/").slice(1).every((part) => part !== "" && part !== "." && part !== ".." && Buffer.byteLength(part, "utf8") <= NAME_MAX);
}

/** Parse the variable's value (already decoded from UTF-16). Throws BootCountPathError. */
export function parseBootCountPath(value: string): BootCountPath {
  const path = value.replace(/\\/g, "/");
  if (!isNormalisedAbsolute(path)) throw new BootCountPathError(`'${value}' is not a normalised absolute path`);
  const slash = path.lastIndexOf("/");
  const name = path.slice(slash + 1);
  const plus = name.lastIndexOf("+");
  if (plus < 0) throw new BootCountPathError(`'${value}' has no boot counter`);
  const prefix = path.slice(0, slash + 1) + name.slice(0, plus);
  let rest = name.slice(plus + 1);

  const leftDigits = /^[0-9]*/.exec(rest)![0];
  if (leftDigits === "") throw new BootCountPathError(`empty 'tries left' counter in '${value}'`);
  const left = BigInt(leftDigits);
  if (left > UINT64_MAX) throw new BootCountPathError(`'tries left' counter out of range in '${value}'`);
  rest = rest.slice(leftDigits.length);

  let done = 0n;
  if (rest.startsWith("-")) {
    const doneDigits = /^[0-9]*/.exec(rest.slice(1))![0];
    if (doneDigits === "") throw new BootCountPathError(`empty 'tries done' counter in '${value}'`);
    done = BigInt(doneDigits);
    if (done > UINT64_MAX) throw new BootCountPathError(`'tries done' counter out of range in '${value}'`);
    rest = rest.slice(1 + doneDigits.length);
  }
  const suffix = rest;
  return {
    path,
    good: prefix + suffix,
    bad: prefix + (done === 0n ? "+0" : `+0-${done}`) + suffix,
    left,
    done,
  };
}
