/**
 * Reading the serial console. OVMF copies its ConOut to the serial port, so firmware, loader,
 * kernel and /init all arrive in one stream with ANSI escapes and CRs.
 * `SerialReader` splits it into clean lines, time-stamps them, and extracts:
 * - guest markers `BTQ:KEY=VALUE` (see guest-init.ts; GRUB scripts print the same form);
 * - firmware events: `BdsDxe: starting Boot#### "…"` (a boot option started),
 *   `UEFI Interactive Shell` / `Shell>` (nothing bootable: an immediate failure);
 * - `Kernel panic` lines.
 */
import { MARKER_PREFIX } from "./guest-init.ts";

export interface Marker {
  key: string;
  value: string;
  /** Milliseconds since QEMU was started. */
  atMs: number;
}

export interface ConsoleLine {
  text: string;
  atMs: number;
}

const ANSI = /\x1b\[[0-9;=?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>]/g;
const BDS = /BdsDxe: starting (Boot[0-9A-Fa-f]{4}) "([^"]*)"/;
const SHELL = /UEFI Interactive Shell|^Shell> ?$/;

export function cleanLine(raw: string): string {
  return raw.replace(ANSI, "").replace(/\r/g, "").replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "");
}

/** Parses `BTQ:KEY=VALUE` (also when other console output precedes it on the line). */
export function parseMarker(line: string): { key: string; value: string } | undefined {
  const at = line.indexOf(MARKER_PREFIX);
  if (at < 0) return undefined;
  const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.slice(at + MARKER_PREFIX.length));
  return m?.[1] !== undefined && m[2] !== undefined ? { key: m[1], value: m[2].trimEnd() } : undefined;
}

export class SerialReader {
  readonly lines: ConsoleLine[] = [];
  readonly markers: Marker[] = [];
  readonly bootOptions: { option: string; description: string; atMs: number }[] = [];
  shellSeen = false;
  panicSeen = false;
  private pending = "";

  constructor(
    private readonly startedAt: number,
    /** Called for each line after its markers and events are recorded. */
    private readonly onLine?: (line: ConsoleLine) => void,
  ) {}

  push(chunk: Buffer): void {
    this.pending += chunk.toString("latin1");
    const parts = this.pending.split("\n");
    this.pending = parts.pop() ?? "";
    for (const raw of parts) this.take(raw);
    // The shell prompt has no newline after it.
    if (SHELL.test(cleanLine(this.pending).trim())) this.shellSeen = true;
  }

  /** The line being received, not ended by a newline yet (firmware dialogs end without one). */
  get partialLine(): string {
    return cleanLine(this.pending);
  }

  end(): void {
    if (this.pending !== "") this.take(this.pending);
    this.pending = "";
  }

  private take(raw: string): void {
    const text = cleanLine(raw);
    const atMs = Date.now() - this.startedAt;
    if (text.trim() === "") return;
    const line = { text, atMs };
    this.lines.push(line);
    const marker = parseMarker(text);
    if (marker) this.markers.push({ ...marker, atMs });
    const bds = BDS.exec(text);
    if (bds?.[1] !== undefined && bds[2] !== undefined) this.bootOptions.push({ option: bds[1], description: bds[2], atMs });
    if (SHELL.test(text.trim())) this.shellSeen = true;
    if (/Kernel panic/.test(text)) this.panicSeen = true;
    this.onLine?.(line);
  }
}
