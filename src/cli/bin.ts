#!/usr/bin/env node
/** Entry point of the bundled `bootctl-ts` binary (dist/cli-main.cjs, started by dist/cli.cjs). */
import { describeErrno } from "../errors.ts";
import { runCli } from "./main.ts";
import { FdWriter } from "./stdio.ts";
import { tuneV8ForShortRun } from "./v8-tiering.ts";

const stdout = new FdWriter(1);
const stderr = new FdWriter(2);

/**
 * Output that could not be written: a closed pipe (`bootctl-ts list | head -1`) is not worth a
 * message and keeps the command's status; anything else (ENOSPC on `> /dev/full`, a reset
 * socket) is one line and exit 1.
 */
function exitAfterOutputFailure(errno: string, status: number): never {
  if (errno === "EPIPE") process.exit(status);
  stderr.write(`bootctl-ts: cannot write output: ${describeErrno(errno)}\n`);
  process.exit(1);
}

/** The status set so far (0 while the command still runs). */
function statusSoFar(): number {
  return typeof process.exitCode === "number" ? process.exitCode : 0;
}

// Help text is printed by cac through console.log, i.e. `process.stdout`. That stream gets the
// same policy for its errors when (and only if) something creates it: commands never do.
let consoleStdout: NodeJS.WriteStream | undefined;
const createProcessStdout = Object.getOwnPropertyDescriptor(process, "stdout")?.get;
if (createProcessStdout) {
  Object.defineProperty(process, "stdout", {
    configurable: true,
    enumerable: true,
    get(): NodeJS.WriteStream {
      if (consoleStdout === undefined) {
        consoleStdout = createProcessStdout.call(process) as NodeJS.WriteStream;
        consoleStdout.on("error", (err: NodeJS.ErrnoException) => exitAfterOutputFailure(err.code ?? "EIO", statusSoFar()));
      }
      return consoleStdout;
    },
  });
}

/** Calls `done` once everything written to `stream` so far is out (at once if nothing waits). */
function whenFlushed(stream: NodeJS.WriteStream | undefined, done: () => void): void {
  if (stream === undefined || stream.writableLength === 0) done();
  else stream.write("", (err) => (err ? exitAfterOutputFailure((err as NodeJS.ErrnoException).code ?? "EIO", statusSoFar()) : done()));
}

// Exit as soon as the command is done and its output is out. Letting the event loop run dry
// instead also waits for V8's background work (optimizing compiles of the hot functions), which
// took 10–40 ms after the last write of a 2,000-entry `list` (strace). Every command awaits all
// of its own work before runCli resolves, so nothing is cut short. A write that failed decides
// the status, not the command.
runCli(process.argv.slice(2), { stdout, stderr }, { beforeCommand: tuneV8ForShortRun }).then((status) => {
  process.exitCode = status;
  whenFlushed(consoleStdout, () => {
    const failed = stdout.failure ?? (consoleStdout?.errored as NodeJS.ErrnoException | null | undefined)?.code;
    if (failed !== undefined) exitAfterOutputFailure(failed, status);
    process.exit(status);
  });
});
