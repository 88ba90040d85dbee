/**
 * What `install-units` installs, and where, in each mode; the Debian package is the vendor layout
 * (scripts/package-deb.mjs stages it through the same code). Pure: paths, modes and texts.
 *
 * | what | admin (`--mode=admin`, default) | vendor (`--mode=vendor`, `--vendor`) |
 * |---|---|---|
 * | bundles | /usr/lib/bootctl-ts/{cli.cjs,cli-main.cjs,cli-main.cache,service.cjs} | the same |
 * | `bootctl-ts` on PATH | /usr/local/bin/bootctl-ts | /usr/bin/bootctl-ts |
 * | units | /etc/systemd/system | /usr/lib/systemd/system |
 * | systemd-bless-boot drop-in | /etc/systemd/system/systemd-bless-boot.service.d/ | /usr/lib/systemd/system/systemd-bless-boot.service.d/ |
 * | preset | none (enabled directly) | /usr/lib/systemd/system-preset/50-bootctl-ts.preset |
 * | kernel-install plugin | /etc/kernel/install.d/90-loaderentry.install | /usr/lib/kernel/install.d/90-bootctl-ts.install |
 * | grub.d generators | /etc/grub.d/09_bootctl_counting, /etc/grub.d/20_bootctl-ts | the same |
 * | journal message catalog | /usr/local/lib/systemd/catalog/bootctl-ts.catalog | /usr/lib/systemd/catalog/bootctl-ts.catalog |
 *
 * Activation (the links written last): the enablement links of the two units in
 * /etc/systemd/system (as `systemctl enable`, resp. `systemctl preset` with the preset above,
 * creates them), and /dev/null links in /etc/kernel/install.d for systemd's entry-writing plugins
 * that the bootctl-ts plugin replaces (admin: 90-uki-copy.install; vendor: that and
 * 90-loaderentry.install). A package leaves activation to its maintainer scripts.
 */
import { catalogText } from "../ops/journal.ts";
import { BLESS_DROP_IN_NAME, ENABLEMENT_DIRECTORY, PRESET_FILE_NAME, SYSTEMD_BLESS_UNIT, blessBootDropIn, enableLinks, presetFile, unitFiles } from "./units.ts";
import { ADMIN_PLUGIN_DIRECTORY, KERNEL_INSTALL_PLUGIN, SYSTEMD_ENTRY_PLUGINS, kernelInstallPlugin } from "./kernel-install-plugin.ts";
import { GRUB_GENERATOR_DIRECTORY, grubGenerators } from "./grub-generators.ts";
import { cliLauncher } from "./launcher.ts";

export type InstallMode = "admin" | "vendor";
export const INSTALL_MODES: readonly InstallMode[] = ["admin", "vendor"];

export const BUNDLE_DIRECTORY = "/usr/lib/bootctl-ts";
export const SERVICE_INSTALL_PATH = `${BUNDLE_DIRECTORY}/service.cjs`;
export const CLI_INSTALL_PATH = `${BUNDLE_DIRECTORY}/cli.cjs`;
/** The built files (dist/) installed as they are. cli.cjs runs cli-main.cjs from its own directory. */
export const BUNDLE_FILES = ["service.cjs", "cli-main.cjs", "cli.cjs"] as const;
/**
 * V8's code cache of cli-main.cjs, optional (the CLI runs without it). Keyed on the bundle's
 * content (src/cli/bin-code-cache.ts), so the copy keeps working; Node of another V8 ignores it.
 */
export const CODE_CACHE_FILE = "cli-main.cache";

export const DEFAULT_NODE = "/usr/bin/node";

export const UNIT_DIRECTORY: Record<InstallMode, string> = {
  admin: "/etc/systemd/system",
  vendor: "/usr/lib/systemd/system",
};
export const LAUNCHER_PATH: Record<InstallMode, string> = {
  admin: "/usr/local/bin/bootctl-ts",
  vendor: "/usr/bin/bootctl-ts",
};
export const PRESET_DIRECTORY = "/usr/lib/systemd/system-preset";

