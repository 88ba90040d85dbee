/**
 * The guest's journal, read from its disk after power-off (no console transfer): the machine's
 * root overlay flattened with `qemu-img convert` (about 1 s for the 2 GiB disk), /var/log/journal
 * copied out with `debugfs rdump` (no mount), and read with the host's own `journalctl --file`
 * (systemd 252 reads the journals of Debian 12's and 13's systemd).
 */
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { exec, execText } from "../exec.ts";
import { partitionOf } from "./image.ts";

export interface JournalEntry {
  /** Microseconds since the guest's boot. */
  monotonicUs: number;
  bootId: string;
  /** The program (SYSLOG_IDENTIFIER), e.g. systemd, node, btq-action. */
  identifier: string;
  message: string;
  /** The unit a systemd[1] message is about (UNIT=), or the unit that logged it (_SYSTEMD_UNIT). */
  unit?: string;
  aboutUnit?: string;
  /** systemd's job messages: JOB_TYPE (start, stop, …) and JOB_RESULT (done, failed, dependency, …). */
  jobType?: string;
  jobResult?: string;
  messageId?: string;
}

type Raw = Record<string, unknown>;

function text(v: unknown): string {
  if (typeof v === "string") return v;
  // journalctl -o json prints non-UTF-8 or binary fields as arrays of bytes.
  if (Array.isArray(v)) return Buffer.from(v as number[]).toString("utf8");
  return v === undefined || v === null ? "" : String(v);
}

function entryOf(raw: Raw): JournalEntry {
  const e: JournalEntry = {
    monotonicUs: Number(text(raw["__MONOTONIC_TIMESTAMP"])),
    bootId: text(raw["_BOOT_ID"]),
    identifier: text(raw["SYSLOG_IDENTIFIER"]) || text(raw["_COMM"]),
    message: text(raw["MESSAGE"]),
  };
  const unit = text(raw["_SYSTEMD_UNIT"]);
  if (unit) e.unit = unit;
  const about = text(raw["UNIT"]);
  if (about) e.aboutUnit = about;
  const jobType = text(raw["JOB_TYPE"]);
  if (jobType) e.jobType = jobType;
  const jobResult = text(raw["JOB_RESULT"]);
  if (jobResult) e.jobResult = jobResult;
  const id = text(raw["MESSAGE_ID"]);
  if (id) e.messageId = id;
  return e;
}

export interface GuestJournal {
  /** Every entry on the disk, in journal order, by boot. */
  boots: Map<string, JournalEntry[]>;
  /** Boot ids in the order they first appear. */
  order: string[];
}

/**
 * Flattens `disk` (qcow2 with its backing chain) into a scratch raw file and copies guest `paths`
 * out of its ext4 partitions (`partitionOf` says which holds a path) into `out` (out/<path>).
 */
export async function readGuestPaths(disk: string, paths: readonly string[], out: string, scratchDir: string): Promise<void> {
  const scratch = await mkdtemp(join(scratchDir, "readback-"));
  try {
    const raw = join(scratch, "disk.raw");
    await exec("qemu-img", ["convert", "-O", "raw", disk, raw]);
    await mkdir(out, { recursive: true });
    for (const path of paths) {
      const { offset, inner } = partitionOf(path);
      const target = join(out, path);
      await mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
      if (inner === "/") {
        // rdump of a file system's root: each top-level entry into out/<path>/.
        await mkdir(target, { recursive: true });
        const ls = await execText("debugfs", ["-R", "ls -p /", `${raw}?offset=${offset}`]);
        for (const line of ls.split("\n")) {
          const name = line.split("/")[5];
          if (!name || name === "." || name === ".." || name === "lost+found") continue;
          await exec("debugfs", ["-R", `rdump /${name} ${target}`, `${raw}?offset=${offset}`]);
        }
        continue;
      }
      // debugfs reports a missing path on stderr and still exits 0.
      await exec("debugfs", ["-R", `rdump ${inner} ${target.slice(0, target.lastIndexOf("/"))}`, `${raw}?offset=${offset}`]);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Reads every journal file under `dir` (a copy of /var/log/journal). */
export async function readJournalDir(dir: string): Promise<GuestJournal> {
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else if (e.name.endsWith(".journal") || e.name.endsWith(".journal~")) files.push(join(d, e.name));
    }
  };
  await walk(dir);
  const boots = new Map<string, JournalEntry[]>();
  const order: string[] = [];
  if (files.length === 0) return { boots, order };
  const out = await execText("journalctl", ["--no-pager", "-o", "json", ...files.map((f) => `--file=${f}`)]);
  for (const line of out.split("\n")) {
    if (!line.trim()) continue;
    const e = entryOf(JSON.parse(line) as Raw);
    let list = boots.get(e.bootId);
    if (!list) {
      list = [];
      boots.set(e.bootId, list);
      order.push(e.bootId);
    }
    list.push(e);
  }
  for (const list of boots.values()) list.sort((a, b) => a.monotonicUs - b.monotonicUs);
  return { boots, order };
}

/** One line per entry, like `journalctl -o short-monotonic` (for transcripts). */
export function formatEntry(e: JournalEntry): string {
  return `[${(e.monotonicUs / 1e6).toFixed(6).padStart(13)}] ${e.identifier}: ${e.message}`;
}
