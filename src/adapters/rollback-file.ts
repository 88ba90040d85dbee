/**
 * The rollback history file, /var/lib/bootctl-ts/rollbacks.json under a root (model/rollback.ts
 * says what it holds). Written only through durable-fs (a temp file, fsync, rename, fsync of the
 * directory), so a power cut leaves the old history or the new one, never a mix. A file that is
 * not a history (damaged by hand, another version) reads as none, and the next write replaces it.
 * Node built-ins only (the early-boot service uses it).
 */
import { atomicReplace, mkdirDurable, type WriteOptions } from "./durable-fs.ts";
import { readBounded } from "./bounded-read.ts";
import { inRoot, resolveSafe } from "./root-path.ts";
import { errnoOf } from "../errors.ts";
import { emptyHistory, parseHistory, serializeHistory, type RollbackHistory } from "../model/rollback.ts";

export const STATE_DIRECTORY = "/var/lib/bootctl-ts";
export const ROLLBACK_FILE = `${STATE_DIRECTORY}/rollbacks.json`;
/** 32 records of a few hundred bytes each; anything far larger is not ours. */
const HISTORY_MAX = 1024 * 1024;

/** The history under `root`; none yet (or unreadable as one) is the empty history. */
export async function readRollbackHistory(root: string): Promise<RollbackHistory> {
  let text: string;
  try {
    text = (await readBounded(await resolveSafe(root, inRoot(root, ROLLBACK_FILE)), HISTORY_MAX, "a rollback history")).toString("utf8");
  } catch (err) {
    if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") return emptyHistory();
    throw err;
  }
  return parseHistory(text) ?? emptyHistory();
}

export async function writeRollbackHistory(root: string, history: RollbackHistory, options: WriteOptions = {}): Promise<string> {
  await mkdirDurable(root, inRoot(root, STATE_DIRECTORY), options);
  return atomicReplace(root, inRoot(root, ROLLBACK_FILE), serializeHistory(history), options);
}
