import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory for this test file, removed after its tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "operator-db-test-"));
  dirs.push(dir);
  return dir;
}

/** A path for a new database file in a fresh directory. */
export function tempDbPath(name = "operator.db"): string {
  return join(tempDir(), name);
}
