/**
 * The systemd units of the boot-success service, following systemd's boot-complete.target
 * contract (docs/AUTOMATIC_BOOT_ASSESSMENT.md; systemd.special(7)):
 *
 * - bootctl-ts-health.service: runs the health checks; ordered Before=boot-complete.target and
 *   pulled in by it (RequiredBy= in [Install]), after the system is up (like
 *   systemd-boot-check-no-failures.service). On failure: bootctl-ts-boot-failure.service.
 * - bootctl-ts-bless.service: After= and Requires= boot-complete.target, so it runs only when every
 *   check passed; marks the boot good (like systemd-bless-boot.service).
 * - bootctl-ts-boot-failure.service: marks the boot bad and reboots so the loader falls back,
 *   unless the bootloop guard or bootctl-ts.reboot=0 says otherwise.
 */

export interface UnitPaths {
  /** The node binary, e.g. /usr/bin/node. */
  node: string;
  /** The installed service bundle, e.g. /usr/lib/bootctl-ts/service.cjs. */
  service: string;
}

export const UNIT_DIRECTORY = "/etc/systemd/system";

export function unitFiles(paths: UnitPaths): Record<string, string> {
  const exec = (verb: string) => `${paths.node} ${paths.service} ${verb}`;
  return {
    "bootctl-ts-health.service": `[Unit]
Description=Health checks of this boot (bootctl-ts)
After=default.target graphical.target multi-user.target
Before=boot-complete.target
OnFailure=bootctl-ts-boot-failure.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${exec("health")}

[Install]
RequiredBy=boot-complete.target
`,
    "bootctl-ts-bless.service": `[Unit]
Description=Mark the current boot entry as good (bootctl-ts)
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
    "bootctl-ts-boot-failure.service": `[Unit]
Description=Mark a failed boot bad and fall back (bootctl-ts)
DefaultDependencies=no
After=local-fs.target

[Service]
Type=oneshot
ExecStart=${exec("on-failure")}
`,
  };
}

/** Enablement links, as `systemctl enable` creates them: link path → target. */
export function enableLinks(): Record<string, string> {
  return {
    [`${UNIT_DIRECTORY}/boot-complete.target.requires/bootctl-ts-health.service`]: `${UNIT_DIRECTORY}/bootctl-ts-health.service`,
    [`${UNIT_DIRECTORY}/multi-user.target.wants/bootctl-ts-bless.service`]: `${UNIT_DIRECTORY}/bootctl-ts-bless.service`,
  };
}
