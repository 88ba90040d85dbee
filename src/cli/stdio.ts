/**
 * The binary's stdout and stderr: each write goes to the file descriptor at once, whole
 * (write(2) until every byte is out), like the C tools we stand beside.
 *
 * Not `process.stdout`: creating it loads Node's stream, net and tty modules and builds a
 * stream for the descriptor's type, a few milliseconds of every command's start-up, for writes
 * that are synchronous anyway (Node writes files and, on Linux, pipes and terminals synchronously).
 *
 * A write that fails is not thrown into the command: the first error is kept (`failure`), later
 * output to that descriptor is dropped, and the command runs to its end (a verb that changes
 * files finishes its change). The binary then decides the exit status (src/cli/bin.ts).
 * A descriptor left non-blocking by whoever handed it to us (EAGAIN) is waited on and written
 * again.
 */
import { fstatSync, writeSync } from "node:fs";
import { errnoOf } from "../errors.ts";
import { builtinModule } from "../builtin-modules.ts";

/** Linux's memory character devices (devices.txt: 1 char = null, zero, full, random, …). */
const MEMORY_DEVICES_MAJOR = 1;

/** The major number of a Linux dev_t (glibc's gnu_dev_major: bits 8–19 and 32–43). */
function deviceMajor(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}

/** How long to wait before writing again to a descriptor that is not ready (EAGAIN). */
const RETRY_WAIT_MS = 1;

export class FdWriter {
  /** The first write error (an errno code: `EPIPE`, `ENOSPC`, …), if any. */
  failure: string | undefined;
  #isTTY: boolean | undefined;

  constructor(readonly fd: number) {}

  /**
   * Whether the descriptor is a terminal (asked once, when first wanted). A terminal is a
   * character device and never one of Linux's memory devices (major 1: /dev/null, /dev/zero,
   * /dev/full): a pipe, a file or /dev/null is known by one fstat, without loading Node's tty
   * module (and with it net and stream, about 3 ms).
   */
  get isTTY(): boolean {
    if (this.#isTTY === undefined) {
      let maybeTerminal = false;
      try {
        const st = fstatSync(this.fd);
        maybeTerminal = st.isCharacterDevice() && deviceMajor(st.rdev) !== MEMORY_DEVICES_MAJOR;
      } catch (err) {
        // A closed descriptor (EBADF) is no terminal.
        if (errnoOf(err) !== "EBADF") throw err;
      }
      this.#isTTY = maybeTerminal && builtinModule("node:tty").isatty(this.fd);
    }
    return this.#isTTY;
  }

  write(chunk: string): boolean {
    if (this.failure !== undefined) return false;
    if (chunk === "") return true;
    let rest: Buffer;
    try {
      // The common case: one write(2) takes it all, converted to UTF-8 by Node without a Buffer.
      const written = writeSync(this.fd, chunk);
      if (written === Buffer.byteLength(chunk, "utf8")) return true;
      rest = Buffer.from(chunk, "utf8").subarray(written);
    } catch (err) {
      if (!this.#retryable(err)) return false;
      rest = Buffer.from(chunk, "utf8");
    }
    while (rest.length > 0) {
      try {
        rest = rest.subarray(writeSync(this.fd, rest));
      } catch (err) {
        if (!this.#retryable(err)) return false;
      }
    }
    return true;
  }

  /** EAGAIN: wait, then write again. Anything else is the descriptor's failure. */
  #retryable(err: unknown): boolean {
    const errno = errnoOf(err) ?? "EIO";
    if (errno === "EAGAIN") {
      sleepSync(RETRY_WAIT_MS);
      return true;
    }
    this.failure = errno;
    return false;
  }
}

let sleeper: Int32Array | undefined;

function sleepSync(ms: number): void {
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, ms);
}
