/** Temporary directories for tests: each test gets a fresh root and removes it afterwards. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export function makeTempRoot(prefix = "bootctl-ts-test-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function removeTempRoot(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Run `body` with a fresh temporary directory that is removed afterwards, whatever happens. */
export async function withTempRoot<T>(body: (root: string) => Promise<T> | T): Promise<T> {
  const root = makeTempRoot();
  try {
    return await body(root);
  } finally {
    removeTempRoot(root);
  }
}
