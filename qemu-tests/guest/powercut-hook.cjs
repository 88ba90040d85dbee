/*
 * Power-cut hook for the QEMU suite, preloaded into the real bootctl-ts in the guest with
 * `node --require /app/qemu/powercut-hook.cjs` (the `clicut` step of guest/init.sh).
 *
 * BTQ_CUT=WHEN:OP:N[:MATCH] (WHEN is before|after; OP one of rename, copyFile, unlink, open-write,
 * write — a write through a handle opened for writing) stops the process at the N-th call of that
 * operation on a path containing MATCH (any path without it), before or after it ran: it prints
 * BTQ:FROZEN on the console and blocks forever, without closing, syncing or unmounting anything.
 * The host then kills QEMU (a power cut at exactly that point). Every watched call is also
 * reported as BTQ:FS_OP=OP N PATH, so the transcript shows what was done before the cut.
 *
 * It patches the node:fs/promises functions the durable-fs and efivarfs adapters call; the
 * bundled CLI looks them up on the module object at each call, so the patch is seen. Nothing in
 * bootctl-ts is changed.
 */
"use strict";
const fs = require("node:fs");
const fsp = require("node:fs/promises");

const spec = process.env.BTQ_CUT || "";
const m = /^(before|after):(rename|copyFile|unlink|open-write|write):([0-9]+)(?::(.+))?$/.exec(spec);
if (spec !== "" && !m) {
  console_(`BTQ:STEP_ERROR=bad BTQ_CUT ${spec}`);
}
const cut = m ? { when: m[1], op: m[2], nth: Number(m[3]), match: m[4] || "" } : undefined;
const counts = Object.create(null);

function console_(line) {
  try {
    const fd = fs.openSync("/dev/console", "w");
    fs.writeSync(fd, line + "\n");
    fs.closeSync(fd);
  } catch {
    process.stderr.write(line + "\n");
  }
}

function uptime() {
  try {
    return fs.readFileSync("/proc/uptime", "utf8").split(" ")[0];
  } catch {
    return "?";
  }
}

function freeze(op, n, when, path) {
  console_(`BTQ:FROZEN=${when} ${op} ${n} ${path} up=${uptime()}`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0);
}

function isWrite(flags) {
  if (typeof flags === "number") return (flags & 3) !== 0;
  return typeof flags === "string" && /[wa+]/.test(flags);
}

/** Runs `call` as the next `op` on `path`, freezing before or after it when that is the cut. */
async function around(op, path, call) {
  const n = (counts[op] = (counts[op] || 0) + 1);
  console_(`BTQ:FS_OP=${op} ${n} ${path}`);
  let hit = false;
  if (cut && cut.op === op && path.includes(cut.match)) {
    const key = `cut:${op}`;
    counts[key] = (counts[key] || 0) + 1;
    hit = counts[key] === cut.nth;
  }
  if (hit && cut.when === "before") freeze(op, n, "before", path);
  const result = await call();
  if (hit && cut.when === "after") freeze(op, n, "after", path);
  return result;
}

function watch(name, op, pathArg, filter) {
  const original = fsp[name];
  fsp[name] = async function patched(...args) {
    if (filter && !filter(args)) return original.apply(this, args);
    const path = String(args[pathArg]);
    const result = await around(op, path, () => original.apply(this, args));
    // Writes through a handle opened for writing are watched too (efivarfs variables).
    if (op === "open-write" && result && typeof result.write === "function") {
      const write = result.write;
      result.write = (...wargs) => around("write", path, () => write.apply(result, wargs));
    }
    return result;
  };
}

watch("rename", "rename", 1);
watch("copyFile", "copyFile", 1);
watch("unlink", "unlink", 0);
watch("open", "open-write", 0, (args) => isWrite(args[1]));