export type LayoutSource =
  | { kind: "bundle"; name: (typeof BUNDLE_FILES)[number] }
  /** dist/cli-main.cache when the build made one; skipped otherwise. */
  | { kind: "code-cache" }
  | { kind: "text"; text: string };

export interface LayoutFile {
  /** Path inside the root. */
  path: string;
  mode: number;
  source: LayoutSource;
}

export interface InstallLayout {
  mode: InstallMode;
  node: string;
  /** The `bootctl-ts` executable on PATH (the kernel-install plugin's default BOOTCTL_TS). */
  launcher: string;
  unitDirectory: string;
  /** In write order: what runs first (bundles), then what runs them, last the units. */
  files: LayoutFile[];
  /** Activation links, written after every file: link path → target. */
  links: Record<string, string>;
}

export interface LayoutOptions {
  mode: InstallMode;
  node: string;
  /** false: no activation links (a package's maintainer scripts activate). Default true. */
  activate?: boolean;
}

/** The journal message catalog (ops/journal.ts). */
export const CATALOG_FILE: Record<InstallMode, string> = {
  admin: "/usr/local/lib/systemd/catalog/bootctl-ts.catalog",
  vendor: "/usr/lib/systemd/catalog/bootctl-ts.catalog",
};

export function installLayout(options: LayoutOptions): InstallLayout {
  const { mode, node } = options;
  const unitDirectory = UNIT_DIRECTORY[mode];
  const launcher = LAUNCHER_PATH[mode];
  const text = (path: string, body: string, fileMode = 0o644): LayoutFile => ({ path, mode: fileMode, source: { kind: "text", text: body } });
  const files: LayoutFile[] = [
    ...BUNDLE_FILES.flatMap((name): LayoutFile[] => {
      const bundle: LayoutFile = { path: `${BUNDLE_DIRECTORY}/${name}`, mode: 0o755, source: { kind: "bundle", name } };
      // The cache right after the bundle it was made for.
      return name === "cli-main.cjs" ? [bundle, { path: `${BUNDLE_DIRECTORY}/${CODE_CACHE_FILE}`, mode: 0o644, source: { kind: "code-cache" } }] : [bundle];
    }),
    text(launcher, cliLauncher({ node, cli: CLI_INSTALL_PATH }), 0o755),
    text(KERNEL_INSTALL_PLUGIN[mode], kernelInstallPlugin({ cli: launcher }), 0o755),
    ...Object.entries(grubGenerators()).map(([name, body]) => text(`${GRUB_GENERATOR_DIRECTORY}/${name}`, body, 0o755)),
    ...Object.entries(unitFiles({ node, service: SERVICE_INSTALL_PATH })).map(([name, body]) => text(`${unitDirectory}/${name}`, body)),
    text(`${unitDirectory}/${SYSTEMD_BLESS_UNIT}.d/${BLESS_DROP_IN_NAME}`, blessBootDropIn(SERVICE_INSTALL_PATH)),
    // journalctl reads the catalogs of both directories (systemd catalog.c catalog_file_dirs)
    // once `journalctl --update-catalog` has compiled them (Debian's systemd runs it from a dpkg
    // trigger on /usr/lib/systemd/catalog; after install-units, run it by hand).
    text(CATALOG_FILE[mode], catalogText()),
  ];
  if (mode === "vendor") files.push(text(`${PRESET_DIRECTORY}/${PRESET_FILE_NAME}`, presetFile()));
  const links: Record<string, string> = {};
  if (options.activate !== false) {
    Object.assign(links, enableLinks(unitDirectory));
    const masked = mode === "vendor" ? SYSTEMD_ENTRY_PLUGINS : SYSTEMD_ENTRY_PLUGINS.filter((name) => `${ADMIN_PLUGIN_DIRECTORY}/${name}` !== KERNEL_INSTALL_PLUGIN.admin);
    for (const name of masked) links[`${ADMIN_PLUGIN_DIRECTORY}/${name}`] = "/dev/null";
  }
  return { mode, node, launcher, unitDirectory, files, links };
}

/** Enablement links live here (mentioned for the package's postrm). */
export { ENABLEMENT_DIRECTORY };
