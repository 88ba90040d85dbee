/**
 * The metrics file the built service writes, read by Debian's real node_exporter (textfile
 * collector) and checked by promtool (`promtool check metrics`, the Prometheus linter). The
 * exporter listens on 127.0.0.1 on a free port, stops by itself after 30 s (spawn's timeout) and is
 * killed in a `finally` in any case.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { SERVICE } from "../support/cli.ts";
import { writeLoaderString } from "../support/efivars.ts";
import { requireTool } from "../support/exec.ts";
import { withTempRoot } from "../support/tmp.ts";

const EXPORTER = "prometheus-node-exporter";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => { body += c; });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

/** Scrape until the exporter answers (it needs a moment to listen), at most 50 tries. */
async function scrape(child: ChildProcess, url: string): Promise<string> {
  let last: unknown;
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) throw new Error(`${EXPORTER} exited with ${child.exitCode}`);
    try {
      const r = await get(url);
      if (r.status === 200) return r.body;
      last = new Error(`HTTP ${r.status}`);
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no answer from ${EXPORTER}: ${String(last)}`);
}

test("node_exporter's textfile collector reads the service's file; promtool finds nothing to lint", async () => {
  requireTool(EXPORTER, "prometheus-node-exporter");
  requireTool("promtool", "prometheus");
  await withTempRoot(async (root) => {
    // A trial of new.conf with 2 tries left, booted; its required check "net" failed in 1.5 s.
    mkdirSync(path.join(root, "efi/loader/entries"), { recursive: true });
    writeFileSync(path.join(root, "efi/loader/entries/new+2-1.conf"), "title New\n");
    writeFileSync(path.join(root, "efi/loader/entries/old.conf"), "title Old\n");
    const vars = path.join(root, "vars");
    mkdirSync(vars);
    writeLoaderString(vars, "LoaderBootCountPath", "/loader/entries/new+2-1.conf");
    mkdirSync(path.join(root, "run/bootctl-ts"), { recursive: true });
    writeFileSync(path.join(root, "run/bootctl-ts/health.json"), JSON.stringify({
      verdict: "red",
      checks: [{ kind: "required", name: 'net "eth0"', path: "/x", status: 1, signal: null, timedOut: false, durationMs: 1500, output: "", ok: false }],
      hooks: [], skipped: [],
    }));
    const dir = path.join(root, "var/lib/prometheus/node-exporter");
    mkdirSync(dir, { recursive: true });
    const r = spawnSync(process.execPath, [SERVICE, "bless-boot", "bad", "--root", root, "--path", "/efi", "--efivars-path", vars], { encoding: "utf8", env: { ...process.env, BOOTCTL_TS_METRICS_FILE: "" } });
    assert.is(r.status, 0, r.stderr);
    assert.throws(() => readFileSync(path.join(dir, "bootctl-ts.prom")), /ENOENT/, "BOOTCTL_TS_METRICS_FILE= (empty) writes none");
    writeLoaderString(vars, "LoaderBootCountPath", "/loader/entries/new+2-1.conf");
    const env = { ...process.env };
    delete env.BOOTCTL_TS_METRICS_FILE;
    // The default file: node_exporter's Debian directory under the root.
    const s = spawnSync(process.execPath, [SERVICE, "bless-boot", "indeterminate", "--root", root, "--path", "/efi", "--efivars-path", vars], { encoding: "utf8", env });
    assert.is(s.status, 0, s.stderr);
    const file = path.join(dir, "bootctl-ts.prom");
    const text = readFileSync(file, "utf8");

    const lint = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8", timeout: 30_000 });
    assert.is(lint.status, 0, lint.stdout + lint.stderr);
    assert.is((lint.stdout + lint.stderr).trim(), "");

    const port = await freePort();
    const child = spawn(EXPORTER, [
      `--web.listen-address=127.0.0.1:${port}`, "--collector.disable-defaults", "--collector.textfile", `--collector.textfile.directory=${dir}`,
    ], { stdio: ["ignore", "ignore", "pipe"], timeout: 30_000, killSignal: "SIGKILL" });
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => { stderr += c.toString(); });
    try {
      const body = await scrape(child, `http://127.0.0.1:${port}/metrics`);
      const lines = body.split("\n");
      const has = (line: string) => assert.ok(lines.includes(line), `${line}\n--- scraped:\n${body}\n--- exporter:\n${stderr}`);
      has("node_textfile_scrape_error 0");
      // The exporter sorts labels by name.
      has('bootctl_ts_boot_assessment_state{loader="systemd-boot",state="indeterminate"} 1');
      has('bootctl_ts_boot_assessment_state{loader="systemd-boot",state="bad"} 0');
      has("bootctl_ts_boot_tries_left 2");
      has("bootctl_ts_rollbacks_total 0");
      has('bootctl_ts_health_check_success{check="net \\"eth0\\"",kind="required"} 0');
      has('bootctl_ts_health_check_duration_seconds{check="net \\"eth0\\"",kind="required"} 1.5');
      has("bootctl_ts_health_verdict_green 0");
      has("# TYPE bootctl_ts_rollbacks_total counter");
    } finally {
      child.kill("SIGKILL");
    }
  });
});

test.run();
