/**
 * The real bootctl-ts on the host side of a scenario: the built `dist/cli.cjs` run as a process,
 * the way an image builder or updater runs it.
 *
 * - `EspTree`: a staging root whose `/efi` is the ESP. The scenario installs systemd-boot and
 *   loader.conf into it, adds deployments with the real `bootctl-ts add --tries N` (kernel-install
 *   semantics: files under /efi/<token>/<version>/, then the entry), and copies the whole tree
 *   onto the disk image with mtools (`mcopy -s`). After boots, `readBack` copies the ESP off the
 *   image again so the host can run `predict`, `list` or `status` on what the guest left.
 * - `exportEfivars`: the NV variables of a machine's OVMF VARS (src/formats/ovmf/varstore.ts) as
 *   an efivarfs-format directory (4-byte attributes + data per `Name-GUID` file), for
 *   `--efivars-path` (LoaderEntryOneShot, LoaderEntryDefault written by the guest).
 */
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { listVariables, readVarStore } from "../../src/formats/ovmf/varstore.ts";
import { MTOOLS_ENV, type EspImage } from "./disk.ts";
import { SuiteError } from "./errors.ts";
import { commandLine, exec } from "./exec.ts";
import { REPO_ROOT, SYSTEMD_BOOT_EFI } from "./paths.ts";
import { renderLoaderConf, type LoaderConf } from "./sdboot.ts";

export const CLI = join(REPO_ROOT, "dist", "cli.cjs");

export interface HostRun {
  argv: string[];
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the built bootctl-ts on the host; `log` receives the command line and its result. */
export async function hostCli(args: readonly string[], log?: (line: string) => Promise<void>, okCodes: readonly number[] = []): Promise<HostRun> {
  const r = await exec(process.execPath, [CLI, ...args], { okCodes: [1, 2, ...okCodes] });
  const run = { argv: ["bootctl-ts", ...args], status: r.status, stdout: r.stdout.toString("utf8"), stderr: r.stderr };
  await log?.(`  host: ${commandLine("bootctl-ts", args)} → ${r.status}${r.stderr ? ` (${r.stderr.split("\n").join(" | ")})` : ""}`);
  if (r.status !== 0 && !okCodes.includes(r.status)) {
    throw new SuiteError("E_QEMU_HOST_CLI", `${commandLine("bootctl-ts", args)} exited ${r.status}: ${r.stderr || r.stdout}`);
  }
  return run;
}

/** What `predict --json` prints (src/ops/predict-systemd-boot.ts, fields this suite reads). */
export interface PredictJson {
  loader: string;
  attempts: {
    attempt: number;
    id: string;
    /** Counted boots: tries left after this one (GRUB: bootctl_tries). */
    tries?: { left: number; done: number };
    fileBefore: string;
    fileAfter: string;
    outcome: "success" | "failure";
    fallback: boolean;
    reason: string;
  }[];
  end: string;
  finalId: string | null;
  summary: string;
}

export interface DeploymentSpec {
  version: string;
  title: string;
  /** Kernel command line (guestCmdline). */
  options: string;
  tries?: number;
  /** A kernel, or a unified kernel image (then no initrd: `add` writes EFI/Linux/<token>-<version>[+N].efi). */
  kernel: string;
  initrd?: string;
  /** `--loader`: where the tries go (systemd-boot: the file name; grub: the grubenv). Default: detected. */
  loader?: "systemd-boot" | "grub";
  /** `--entry-token` (default ENTRY_TOKEN). */
  entryToken?: string;
}

export const ENTRY_TOKEN = "test";

export class EspTree {
  /** The staging root; the ESP is `<root>/efi`. */
  private constructor(
    readonly root: string,
    private readonly log: (line: string) => Promise<void>,
  ) {}

