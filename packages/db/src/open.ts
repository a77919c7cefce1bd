import { accessSync, chmodSync, closeSync, constants, existsSync, openSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "@operator/core";
import Database from "better-sqlite3";
import type { CycleLogRetention } from "./cycle.ts";
import { DatabaseOpenError, DatabaseReadOnlyError, type DatabaseReplacedError } from "./errors.ts";
import { assertMigrated, migrate } from "./migrations.ts";
import { withNativeBinding } from "./native-binding.ts";
import { needsPrivateCopy, openPrivateCopy } from "./read-only-copy.ts";
import { toDatabaseError } from "./sqlite-errors.ts";
import { createStore, type SqliteTicketStore } from "./store.ts";

/** Options of {@link openTicketStore}. */
export interface OpenTicketStoreOptions {
  /**
   * Open for reading only (for `tickets list/show` while the daemon runs): nothing is migrated or
   * written, and a file without the current schema is refused. @default false
   */
  readonly readonly?: boolean;
  /** The clock, in epoch ms, for cycle log retention and actions without a time. @default Date.now */
  readonly now?: () => number;
  /** How long the cycle log is kept. @default { maxRows: 50000, maxAgeMs: 30 days } */
  readonly cycleLogRetention?: CycleLogRetention;
  /**
   * How long to wait for another process's lock before failing with `DatabaseLockedError`. Opening
   * waits synchronously; later reads and writes retry asynchronously, without blocking the event
   * loop for more than {@link LOCK_POLL_MS} at a time. @default 5000
   */
  readonly busyTimeoutMs?: number;
  /**
   * Called when a write finds that the path no longer names the opened file (deleted, or another file
   * moved over it); the write then fails with `DatabaseReplacedError`. The daemon stops on it.
   */
  readonly onReplaced?: (error: DatabaseReplacedError) => void;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** The connection's own busy timeout after opening: the longest one attempt blocks the event loop. */
export const LOCK_POLL_MS = 50;
const DEFAULT_RETENTION = { maxRows: 50_000, maxAgeMs: 30 * 24 * 60 * 60 * 1000 };

/**
 * Opens (creating it, readable by its owner only, if new) the ticket database at `path`, applies the
 * committed migrations, and returns the store. Every failure is a typed `DatabaseError` naming the file.
 *
 * @example
 * const store = openTicketStore("/var/lib/operator/operator.db");
 * const { tickets } = await store.listTickets({ severity: ["critical"] });
 * store.close();
 */
export function openTicketStore(path: string, options: OpenTicketStoreOptions = {}): SqliteTicketStore {
  if (typeof path !== "string" || path === "") throw new ConfigError("Missing database path");
  const file = resolve(path);
  const readonly = options.readonly ?? false;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const retention = { ...DEFAULT_RETENTION, ...options.cycleLogRetention };
  assertWhole("busyTimeoutMs", busyTimeoutMs, 0);
  assertWhole("cycleLogRetention.maxRows", retention.maxRows, 1);
  assertWhole("cycleLogRetention.maxAgeMs", retention.maxAgeMs, 1);
  prepareFile(file, readonly);
  const context = { path: file, now: options.now ?? Date.now, retention, busyTimeoutMs, readonly };
  let sqlite: Database.Database | undefined;
  try {
    sqlite = new Database(file, withNativeBinding({ readonly, fileMustExist: true, timeout: busyTimeoutMs }));
    configure(sqlite, file, readonly);
    sqlite.pragma(`busy_timeout = ${Math.min(LOCK_POLL_MS, busyTimeoutMs)}`);
    const { dev, ino } = statSync(file);
    const store = createStore(sqlite, {
      ...context,
      identity: { dev, ino },
      ...(options.onReplaced ? { onReplaced: options.onReplaced } : {}),
    });
    restrictSideFiles(file);
    return store;
  } catch (error) {
    sqlite?.close();
    if (readonly && needsPrivateCopy(file, error)) return openPrivateCopy(file, context);
    throw toDatabaseError(file, error, busyTimeoutMs);
  }
}

// --- Internal helpers ---

function assertWhole(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`Invalid store option ${name}: ${value} (expected a whole number >= ${min})`);
  }
}

/** Checks the path and, for a new read-write database, creates the file with mode 0600. */
function prepareFile(file: string, readonly: boolean): void {
  if (!existsSync(file)) {
    if (!existsSync(dirname(file))) {
      throw new DatabaseOpenError(file, `directory ${dirname(file)} does not exist`);
    }
    if (readonly) throw new DatabaseOpenError(file, "the file does not exist (opened read-only)");
    try {
      closeSync(openSync(file, "wx", 0o600));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") {
        throw new DatabaseOpenError(file, `cannot create the file (${code ?? String(error)})`, {
          cause: error,
        });
      }
    }
    return;
  }
  if (!statSync(file).isFile()) throw new DatabaseOpenError(file, "not a regular file");
  if (!readonly) {
    try {
      accessSync(file, constants.R_OK | constants.W_OK);
    } catch (error) {
      throw new DatabaseReadOnlyError(file, "no write permission on the file", { cause: error });
    }
  }
}

/**
 * Reads the schema version first (which also detects a file that is not a database) so that a file
 * this build must refuse is never written, then sets the pragmas and migrates.
 */
function configure(sqlite: Database.Database, file: string, readonly: boolean): void {
  if (readonly) {
    assertMigrated(sqlite, file);
    return;
  }
  assertMigratable(sqlite, file);
  // WAL lets the CLI read while the daemon writes. synchronous=NORMAL in WAL mode may lose the last
  // commits on power loss but never on a process crash (kill -9), and never corrupts the file; that
  // trade keeps each cycle's commit cheap.
  const mode = sqlite.pragma("journal_mode = WAL", { simple: true });
  if (mode !== "wal") {
    throw new DatabaseOpenError(file, `cannot switch to WAL journal mode (got ${String(mode)})`);
  }
  sqlite.pragma("synchronous = NORMAL");
  // After a checkpoint, shrink a -wal file that a burst of writes made large.
  sqlite.pragma("journal_size_limit = 67108864");
  sqlite.pragma("foreign_keys = ON");
  migrate(sqlite, file);
}

function assertMigratable(sqlite: Database.Database, file: string): void {
  try {
    assertMigrated(sqlite, file);
  } catch (error) {
    if ((error as Error).name !== "SchemaMissingError") throw error;
  }
}

/** SQLite gives -wal/-shm the main file's mode; this keeps them private even if it was loosened. */
function restrictSideFiles(file: string): void {
  for (const suffix of ["-wal", "-shm"]) {
    try {
      if ((statSync(file + suffix).mode & 0o077) !== 0) chmodSync(file + suffix, 0o600);
    } catch {
      // Absent (read-only open, or not created yet): nothing to restrict.
    }
  }
}
