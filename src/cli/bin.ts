#!/usr/bin/env node
/** Entry point of the bundled `bootctl-ts` binary (dist/cli.cjs). */
import { runCli } from "./main.ts";

// A closed pipe (`bootctl-ts list | head -1`) is not an error worth a message.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

runCli(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
