/**
 * The binary's stdout/stderr writer (src/cli/stdio.ts): whole writes, EAGAIN waited out, the
 * first failure kept and later output dropped; and the binary's exit policy around it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, constants, mkdirSync, openSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { FdWriter } from "../../src/cli/stdio.ts";
import { CLI } from "../support/cli.ts";
import { withTempRoot } from "../support/tmp.ts";

test("a FIFO opened non-blocking: writes that meet a full pipe (EAGAIN) wait and deliver every byte", async () => {
  await withTempRoot(async (root) => {
    const fifo = path.join(root, "fifo");
    assert.is(spawnSync("mkfifo", [fifo]).status, 0);
    // The reader starts late, so the 64 KiB pipe fills and write(2) answers EAGAIN.
    const reader = spawn("sh", ["-c", 'sleep 0.3; wc -c < "$0"', fifo], { stdio: ["ignore", "pipe", "inherit"] });
    let counted = "";
    reader.stdout.on("data", (d: Buffer) => (counted += d.toString()));
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const writer = new FdWriter(fd);
    const chunk = "é".repeat(300_000); // 600,000 bytes, more than any pipe buffer
    try {
      assert.is(writer.write(chunk), true);
      assert.is(writer.write("end\n"), true);
      assert.is(writer.failure, undefined);
    } finally {
      closeSync(fd);
    }
    await new Promise((resolve) => reader.on("close", resolve));
    assert.is(Number(counted.trim()), 600_004);
  });
});

test("a pipe whose reader is gone: the first write fails with EPIPE, later writes are dropped", () => withTempRoot((root) => {
  const fifo = path.join(root, "fifo");
  assert.is(spawnSync("mkfifo", [fifo]).status, 0);
  const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeEnd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  closeSync(readEnd); // Node ignores SIGPIPE: write(2) answers EPIPE
  const writer = new FdWriter(writeEnd);
  try {
    assert.is(writer.write("lost\n"), false);
    assert.is(writer.failure, "EPIPE");
    assert.is(writer.write("also lost\n"), false);
    assert.is(writer.failure, "EPIPE");
  } finally {
    closeSync(writeEnd);
  }
}));

test("`list | head -c 20` over a long menu: exit 0 and nothing on stderr (a closed pipe is not an error)", () => withTempRoot((root) => {
  const entries = path.join(root, "esp/loader/entries");
  mkdirSync(entries, { recursive: true });
  for (let i = 0; i < 3000; i++) writeFileSync(path.join(entries, `e-${i}.conf`), `title Entry ${i}\nversion ${i}\nlinux /vmlinuz-${i}\n`);
  const esp = path.join(root, "esp");
  const r = spawnSync("bash", ["-c", 'NO_COLOR=1 node "$0" --esp-path "$1" --boot-path "$1" list 2>"$2" | head -c 20 >/dev/null; echo "${PIPESTATUS[0]}"; cat "$2"', CLI, esp, path.join(root, "stderr")], { encoding: "utf8" });
  assert.is(r.stdout, "0\n");
}));

test("colour: FORCE_COLOR=1 styles the title (chalk, loaded only then); NO_COLOR or --no-color wins over it", () => withTempRoot((root) => {
  const entries = path.join(root, "esp/loader/entries");
  mkdirSync(entries, { recursive: true });
  writeFileSync(path.join(entries, "a.conf"), "title Alpha\nlinux /vmlinuz\n");
  const esp = path.join(root, "esp");
  const { FORCE_COLOR: _uvu, NO_COLOR: _no, ...env } = process.env;
  const run = (extraEnv: Record<string, string>, args: string[] = []) =>
    spawnSync(process.execPath, [CLI, ...args, "--esp-path", esp, "--boot-path", esp, "list"], { encoding: "utf8", env: { ...env, ...extraEnv } });
  const coloured = run({ FORCE_COLOR: "1" });
  assert.is(coloured.status, 0, coloured.stderr);
  assert.ok(coloured.stdout.includes("title: \x1b[1mAlpha\x1b[22m"), JSON.stringify(coloured.stdout));
  for (const plain of [run({ FORCE_COLOR: "1", NO_COLOR: "1" }), run({ FORCE_COLOR: "1" }, ["--no-color"]), run({})]) {
    assert.is(plain.status, 0, plain.stderr);
    assert.ok(plain.stdout.includes("title: Alpha"), plain.stdout);
    assert.not.match(plain.stdout, /\x1b/);
  }
}));

test("isTTY: false for a pipe, a file and /dev/null (a character device that is no terminal)", () => withTempRoot((root) => {
  const file = openSync(path.join(root, "out"), "w");
  const devNull = openSync("/dev/null", "w");
  try {
    assert.is(new FdWriter(file).isTTY, false);
    assert.is(new FdWriter(devNull).isTTY, false);
  } finally {
    closeSync(file);
    closeSync(devNull);
  }
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", `import("${path.resolve("src/cli/stdio.ts")}").then(({ FdWriter }) => process.stderr.write(String(new FdWriter(1).isTTY)))`], { encoding: "utf8" });
  assert.is(r.stderr, "false", "stdout is a pipe here");
  const tty = spawnSync("script", ["-qec", `${process.execPath} --import tsx -e 'import("${path.resolve("src/cli/stdio.ts")}").then(({ FdWriter }) => console.log("tty=" + new FdWriter(1).isTTY))'`, "/dev/null"], { encoding: "utf8" });
  assert.is(tty.status, 0, `script(1) from bsdutils: ${tty.stderr}`);
  assert.match(tty.stdout, /tty=true/, "a terminal (script's pseudo-terminal) is one");
}));

test("list to /dev/null or a pipe without NO_COLOR decides on colour without loading Node's tty module", () => withTempRoot((root) => {
  const entries = path.join(root, "esp/loader/entries");
  mkdirSync(entries, { recursive: true });
  writeFileSync(path.join(entries, "a.conf"), "title Alpha\n");
  const esp = path.join(root, "esp");
  const probe = path.join(root, "probe.cjs");
  writeFileSync(probe, `process.on("exit", () => require("node:fs").writeSync(2, "tty-loaded=" + process.moduleLoadList.includes("NativeModule tty") + "\\n"));\n`);
  const { FORCE_COLOR: _uvu, NO_COLOR: _no, ...env } = process.env;
  const devNull = openSync("/dev/null", "w");
  try {
    for (const stdout of [devNull, "pipe"] as const) {
      const r = spawnSync(process.execPath, ["-r", probe, CLI, "--esp-path", esp, "--boot-path", esp, "list"], { encoding: "utf8", env, stdio: ["ignore", stdout, "pipe"] });
      assert.is(r.status, 0, r.stderr);
      assert.match(r.stderr, /tty-loaded=false/, String(stdout));
    }
  } finally {
    closeSync(devNull);
  }
}));

test.run();
