import { type ErrorCategory, OperatorError } from "@operator/core";

/** Base class of the store's own errors. `path` is the database file concerned. */
export class DatabaseError extends OperatorError {
  static override readonly defaultCategory: ErrorCategory = "database";
  override name = "DatabaseError";
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Another process held the database past the busy timeout (SQLITE_BUSY / SQLITE_LOCKED). */
export class DatabaseLockedError extends DatabaseError {
  override name = "DatabaseLockedError";
  constructor(
    path: string,
    readonly waitedMs: number,
    options?: ErrorOptions,
  ) {
    super(
      path,
      `Database ${path} is locked by another process (waited ${waitedMs} ms); try again, or stop the other writer`,
      options,
    );
  }
}

/** The file (or its directory) cannot be written: SQLITE_READONLY, EACCES/EPERM/EROFS, or a read-only store. */
export class DatabaseReadOnlyError extends DatabaseError {
  override name = "DatabaseReadOnlyError";
  constructor(path: string, detail: string, options?: ErrorOptions) {
    super(
      path,
      `Database ${path} is read-only (${detail}); check the file's and its directory's permissions and mount`,
      options,
    );
  }
}

/** The file exists but is not a SQLite database (SQLITE_NOTADB); it is left as it was. */
export class NotADatabaseError extends DatabaseError {
  override name = "NotADatabaseError";
  constructor(path: string, options?: ErrorOptions) {
    super(
      path,
      `File ${path} is not a SQLite database; it was not changed. Point the store at another path`,
      options,
    );
  }
}

/** The disk or the database's size limit is full (SQLITE_FULL); the transaction was rolled back. */
export class DatabaseFullError extends DatabaseError {
  override name = "DatabaseFullError";
  constructor(path: string, options?: ErrorOptions) {
    super(
      path,
      `Database ${path} is full (SQLITE_FULL): nothing was written; free disk space and retry`,
      options,
    );
  }
}

/** The file was migrated by a newer version of this package; it is refused without being written. */
export class SchemaTooNewError extends DatabaseError {
  override name = "SchemaTooNewError";
  constructor(
    path: string,
    readonly found: string,
    readonly known: number,
    options?: ErrorOptions,
  ) {
    super(
      path,
      `Database ${path} was written by a newer version of @operator/db (${found}; this version knows ${known} migrations); upgrade Operator, the file was not changed`,
      options,
    );
  }
}

/** The database has no ticket tables yet and was opened read-only, so it cannot be migrated. */
export class SchemaMissingError extends DatabaseError {
  override name = "SchemaMissingError";
  constructor(path: string, options?: ErrorOptions) {
    super(
      path,
      `Database ${path} has no ticket schema (or an older one); open it once read-write (e.g. start the monitor) to migrate it`,
      options,
    );
  }
}

/** The file cannot be opened or created: missing directory, permission, not a regular file. */
export class DatabaseOpenError extends DatabaseError {
  override name = "DatabaseOpenError";
  constructor(path: string, detail: string, options?: ErrorOptions) {
    super(path, `Cannot open database ${path}: ${detail}`, options);
  }
}

/** A cycle asked for a second unresolved ticket for one key; the database refused and nothing was written. */
export class DuplicateOpenTicketError extends DatabaseError {
  override name = "DuplicateOpenTicketError";
  constructor(
    path: string,
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(
      path,
      `Refused a second unresolved ticket for key ${key} in ${path}: the cycle was rolled back`,
      options,
    );
  }
}

/**
 * Another process holds the database's daemon lock (see `acquireDaemonLock`): a second daemon on one
 * database would double-count every cycle, so it is refused at once. `holder` is what that process
 * recorded, when it could be read.
 */
export class DaemonRunningError extends DatabaseError {
  override name = "DaemonRunningError";
  constructor(
    path: string,
    readonly lockPath: string,
    readonly holder: { readonly pid: number; readonly host: string; readonly startedAt: number } | undefined,
    options?: ErrorOptions,
  ) {
    const who = holder
      ? `pid ${holder.pid} on host ${holder.host} (since ${new Date(holder.startedAt).toISOString()})`
      : "another process";
    super(
      path,
      `Database ${path} is already used by a monitor daemon: ${who} holds ${lockPath}. Run one daemon per database: stop that one first, or give this one another --db. The lock is released when its process ends, even by kill -9, so a daemon that is gone never blocks a restart; only if ${lockPath} sits on a network file system whose host died with the lock held, delete that file`,
      options,
    );
  }
}

/**
 * The path no longer names the file this store opened: it was deleted, or another file was moved
 * over it. Every later write would go to the old, unreachable file, so the store refuses to write.
 */
export class DatabaseReplacedError extends DatabaseError {
  override name = "DatabaseReplacedError";
  constructor(
    path: string,
    readonly how: "deleted" | "replaced",
    options?: ErrorOptions,
  ) {
    super(
      path,
      how === "deleted"
        ? `Database ${path} was deleted while open: nothing more is written to it; its -wal/-shm files are renamed *.orphaned on close. Restore it, or restart to create a new one`
        : `Database ${path} was replaced by another file while open: nothing more is written to the old one; its -wal/-shm files are renamed *.orphaned on close. Restart to open the new file`,
      options,
    );
  }
}