  static async create(dir: string, log: (line: string) => Promise<void>): Promise<EspTree> {
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, "efi"), { recursive: true });
    return new EspTree(dir, log);
  }

  get esp(): string {
    return join(this.root, "efi");
  }

  /** Global options that point bootctl-ts at this tree. */
  get target(): string[] {
    return ["--root", this.root, "--esp-path", "/efi"];
  }

  async installSystemdBoot(conf: LoaderConf = {}): Promise<void> {
    await mkdir(join(this.esp, "EFI", "BOOT"), { recursive: true });
    await mkdir(join(this.esp, "loader", "entries"), { recursive: true });
    await cp(SYSTEMD_BOOT_EFI, join(this.esp, "EFI", "BOOT", "BOOTX64.EFI"));
    await writeFile(join(this.esp, "loader", "loader.conf"), renderLoaderConf(conf));
  }

  /** `bootctl-ts add [--tries N]`: what an updater runs to install a new deployment. */
  async add(d: DeploymentSpec): Promise<HostRun> {
    const args = [...this.target, "--quiet", "add", "--entry-token", d.entryToken ?? ENTRY_TOKEN, "--title", d.title, "--options", d.options];
    if (d.tries !== undefined) args.push("--tries", String(d.tries));
    if (d.loader !== undefined) args.push("--loader", d.loader);
    args.push(d.version, d.kernel, ...(d.initrd === undefined ? [] : [d.initrd]));
    return hostCli(args, this.log);
  }

  /** Any other verb on this tree (`set-default --loader grub ID`, `grub render`, …). */
  async cli(args: readonly string[]): Promise<HostRun> {
    return hostCli([...this.target, ...args], this.log);
  }

  /** `bootctl-ts predict --json` on this tree (optionally with exported EFI variables). */
  async predict(options: { fail?: number; efivars?: string; loader?: "systemd-boot" | "grub" } = {}): Promise<PredictJson> {
    const args = [...this.target, ...(options.efivars ? ["--efivars-path", options.efivars] : []), "--json=short", "predict"];
    if (options.fail !== undefined) args.push("--fail", String(options.fail));
    if (options.loader !== undefined) args.push("--loader", options.loader);
    const run = await hostCli(args, this.log);
    const prediction = JSON.parse(run.stdout) as PredictJson;
    await this.log(`  prediction: ${prediction.attempts.map((a) => `${a.fileBefore}(${a.outcome})`).join(" → ")}; ${prediction.summary}`);
    return prediction;
  }

  /**
   * Issue 8 #10 before a boot: `predict --json` on what the image holds now (its ESP read back into
   * this tree) and, with `vars`, on that machine's NVRAM (its OVMF VARS exported as an efivarfs
   * directory next to the ESP: LoaderEntryOneShot, LoaderEntryDefault, BootNext, …).
   */
  async predictImage(image: EspImage, options: { vars?: string; fail?: number; loader?: "systemd-boot" | "grub" } = {}): Promise<PredictJson> {
    await this.readBack(image);
    const efivars = options.vars === undefined ? undefined : await exportEfivars(options.vars, join(this.root, "efivars"));
    return this.predict({
      ...(efivars === undefined ? {} : { efivars }),
      ...(options.fail === undefined ? {} : { fail: options.fail }),
      ...(options.loader === undefined ? {} : { loader: options.loader }),
    });
  }

  /** The entry files under loader/entries of the staging tree. */
  async entryFiles(): Promise<string[]> {
    const dir = join(this.esp, "loader", "entries");
    return existsSync(dir) ? (await readdir(dir)).sort() : [];
  }

  /** Copies the staging ESP onto the image (directories created, files replaced). */
  async writeTo(image: EspImage): Promise<void> {
    for (const name of await readdir(this.esp)) {
      await exec("mcopy", ["-s", "-o", "-Q", "-i", image.spec, join(this.esp, name), "::/"], { env: MTOOLS_ENV });
    }
  }

  /** Replaces the staging ESP with the image's ESP as it is now. */
  async readBack(image: EspImage): Promise<void> {
    await rm(this.esp, { recursive: true, force: true });
    await mkdir(this.esp, { recursive: true });
    await exec("mcopy", ["-s", "-n", "-Q", "-i", image.spec, "::/*", this.esp + "/"], { env: MTOOLS_ENV });
  }
}

const EFIVARS_NAME = /^[A-Za-z0-9_#-]+$/;

/** Writes the NV variables of an OVMF VARS file as an efivarfs-format directory. */
export async function exportEfivars(varsFile: string, dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const store = readVarStore(await readFile(varsFile));
  for (const v of listVariables(store)) {
    if (!EFIVARS_NAME.test(v.name)) continue;
    const attrs = Buffer.alloc(4);
    attrs.writeUInt32LE(v.attributes >>> 0, 0);
    await writeFile(join(dir, `${v.name}-${v.guid}`), Buffer.concat([attrs, v.data]));
  }
  return dir;
}
