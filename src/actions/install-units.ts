/**
 * `installUnits`: install the service bundle and the systemd units under a root, and enable them
 * the way `systemctl enable` would (links in /etc/systemd/system), crash-safely.
 */
import * as path from "node:path";
import { copyFileDurable, mkdirDurable, atomicReplace, symlinkDurable } from "../adapters/durable-fs.ts";
import { inRoot } from "../adapters/root-path.ts";
import { enableLinks, unitFiles, UNIT_DIRECTORY } from "../service/units.ts";
import { KERNEL_INSTALL_PLUGIN_PATH, kernelInstallPlugin } from "../service/kernel-install-plugin.ts";

export const SERVICE_INSTALL_PATH = "/usr/lib/bootctl-ts/service.cjs";
export const CLI_INSTALL_PATH = "/usr/lib/bootctl-ts/cli.cjs";

export interface InstallUnitsOptions {
  root?: string;
  /** The built service bundle to install (dist/service.cjs). */
  serviceBundle: string;
  /** The built CLI bundle (dist/cli.cjs), for the kernel-install plugin; omitted: no plugin. */
  cliBundle?: string;
  /** Node binary path inside the target system. */
  node?: string;
  dryRun?: boolean;
}

export interface InstallUnitsResult {
  files: string[];
  links: Record<string, string>;
}

export async function installUnits(options: InstallUnitsOptions): Promise<InstallUnitsResult> {
  const root = options.root ?? "/";
  const node = options.node ?? "/usr/bin/node";
  const units = unitFiles({ node, service: SERVICE_INSTALL_PATH });
  const links = enableLinks();
  const files = [SERVICE_INSTALL_PATH, ...Object.keys(units).map((name) => `${UNIT_DIRECTORY}/${name}`)];
  if (options.cliBundle) files.push(CLI_INSTALL_PATH, KERNEL_INSTALL_PLUGIN_PATH);
  if (options.dryRun) return { files, links };
  // The bundles first, then the units and plugin that run them, then the links that enable them.
  await mkdirDurable(root, inRoot(root, path.dirname(SERVICE_INSTALL_PATH)));
  await copyFileDurable(root, options.serviceBundle, inRoot(root, SERVICE_INSTALL_PATH), { mode: 0o755 });
  await mkdirDurable(root, inRoot(root, UNIT_DIRECTORY));
  for (const [name, text] of Object.entries(units)) await atomicReplace(root, inRoot(root, `${UNIT_DIRECTORY}/${name}`), text, { mode: 0o644 });
  if (options.cliBundle) {
    await copyFileDurable(root, options.cliBundle, inRoot(root, CLI_INSTALL_PATH), { mode: 0o755 });
    await mkdirDurable(root, inRoot(root, path.dirname(KERNEL_INSTALL_PLUGIN_PATH)));
    await atomicReplace(root, inRoot(root, KERNEL_INSTALL_PLUGIN_PATH), kernelInstallPlugin({ node, cli: CLI_INSTALL_PATH }), { mode: 0o755 });
  }
  for (const [link, target] of Object.entries(links)) {
    await mkdirDurable(root, inRoot(root, path.dirname(link)));
    await symlinkDurable(root, inRoot(root, link), target);
  }
  return { files, links };
}
