/**
 * Error codes (src/errors.ts): a typed union, one code per condition.
 * - tsc rejects a code that is not in the union (the `@ts-expect-error` lines below fail the
 *   typecheck of `npm test` as soon as an unknown code is accepted);
 * - every code of the union is listed once and thrown somewhere in src/ (no dead or twin names);
 * - a missing boot partition is one condition with one code, wherever it is found missing;
 * - no error is swallowed: a failure becomes a value only for a named errno, and a cleanup
 *   failure is kept on the error that caused the cleanup.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { BootctlError, FileError, ParseError, UsageError, cleanUpAfter, hasErrno, whenErrno, type ErrorCode } from "../src/errors.ts";
import { discoverBootPartitions } from "../src/adapters/esp-discovery.ts";
import { predict } from "../src/actions/predict.ts";
import { withTempRoot } from "./support/tmp.ts";

const SRC = new URL("../src/", import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sourceFiles(p) : d.name.endsWith(".ts") ? [p] : [];
  });
}

test("tsc rejects codes that are not in the union", () => {
  // @ts-expect-error an unknown code
  const a = new BootctlError("E_NO_SUCH_CODE", "x");
  // @ts-expect-error an unknown code
  const b = new ParseError("E_GRUB_SINTAX", "x", { line: 1 });
  // @ts-expect-error an unknown code
  const c = new FileError("E_ESP_NOT_FOUND", "x", "/");
  // @ts-expect-error an unknown code
  const d = new UsageError("x", "E_BAD_USAGE");
  // @ts-expect-error a code is not any string
  const e: ErrorCode = "E_" + "READ";
  for (const err of [a, b, c, d]) assert.instance(err, BootctlError);
  assert.is(e, "E_READ");
});

test("every code in the union is listed once and thrown in src/", () => {
  const errorsTs = readFileSync(path.join(SRC, "errors.ts"), "utf8");
  const union = errorsTs.slice(errorsTs.indexOf("export type ErrorCode ="), errorsTs.indexOf(";", errorsTs.indexOf("export type ErrorCode =")));
  const listed = [...union.matchAll(/"(E_[A-Z0-9_]+)"/g)].map((m) => m[1]!);
  assert.ok(listed.length > 50, "the union was found");
  assert.equal(listed.filter((c, i) => listed.indexOf(c) !== i), [], "listed twice");
  const rest = sourceFiles(SRC).filter((f) => !f.endsWith(`${path.sep}errors.ts`)).map((f) => readFileSync(f, "utf8")).join("\n");
  const unused = listed.filter((c) => c !== "E_USAGE" && !rest.includes(`"${c}"`));
  assert.equal(unused, [], "codes no module throws");
});

test("a missing boot partition has one code, E_NO_BOOT_PARTITION, wherever it is found missing", async () => {
  await withTempRoot(async (root) => {
    const given = (() => {
      try {
        discoverBootPartitions({ root, espPath: "/efi" });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    assert.instance(given, BootctlError);
    assert.is((given as BootctlError).code, "E_NO_BOOT_PARTITION");
    assert.match((given as BootctlError).message, "--esp-path /efi: no such directory under");
    const none = await predict({ root, loader: "systemd-boot", failures: { kind: "counted" } }).catch((err: unknown) => err);
    assert.instance(none, BootctlError);
    assert.is((none as BootctlError).code, "E_NO_BOOT_PARTITION");
  });
});

const sys = (code: string) => Object.assign(new Error(code), { code });

test("whenErrno turns only the named errnos into a value; hasErrno sees through FileError", async () => {
  assert.is(await Promise.reject(sys("ENOENT")).catch(whenErrno("none", "ENOENT", "ENOTDIR")), "none");
  const eio = await Promise.reject(sys("EIO")).catch(whenErrno("none", "ENOENT")).catch((err: unknown) => err);
  assert.is((eio as { code: string }).code, "EIO");
  assert.ok(hasErrno(new FileError("E_READ", "x", "/f", sys("EACCES")), "EACCES"));
  assert.not.ok(hasErrno(new BootctlError("E_READ", "x"), "E_READ"), "a BootctlError's code is no errno");
});

test("cleanUpAfter keeps the primary error and records the cleanup's failure on it", async () => {
  const primary = new FileError("E_WRITE", "cannot write", "/f", sys("ENOSPC"));
  await cleanUpAfter(primary, async () => { throw sys("EROFS"); });
  assert.equal((primary as { suppressed?: unknown[] }).suppressed?.map((e) => (e as { code: string }).code), ["EROFS"]);
  await cleanUpAfter(primary, async () => undefined);
  assert.is((primary as { suppressed?: unknown[] }).suppressed?.length, 1);
});

test("src/ swallows no error: no `.catch(() => …)` and no bare `catch {`", () => {
  const offenders = sourceFiles(SRC).flatMap((f) => readFileSync(f, "utf8").split("\n").map((line, i) => ({ f, i, line })))
    .filter(({ line }) => /\.catch\(\s*\(\s*\)\s*=>|\bcatch\s*\{/.test(line) && !/^\s*(\*|\/\/)/.test(line))
    .map(({ f, i, line }) => `${path.relative(SRC, f)}:${i + 1}: ${line.trim()}`);
  assert.equal(offenders, []);
});

test.run();
