/**
 * The disk under test: a GPT image on a plain file with one FAT32 ESP at 1 MiB, built and read
 * without loop devices or mounts (sgdisk, mkfs.vfat --offset, mtools).
 * Never QEMU's vvfat: it aborts QEMU on guest renames across directories.
 *
 * `EspImage` is the host's view of that ESP between boots. It must never be used while a QEMU
 * process has the image open.
 */
import { open, mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { SuiteError } from "./errors.ts";
import { exec, execText } from "./exec.ts";

const MiB = 1024 * 1024;
/** The ESP starts at 1 MiB (sector 2048), as partitioning tools place it by default. */
export const ESP_OFFSET_BYTES = MiB;

/**
 * mtools' environment for our images. MTOOLS_SKIP_CHECK is mtools' own switch (not a test skip):
 * it turns off its check that the FAT geometry matches a physical floppy/disk, which a FAT file
 * system at an offset inside a plain image file never does.
 */
export const MTOOLS_ENV: NodeJS.ProcessEnv = { ...process.env, MTOOLS_SKIP_CHECK: "1" };

export interface DiskOptions {
  /** Size of the ESP in MiB (default 64: FAT32 needs at least 65525 clusters). */
  espMiB?: number;
}

/** A path on the ESP, absolute, with '/' separators; refused if it could escape. */
function espPath(path: string): string {
  if (!path.startsWith("/") || path.split("/").some((p) => p === ".." || p === ".")) {
    throw new SuiteError("E_QEMU_DISK", `bad ESP path ${JSON.stringify(path)}`);
  }
  return `::${path}`;
}

export class EspImage {
  /** mtools' "image@@offset" drive spec. */
  readonly spec: string;

  constructor(
    readonly imagePath: string,
    readonly espMiB: number,
    /** A directory for scratch files (copies going in and out). */
    readonly scratchDir: string,
  ) {
    this.spec = `${imagePath}@@${ESP_OFFSET_BYTES}`;
  }

  private mtool(tool: string, args: readonly string[]): Promise<string> {
    return execText(tool, ["-i", this.spec, ...args], { env: MTOOLS_ENV });
  }

  /** Creates each directory (and its parents) that does not exist yet. */
  async mkdirs(...paths: string[]): Promise<void> {
    for (const path of paths) {
      const parts = path.split("/").filter(Boolean);
      for (let i = 1; i <= parts.length; i++) {
        const dir = "/" + parts.slice(0, i).join("/");
        if (!(await this.exists(dir))) await this.mtool("mmd", [espPath(dir)]);
      }
    }
  }

  /** Copies a host file onto the ESP, replacing what is there. */
  async copyIn(hostPath: string, path: string): Promise<void> {
    await this.mtool("mcopy", ["-o", hostPath, espPath(path)]);
  }

  async writeFile(path: string, content: string | Buffer): Promise<void> {
    const dir = await mkdtemp(join(this.scratchDir, "in-"));
    try {
      const file = join(dir, basename(path));
      await writeFile(file, content);
      await this.copyIn(file, path);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async readFile(path: string): Promise<Buffer> {
    const dir = await mkdtemp(join(this.scratchDir, "out-"));
    try {
      const file = join(dir, "file");
      await this.mtool("mcopy", ["-n", espPath(path), file]);
      return await readFile(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async readText(path: string): Promise<string> {
    return (await this.readFile(path)).toString("utf8");
  }

  /** Names (long names where present) of the files and directories in `dir`, sorted. */
  async list(dir: string): Promise<string[]> {
    const out = await this.mtool("mdir", ["-b", espPath(dir)]);
    const prefix = dir.endsWith("/") ? `::${dir}` : `::${dir}/`;
    return out
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith(prefix))
      .map((l) => l.slice(prefix.length).replace(/\/$/, ""))
      .filter((n) => n !== "" && n !== "." && n !== "..")
      .sort();
  }

  async exists(path: string): Promise<boolean> {
    const parent = path.replace(/\/[^/]*$/, "") || "/";
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (name === "") return true;
    if (parent !== "/" && !(await this.exists(parent))) return false;
    return (await this.list(parent)).includes(name);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.mtool("mren", [espPath(from), espPath(to)]);
  }

  async remove(path: string): Promise<void> {
    await this.mtool("mdel", [espPath(path)]);
  }

  /**
   * `fsck.vfat -n` on a copy of the partition (fsck.vfat has no --offset). Returns the report;
   * `clean` is false when fsck found anything to fix, the FAT dirty bit included.
   */
  async fsck(): Promise<{ clean: boolean; report: string }> {
    const dir = await mkdtemp(join(this.scratchDir, "fsck-"));
    const copy = join(dir, "esp.img");
    try {
      const src = await open(this.imagePath, "r");
      const dst = await open(copy, "w");
      try {
        const chunk = Buffer.alloc(4 * MiB);
        for (let done = 0; done < this.espMiB * MiB; done += chunk.length) {
          const { bytesRead } = await src.read(chunk, 0, chunk.length, ESP_OFFSET_BYTES + done);
          await dst.write(chunk, 0, bytesRead);
        }
      } finally {
        await src.close();
        await dst.close();
      }
      const r = await exec("fsck.vfat", ["-n", copy], { okCodes: [1] });
      const report = r.stdout.toString("utf8").trim();
      return { clean: r.status === 0 && !/dirty bit|differences/i.test(report), report };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** Creates `imagePath`: a GPT disk with one FAT32 ESP labelled ESP at 1 MiB. */
export async function createEspDisk(imagePath: string, scratchDir: string, options: DiskOptions = {}): Promise<EspImage> {
  const espMiB = options.espMiB ?? 64;
  await rm(imagePath, { force: true });
  await writeFile(imagePath, "");
  // 1 MiB before the ESP, and room for the backup GPT after it.
  await truncate(imagePath, (espMiB + 2) * MiB);
  // No -q: gdisk 1.0.9's sgdisk -q on a blank file silently writes no partition table.
  await exec("sgdisk", ["-n", `1:2048:+${espMiB}M`, "-t", "1:ef00", "-c", "1:ESP", imagePath]);
  // The block count (KiB) is given explicitly; --offset is in sectors, -h the hidden sectors.
  await exec("mkfs.vfat", ["-F", "32", "-n", "ESP", "--offset", "2048", "-h", "2048", imagePath, String(espMiB * 1024)]);
  return new EspImage(imagePath, espMiB, scratchDir);
}
