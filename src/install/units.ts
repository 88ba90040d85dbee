/**
 * The systemd units of the boot-success service, following systemd's boot-complete.target
 * contract (systemd.special(7), "boot-complete.target"; systemd's docs/AUTOMATIC_BOOT_ASSESSMENT.md):
 *
 * - bootctl-ts-health.service: runs the health checks; ordered Before=boot-complete.target and
 *   pulled in by it (RequiredBy= in [Install]), after the system is up (like
 *   systemd-boot-check-no-failures.service). On failure: bootctl-ts-boot-failure.service.
 * - bootctl-ts-bless.service: After= and Requires= boot-complete.target, so it runs only when every
 *   check passed; marks the boot good (like systemd-bless-boot.service).
 * - bootctl-ts-boot-failure.service: marks the boot bad and reboots so the loader falls back,
 *   unless the bootloop guard or bootctl-ts.reboot=0 says otherwise.
 *
 * Also here: the preset file that enables them (systemd.preset(5)), the drop-in that keeps
 * systemd's own systemd-bless-boot.service from blessing the same boot a second time, and the
 * enablement links `systemctl enable`/`preset` create from the [Install] sections.
 * Templates only: text and paths, no I/O.
 */

export interface UnitPaths {
  /** The node binary, e.g. /usr/bin/node. */
  node: string;
  /** The installed service bundle, e.g. /usr/lib/bootctl-ts/service.cjs. */
  service: string;
}

export const HEALTH_UNIT = "bootctl-ts-health.service";
export const BLESS_UNIT = "bootctl-ts-bless.service";
export const BOOT_FAILURE_UNIT = "bootctl-ts-boot-failure.service";
/** systemd's own boot-success service (src/bless-boot/, units/systemd-bless-boot.service.in). */
export const SYSTEMD_BLESS_UNIT = "systemd-bless-boot.service";

/** Where `systemctl enable` puts enablement links, whatever directory the unit file is in. */
export const ENABLEMENT_DIRECTORY = "/etc/systemd/system";

export function unitFiles(paths: UnitPaths): Record<string, string> {
  const exec = (verb: string) => `${paths.node} ${paths.service} ${verb}`;
  return {
    [HEALTH_UNIT]: `[Unit]
Description=Health checks of this boot (bootctl-ts)
Documentation=man:bootctl-ts(1)
After=default.target graphical.target multi-user.target
Before=boot-complete.target
OnFailure=${BOOT_FAILURE_UNIT}

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${exec("health")}

[Install]
RequiredBy=boot-complete.target
`,
    [BLESS_UNIT]: `[Unit]
Description=Mark the current boot entry as good (bootctl-ts)
Documentation=man:bootctl-ts(1)
DefaultDependencies=no
Requires=boot-complete.target
After=local-fs.target boot-complete.target
Conflicts=shutdown.target
Before=shutdown.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${exec("mark-good")}

[Install]
WantedBy=multi-user.target
`,
    [BOOT_FAILURE_UNIT]: `[Unit]
Description=Mark a failed boot bad and fall back (bootctl-ts)
Documentation=man:bootctl-ts(1)
DefaultDependencies=no
After=local-fs.target

[Service]
Type=oneshot
ExecStart=${exec("on-failure")}
`,
  };
}

/**
 * Enablement links as `systemctl enable` (and `systemctl preset`, for units the preset enables)
 * creates them from the [Install] sections above: `<target>.requires/` for RequiredBy=,
 * `<target>.wants/` for WantedBy=, in /etc/systemd/system, pointing at the unit file.
 * link path → target.
 */
export function enableLinks(unitDirectory: string): Record<string, string> {
  return {
    [`${ENABLEMENT_DIRECTORY}/boot-complete.target.requires/${HEALTH_UNIT}`]: `${unitDirectory}/${HEALTH_UNIT}`,
    [`${ENABLEMENT_DIRECTORY}/multi-user.target.wants/${BLESS_UNIT}`]: `${unitDirectory}/${BLESS_UNIT}`,
  };
}

/** The units a preset enables (the failure unit is static: OnFailure= starts it). */
export const PRESET_UNITS = [HEALTH_UNIT, BLESS_UNIT] as const;

/**
 * systemd.preset(5): files from /etc, /run and /usr/lib/systemd/system-preset are read in the
 * order of their names, the first line matching a unit wins. 50 sorts before distributions'
 * catch-alls (Debian's 90-systemd.preset, Fedora's 99-default-disable.preset), so these two are
 * enabled there; an admin's file in /etc/systemd/system-preset/ with the same name replaces it.
 */
export const PRESET_FILE_NAME = "50-bootctl-ts.preset";

export function presetFile(): string {
  return `# bootctl-ts: the boot-success service, enabled by \`systemctl preset\` (systemd.preset(5)).
# bootctl-ts-boot-failure.service is static (started by OnFailure= of the health unit).
${PRESET_UNITS.map((unit) => `enable ${unit}`).join("\n")}
`;
}

/** The drop-in's file name inside `systemd-bless-boot.service.d/`. */
export const BLESS_DROP_IN_NAME = "50-bootctl-ts.conf";

/**
 * Exactly one service blesses a boot. systemd-bless-boot-generator pulls systemd-bless-boot.service
 * into basic.target when the loader set LoaderBootCountPath (systemd-boot's boot counting); it
 * would rename the booted entry just like bootctl-ts-bless.service. This drop-in delegates: while
 * bootctl-ts's service bundle is installed, systemd's unit is skipped by its condition, and
 * wherever the generator pulls it in it pulls in bootctl-ts-bless.service (Wants=), so the boot
 * is blessed once, by bootctl-ts, even when bootctl-ts-bless.service was not enabled. Removing
 * bootctl-ts (its bundle) gives the job back to systemd's unit.
 */
export function blessBootDropIn(serviceBundle: string): string {
  return `# Installed by bootctl-ts. ${BLESS_UNIT} marks boots good (the same rename as
# systemd-bless-boot, plus GRUB and the counted/uncounted twin repair). So that exactly one service
# blesses a boot, systemd's own unit is skipped while bootctl-ts is installed, and wherever
# systemd-bless-boot-generator pulls it in (LoaderBootCountPath set) it pulls in ${BLESS_UNIT}.
[Unit]
Wants=${BLESS_UNIT}
ConditionPathExists=!${serviceBundle}
`;
}
