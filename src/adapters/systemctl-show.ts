/**
 * Asking the running service manager about units: `systemctl show -p … -- UNIT…` (systemctl(1)),
 * `systemctl` looked up in PATH, with a time limit. Throws BootctlError E_SYSTEMCTL (one line:
 * what systemctl said) when it cannot be run or exits non-zero. Parsing: formats/health/systemctl-show.ts.
 */
import { execFile } from "node:child_process";
import { BootctlError } from "../errors.ts";
import { parseSystemctlShow, type ShowBlock } from "../formats/health/systemctl-show.ts";

export function systemctlShow(units: readonly string[], properties: readonly string[], options: { timeoutMs?: number } = {}): Promise<ShowBlock[]> {
  return new Promise((resolve, reject) => {
    const args = ["show", "--no-pager", `--property=${properties.join(",")}`, "--", ...units];
    execFile("systemctl", args, { timeout: options.timeoutMs ?? 30_000, maxBuffer: 4 * 1024 * 1024, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const said = String(stderr ?? "").trim().split("\n").at(-1) ?? "";
        const why = code === "ENOENT" ? "systemctl not found in PATH" : said || err.message.split("\n")[0]!;
        reject(new BootctlError("E_SYSTEMCTL", `systemctl show ${units.join(" ")}: ${why}`, { cause: err }));
        return;
      }
      const blocks = parseSystemctlShow(stdout);
      if (blocks.length !== units.length) {
        reject(new BootctlError("E_SYSTEMCTL", `systemctl show ${units.join(" ")}: expected ${units.length} blocks of properties, got ${blocks.length}`));
        return;
      }
      resolve(blocks);
    });
  });
}
