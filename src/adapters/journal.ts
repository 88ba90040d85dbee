/**
 * Structured journal messages through `logger --journald` (util-linux): Node has no AF_UNIX
 * datagram sockets, which journald's native protocol (/run/systemd/journal/socket,
 * systemd's docs/JOURNAL_NATIVE_PROTOCOL.md) needs, and logger is in util-linux, which every
 * Debian system has (Essential). logger reads FIELD=value lines from stdin and sends them as one
 * entry; it exits non-zero when journald cannot be reached. Node built-ins only; child_process is
 * loaded only when a message is sent.
 */
import { builtinModule } from "../builtin-modules.ts";

/** Send one entry (ops/journal.ts journalEntry()); true when logger took it; false when it could not be run or failed. */
export function sendJournalEntry(entry: string, logger = "logger"): boolean {
  try {
    const { spawnSync } = builtinModule("node:child_process");
    const r = spawnSync(logger, ["--journald"], { input: entry, stdio: ["pipe", "ignore", "ignore"], timeout: 5000 });
    return r.status === 0;
  } catch (err) {
    // spawnSync reports a missing logger in r.error; what is thrown (e.g. an input too large for
    // the pipe) means the same: the entry did not reach the journal, the caller writes the line.
    if (err instanceof Error) return false;
    throw err;
  }
}
