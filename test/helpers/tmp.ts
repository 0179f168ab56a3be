/** Temporary folders for tests, under os.tmpdir(), removed when the test file's tests are done. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * A fresh folder `<tmpdir>/<prefix>XXXXXX` that is removed after the file's tests. Call it at the top
 * level of a test file (it registers an afterAll hook); `sub()` gives fresh folders inside it.
 */
export function testTempDir(prefix: string): { path: string; sub: () => string } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(path, { recursive: true, force: true }));
  let n = 0;
  return { path, sub: () => mkdtempSync(join(path, `${n++}-`)) };
}
