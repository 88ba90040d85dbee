#!/usr/bin/env node
/** Entry point of the bundled `bootctl-ts` binary (dist/cli-main.cjs, started by dist/cli.cjs). */
import { runCli } from "./main.ts";

// A closed pipe (`bootctl-ts list | head -1`) is not an error worth a message.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

/** Calls `done` once everything written to `stream` so far is out (at once if nothing waits). */
function whenFlushed(stream: NodeJS.WriteStream, done: () => void): void {
  if (stream.writableLength === 0) done();
  else stream.write("", () => done());
}

// Exit as soon as the command is done and its output is out. Letting the event loop run dry
// instead also waits for V8's background work (optimizing compiles of the hot functions), which
// took 10–40 ms after the last write of a 2,000-entry `list` (strace). Every command awaits all
// of its own work before runCli resolves, so nothing is cut short.
runCli(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
  whenFlushed(process.stdout, () => whenFlushed(process.stderr, () => process.exit(status)));
});
