/**
 * Debian's archive as the host's apt is set up to reach it. The mirror is read from the host's
 * own apt sources at run time (deb822 `URIs:` lines of /etc/apt/sources.list.d/*.sources, or
 * one-line `deb URI SUITE …` entries), never written into the repository.
 *
 * `PrivateApt` is apt with its own sources, lists and cache under the suite's cache directory
 * (the host's apt state is neither read nor changed): it asks the archive which packages a
 * release offers (`apt-cache`) and fetches single packages (`apt-get download`) for suites the
 * host does not track, e.g. Debian 13 on a Debian 12 host.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { withCacheLock } from "../cache-build.ts";
import { SuiteError } from "../errors.ts";
import { exec, execText } from "../exec.ts";

/** The archive's base URIs: the main archive first, then the security archive when present. */
export interface Mirror {
  debian: string;
  security?: string;
}

function uris(): string[] {
  const found: string[] = [];
  const dir = "/etc/apt/sources.list.d";
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".sources") || f.endsWith(".list")).map((f) => join(dir, f)) : [];
  if (existsSync("/etc/apt/sources.list")) files.push("/etc/apt/sources.list");
  for (const file of files) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const deb822 = /^URIs:\s*(.+)$/i.exec(line.trim());
      if (deb822?.[1]) found.push(...deb822[1].split(/\s+/));
      const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+/.exec(line.trim());
      if (oneLine?.[1]) found.push(oneLine[1]);
    }
  }
  return found.filter((u) => /^https?:\/\//.test(u)).map((u) => u.replace(/\/+$/, ""));
}

/** The host's Debian mirror (its apt sources), or an error saying there is none. */
export function hostMirror(): Mirror {
  const all = uris();
  const security = all.find((u) => /security/.test(u));
  const debian = all.find((u) => !/security/.test(u) && /debian/.test(u)) ?? all.find((u) => !/security/.test(u));
  if (!debian) throw new SuiteError("E_QEMU_APT", "no Debian mirror in the host's apt sources (/etc/apt/sources.list.d)");
  return security ? { debian, security } : { debian };
}

/** The apt source lines of a release: main, -updates and -security. */
export function sourceLines(mirror: Mirror, suite: string): string[] {
  const lines = [`deb ${mirror.debian} ${suite} main`, `deb ${mirror.debian} ${suite}-updates main`];
  if (mirror.security) lines.push(`deb ${mirror.security} ${suite}-security main`);
  return lines;
}

export class PrivateApt {
  private constructor(
    readonly dir: string,
    private readonly options: string[],
  ) {}

  /** apt state of its own for `suite` under `dir` (lists refreshed when older than `maxAgeMs`). */
  static async open(dir: string, mirror: Mirror, suite: string, maxAgeMs = 6 * 3600_000): Promise<PrivateApt> {
    const lists = join(dir, "lists");
    const cache = join(dir, "cache");
    await mkdir(join(lists, "partial"), { recursive: true });
    await mkdir(join(cache, "archives", "partial"), { recursive: true });
    const sources = join(dir, "sources.list");
    const text = sourceLines(mirror, suite).join("\n") + "\n";
    const status = join(dir, "status");
    if (!existsSync(status)) await writeFile(status, "");
    const same = existsSync(sources) && readFileSync(sources, "utf8") === text;
    await writeFile(sources, text);
    const options = [
      "-o", `Dir::Etc::SourceList=${sources}`, "-o", "Dir::Etc::SourceParts=/nonexistent",
      "-o", `Dir::State::Lists=${lists}`, "-o", `Dir::Cache=${cache}`, "-o", `Dir::State::status=${status}`,
      "-o", "APT::Architecture=amd64", "-o", "APT::Architectures=amd64", "-o", "Debug::NoLocking=1",
    ];
    const apt = new PrivateApt(dir, options);
    const stamp = join(dir, "updated");
    // apt's own locks are off (Debug::NoLocking: it is not root's apt); other runs on this machine
    // share these lists, so one update at a time (cache-build.ts).
    await withCacheLock(lists, async () => {
      const fresh = same && existsSync(stamp) && Date.now() - Number(readFileSync(stamp, "utf8")) < maxAgeMs;
      if (!fresh) {
        await exec("apt-get", [...options, "-q", "update"]);
        await writeFile(stamp, String(Date.now()));
      }
    });
    return apt;
  }

  /** `apt-cache ARGS…` on this state. */
  cache(args: readonly string[]): Promise<string> {
    return execText("apt-cache", [...this.options, ...args]);
  }

  /** Every (package, version) the lists name whose package name matches `pattern`. */
  async versions(pattern: RegExp): Promise<{ name: string; version: string }[]> {
    const out = await this.cache(["dumpavail"]);
    const found: { name: string; version: string }[] = [];
    for (const stanza of out.split("\n\n")) {
      const name = /^Package: (\S+)$/m.exec(stanza)?.[1];
      const version = /^Version: (\S+)$/m.exec(stanza)?.[1];
      if (name && version && pattern.test(name)) found.push({ name, version });
    }
    return found;
  }

  /** The package a meta package depends on in the candidate version (linux-image-cloud-amd64 → linux-image-6.1.0-57-cloud-amd64). */
  async metaTarget(meta: string): Promise<string> {
    const out = await this.cache(["depends", meta]);
    const m = /Depends:\s*(linux-image-\S+)/.exec(out);
    if (!m?.[1]) throw new SuiteError("E_QEMU_APT", `apt-cache depends ${meta} names no kernel package`);
    return m[1];
  }

  /** Downloads `name` (its candidate version) into `dir`; returns the .deb's path. */
  async download(name: string, dir: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const partial = join(dir, ".download");
    return withCacheLock(partial, async () => {
      await rm(partial, { recursive: true, force: true });
      await mkdir(partial, { recursive: true });
      await exec("apt-get", [...this.options, "-q", "download", name], { cwd: partial });
      const deb = (await readdir(partial)).find((f) => f.endsWith(".deb"));
      if (!deb) throw new SuiteError("E_QEMU_APT", `apt-get download ${name} left no .deb`);
      await rename(join(partial, deb), join(dir, deb));
      await rm(partial, { recursive: true, force: true });
      return join(dir, deb);
    });
  }
}
