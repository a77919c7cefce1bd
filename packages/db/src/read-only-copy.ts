import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import Database from "better-sqlite3";
import { assertMigrated } from "./migrations.ts";
import { withNativeBinding } from "./native-binding.ts";
import { errorCode, toDatabaseError } from "./sqlite-errors.ts";
import { createStore, type SqliteTicketStore, type StoreContext } from "./store.ts";

/**
 * True when a read-only open of a WAL database failed only because SQLite cannot create its `-shm`
 * (and `-wal`) files beside it: SQLITE_CANTOPEN in a directory that cannot be written (read-only
 * media, a snapshot being checked).
 */
export function needsPrivateCopy(file: string, error: unknown): boolean {
  if (!errorCode(error).startsWith("SQLITE_CANTOPEN")) return false;
  try {
    accessSync(dirname(file), constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

/**
 * Opens, read-only, a private copy of `file` (and of its `-wal`, so commits not yet checkpointed are
 * seen) in a fresh directory under the system's temporary directory; nothing is written beside the
 * original. The copy is removed when the store is closed. (SQLite's `immutable` open would need no
 * copy but ignores a `-wal` file, silently hiding its commits.)
 */
export function openPrivateCopy(
  file: string,
  context: Omit<StoreContext, "identity" | "onClose">,
): SqliteTicketStore {
  const dir = mkdtempSync(join(tmpdir(), "operator-readonly-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const copy = join(dir, basename(file));
  let sqlite: Database.Database | undefined;
  try {
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    sqlite = new Database(
      copy,
      withNativeBinding({ readonly: true, fileMustExist: true, timeout: context.busyTimeoutMs }),
    );
    assertMigrated(sqlite, file);
    return createStore(sqlite, { ...context, onClose: remove });
  } catch (error) {
    sqlite?.close();
    remove();
    throw toDatabaseError(file, error, context.busyTimeoutMs);
  }
}
