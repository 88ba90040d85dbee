#!/usr/bin/env node
/** Entry point of the bundled `bootctl-ts` binary (dist/cli-main.cjs, started by dist/cli.cjs). */
import { describeErrno } from "../errors.ts";
import { runCli } from "./main.ts";
import { tuneV8ForShortRun } from "./v8-tiering.ts";

/**
 * Output that cannot be written: a closed pipe (`bootctl-ts list | head -1`) is not worth a
 * message; anything else (ENOSPC on `> /dev/full`, a reset socket) is one line and exit 1.
 */
function outputFailed(err: NodeJS.ErrnoException): never {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  try {
    process.stderr.write(`bootctl-ts: cannot write output: ${describeErrno(err.code)}\n`);
  } catch {
    // stderr is gone too: the exit status is all that is left.
  }
  process.exit(1);
}

process.stdout.on("error", outputFailed);

/** Calls `done` once everything written to `stream` so far is out (at once if nothing waits). */
function whenFlushed(stream: NodeJS.WriteStream, done: () => void): void {
  if (stream.writableLength === 0) done();
  else stream.write("", (err) => (err ? outputFailed(err) : done()));
}

// Exit as soon as the command is done and its output is out. Letting the event loop run dry
// instead also waits for V8's background work (optimizing compiles of the hot functions), which
// took 10–40 ms after the last write of a 2,000-entry `list` (strace). Every command awaits all
// of its own work before runCli resolves, so nothing is cut short. A write that failed already
// (stdout.errored) decides the status, not the command.
runCli(process.argv.slice(2), process, { beforeCommand: tuneV8ForShortRun }).then((status) => {
  process.exitCode = status;
  whenFlushed(process.stdout, () =>
    whenFlushed(process.stderr, () => {
      const failed = process.stdout.errored as NodeJS.ErrnoException | null;
      if (failed) outputFailed(failed);
      process.exit(status);
    }));
});
