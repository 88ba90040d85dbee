/**
 * The guest's journal, read from its disk after power-off (no console transfer): the machine's
 * root overlay flattened with `qemu-img convert` (about 1 s for the 2 GiB disk), /var/log/journal
 * copied out with `debugfs rdump` (btrfs roots: `btrfs restore`; no mount), and read with the host's own `journalctl --file`
 * (systemd 252 reads the journals of Debian 12's and 13's systemd).
 */
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { exec, execText } from "../exec.ts";
import { partitionOf, ROOT_OFFSET, ROOT_SIZE, type RootLayout } from "./image.ts";

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
  /** bootctl-ts's structured fields (BOOTCTL_TS_*, src/ops/journal.ts), when the entry has any. */
  fields?: Record<string, string>;
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
  for (const [name, value] of Object.entries(raw)) {
    if (name.startsWith("BOOTCTL_TS_")) (e.fields ??= {})[name] = text(value);
  }
  return e;
}

export interface GuestJournal {
  /** Every entry on the disk, in journal order, by boot. */
  boots: Map<string, JournalEntry[]>;
  /** Boot ids in the order they first appear. */
  order: string[];
}

/**
 * The subvolume of a btrfs root that holds `path` (the longest mount point above it; "/" is the
 * installed system's root subvolume, else the top level, id 5), and the path inside it.
 */
export function btrfsLocation(layout: RootLayout, path: string): { subvolId: number; mountPoint: string; inner: string } {
  let best = { subvolId: layout.subvolumes?.["/"] ?? 5, mountPoint: "/" };
  for (const [mountPoint, subvolId] of Object.entries(layout.subvolumes ?? {})) {
    if (mountPoint === "/") continue;
    if ((path === mountPoint || path.startsWith(`${mountPoint}/`)) && mountPoint.length > best.mountPoint.length) best = { subvolId, mountPoint };
  }
  const inner = best.mountPoint === "/" ? path : path.slice(best.mountPoint.length) || "/";
  return { ...best, inner };
}

/**
 * btrfs restore's --path-regex for a path and everything below it: every directory on the way
 * must match too (btrfs-restore(8): `^/(|home(|/username(|/Desktop(|/.*))))$`).
 */
export function restorePathRegex(inner: string): string {
  const parts = inner.split("/").filter(Boolean);
  const escape = (p: string): string => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  let tail = "(|/.*)";
  for (let i = parts.length - 1; i >= 0; i--) tail = `(|${i === 0 ? "" : "/"}${escape(parts[i]!)}${tail})`;
  return parts.length === 0 ? "^/.*$" : `^/${tail}$`;
}

/**
 * Flattens `disk` (qcow2 with its backing chain) into a scratch raw file and copies guest `paths`
 * out of it into `out` (out/<path>), without mounting anything: /boot and an ext4 root with
 * `debugfs rdump` (`partitionOf` says which partition holds a path); a btrfs root with `btrfs
 * restore` on the root partition alone (QEMU's raw driver with an offset cuts it out of the
 * disk), from the subvolume `layout` says is mounted there.
 */
export async function readGuestPaths(disk: string, paths: readonly string[], out: string, scratchDir: string, layout: RootLayout = { fs: "ext4" }): Promise<void> {
  const scratch = await mkdtemp(join(scratchDir, "readback-"));
  try {
    const raw = join(scratch, "disk.raw");
    let flattened = false;
    let rootPart: string | undefined;
    await mkdir(out, { recursive: true });
    for (const path of paths) {
      const { offset, inner } = partitionOf(path);
      const target = join(out, path);
      await mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
      if (offset === ROOT_OFFSET && layout.fs === "btrfs") {
        if (!rootPart) {
          rootPart = join(scratch, "root.raw");
          const format = (JSON.parse(await execText("qemu-img", ["info", "--output=json", disk])) as { format: string }).format;
          const spec = { driver: "raw", offset: ROOT_OFFSET, size: ROOT_SIZE, file: { driver: format, file: { driver: "file", filename: disk } } };
          await exec("qemu-img", ["convert", "-O", "raw", `json:${JSON.stringify(spec)}`, rootPart]);
        }
        const where = btrfsLocation(layout, path);
        const base = join(out, where.mountPoint);
        await mkdir(base, { recursive: true });
        await exec("btrfs", ["restore", "-r", String(where.subvolId), "--path-regex", restorePathRegex(where.inner), rootPart, base]);
        continue;
      }
      if (!flattened) {
        await exec("qemu-img", ["convert", "-O", "raw", disk, raw]);
        flattened = true;
      }
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
