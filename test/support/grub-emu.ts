/**
 * Running real GRUB 2.06 (grub-emu) on a FAT disk image, boot after boot, for differential tests.
 *
 * The image (mtools, no mounts) holds /boot/grub/grub.cfg and the grubenv; grub-emu runs with a
 * device map `(hd0) IMAGE`, `-r hd0 -d /boot/grub`, so `$prefix/grubenv` sits on a disk where
 * save_env works (a host file would not: "sparse file not allowed"). Each entry GRUB executes
 * prints "Booting `TITLE'"; loader commands do not exist in grub-emu, so the entry returns and
 * GRUB waits at "Press any key to continue...", where the boot is stopped. The image persists
 * between boots, as a disk does.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadEnvView, parseGrubenv } from "../../src/formats/grubenv.ts";

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

export class GrubEmuDisk {
  readonly image: string;

  constructor(readonly dir: string) {
    this.image = path.join(dir, "disk.img");
    writeFileSync(this.image, Buffer.alloc(4 << 20));
    run("mformat", ["-i", this.image, "::"]);
    run("mmd", ["-i", this.image, "::/boot", "::/boot/grub"]);
  }

  /** Create the directories of `imagePath` on the image (like mkdir -p). */
  private mkdirs(imagePath: string): void {
    const parts = imagePath.split("/").filter((p) => p !== "");
    for (let i = 1; i < parts.length; i++) spawnSync("mmd", ["-i", this.image, "::/" + parts.slice(0, i).join("/")]);
  }

  writeFile(imagePath: string, content: string | Uint8Array): void {
    this.mkdirs(imagePath);
    const tmp = path.join(this.dir, "upload.tmp");
    writeFileSync(tmp, content);
    run("mcopy", ["-o", "-i", this.image, tmp, "::" + imagePath]);
  }

  /** A grubenv written by the real grub-editenv. */
  writeEnv(imagePath: string, vars: Record<string, string>): void {
    const tmp = path.join(this.dir, "env.tmp");
    run("grub-editenv", [tmp, "create"]);
    const pairs = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
    if (pairs.length > 0) run("grub-editenv", [tmp, "set", ...pairs]);
    this.mkdirs(imagePath);
    run("mcopy", ["-o", "-i", this.image, tmp, "::" + imagePath]);
  }

  readBytes(imagePath: string): Buffer {
    const tmp = path.join(this.dir, "download.tmp");
    run("mcopy", ["-o", "-i", this.image, "::" + imagePath, tmp]);
    return readFileSync(tmp);
  }

  readEnv(imagePath = "/boot/grub/grubenv"): Map<string, string> {
    return loadEnvView(parseGrubenv(this.readBytes(imagePath)));
  }

  /** One boot: the titles GRUB executed ("Booting `…'"), outermost first. */
  boot(timeoutMs = 30_000): Promise<{ titles: string[]; output: string }> {
    writeFileSync(path.join(this.dir, "device.map"), `(hd0) ${this.image}\n`);
    return new Promise((resolve, reject) => {
      const child = spawn("grub-emu", ["-m", path.join(this.dir, "device.map"), "-r", "hd0", "-d", "/boot/grub"], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString("latin1");
        if (/Press any key to continue|Failed to boot|grub> /.test(out)) child.kill("SIGKILL");
      });
      child.on("error", reject);
      child.on("close", () => {
        clearTimeout(timer);
        const plain = out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
        resolve({ titles: [...plain.matchAll(/Booting `([^\n\r]*)'/g)].map((m) => m[1]!), output: plain });
      });
    });
  }
}
