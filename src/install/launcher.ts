/**
 * The `bootctl-ts` command on PATH: a two-line shell launcher that runs the installed CLI with
 * the same Node the units run, so the command works whatever `node` PATH would find (or none).
 * cli.cjs starts cli-main.cjs from its own directory with V8's code cache
 * (src/cli/bin-code-cache.ts). Template only.
 */
export function cliLauncher(paths: { node: string; cli: string }): string {
  return `#!/bin/sh
# bootctl-ts, installed by \`bootctl-ts install-units\` (or the bootctl-ts Debian package).
exec ${paths.node} ${paths.cli} "$@"
`;
}
