import { closeSync, existsSync, openSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { DaemonRunningError, DatabaseError, DatabaseOpenError } from "./errors.ts";
import { withNativeBinding } from "./native-binding.ts";
import { errorCode, toDatabaseError } from "./sqlite-errors.ts";

/** Who holds a database's daemon lock, as the holder recorded it. */
export interface DaemonLockHolder {
  readonly pid: number;
  readonly host: string;
  /** When the holder took the lock, epoch ms. */
  readonly startedAt: number;
}

/** A held daemon lock; the operating system releases it when the process ends, however it ends. */
export interface DaemonLock {
  /** The lock file, `<database>.lock`. */
  readonly path: string;
  /** Releases the lock (idempotent). */
  release(): void;
}

/**
 * Takes the exclusive "one daemon per database" lock for the database at `dbPath`, at once or not at
 * all: when another process holds it, throws {@link DaemonRunningError} naming that process's pid
 * and host. The lock is SQLite's write lock on a small side database `<dbPath>.lock` (in WAL mode, so
 * the holder's record stays readable), held by an open transaction for as long as the process lives.
 * It is a POSIX advisory lock, which the kernel drops when the process exits or is killed (SIGKILL
 * included), so a restart after a crash is never refused and no pid liveness check is needed.
 * The ticket database itself is not locked: CLI commands keep working beside the daemon.
 */
export function acquireDaemonLock(dbPath: string, now: () => number = Date.now): DaemonLock {
  const file = resolve(dbPath);
  const path = `${file}.lock`;
  if (!existsSync(dirname(file)))
    throw new DatabaseOpenError(file, `directory ${dirname(file)} does not exist`);
  let sqlite: Database.Database | undefined;
  try {
    closeSync(openSync(path, "a", 0o600));
    sqlite = new Database(path, withNativeBinding({ timeout: 0 }));
    const lock = sqlite;
    if (lock.pragma("journal_mode", { simple: true }) !== "wal") lock.pragma("journal_mode = WAL");
    const hasTable = lock
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'holder'")
      .get();
    if (hasTable === undefined) {
      lock.exec(
        "CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, host TEXT NOT NULL, started_at INTEGER NOT NULL)",
      );
    }
    // Take the lock, record ourselves, then hold the lock again for good. Should another daemon slip
    // in between the commit and the second BEGIN, it holds the lock and this one is refused.
    lock.exec("BEGIN IMMEDIATE");
    lock.exec("DELETE FROM holder");
    lock
      .prepare("INSERT INTO holder (pid, host, started_at) VALUES (?, ?, ?)")
      .run(process.pid, hostname(), now());
    lock.exec("COMMIT");
    lock.exec("BEGIN IMMEDIATE");
    held.add(lock);
    return {
      path,
      release() {
        held.delete(lock);
        if (lock.open) lock.close();
      },
    };
  } catch (error) {
    const busy = errorCode(error).startsWith("SQLITE_BUSY") || errorCode(error).startsWith("SQLITE_LOCKED");
    const holder = busy && sqlite ? readHolder(sqlite) : undefined;
    sqlite?.close();
    if (busy) throw new DaemonRunningError(file, path, holder, { cause: error });
    const mapped = toDatabaseError(path, error, 0);
    if (mapped instanceof DatabaseError) throw mapped;
    throw new DatabaseError(path, `Cannot take the daemon lock ${path}: ${mapped.message}`, { cause: error });
  }
}

// --- Internal helpers ---

/**
 * Every lock this process holds. A connection that became unreachable would be closed by the garbage
 * collector, silently dropping the lock while the daemon runs; keeping it here until `release()`
 * ties the lock to the process, as documented, whatever the caller does with the handle.
 */
const held = new Set<Database.Database>();

function readHolder(sqlite: Database.Database): DaemonLockHolder | undefined {
  try {
    const row = sqlite.prepare("SELECT pid, host, started_at AS startedAt FROM holder LIMIT 1").get() as
      | DaemonLockHolder
      | undefined;
    return row;
  } catch {
    return undefined;
  }
}
