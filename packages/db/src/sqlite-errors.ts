import { isOperatorError } from "@operator/core";
import {
  DatabaseError,
  DatabaseFullError,
  DatabaseLockedError,
  DatabaseOpenError,
  DatabaseReadOnlyError,
  NotADatabaseError,
} from "./errors.ts";

/**
 * Turns what better-sqlite3 or `fs` threw into one of the store's typed errors naming the file.
 * Operator errors and errors without a code (a bug in a plan function, say) pass through; other
 * SQLite and system errors are wrapped in a plain {@link DatabaseError} that keeps the original as `cause`.
 */
export function toDatabaseError(path: string, error: unknown, busyTimeoutMs: number): Error {
  const code = errorCode(error);
  if (isOperatorError(error) || code === "") return error instanceof Error ? error : new Error(String(error));
  const options = { cause: error };
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new DatabaseLockedError(path, busyTimeoutMs, options);
  }
  if (code.startsWith("SQLITE_READONLY")) return new DatabaseReadOnlyError(path, code, options);
  if (code === "SQLITE_NOTADB") return new NotADatabaseError(path, options);
  if (code === "SQLITE_FULL") return new DatabaseFullError(path, options);
  if (code.startsWith("SQLITE_CANTOPEN")) {
    return new DatabaseOpenError(path, `SQLite cannot open it or its -wal/-shm files (${code})`, options);
  }
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return new DatabaseReadOnlyError(path, code, options);
  }
  if (code === "ENOSPC") return new DatabaseFullError(path, options);
  if (code.startsWith("SQLITE_CORRUPT")) {
    return new DatabaseError(
      path,
      `Database ${path} is corrupt (${code}); restore it from a backup`,
      options,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DatabaseError(path, `Database ${path} failed: ${message} (${code})`, options);
}

/** The `code` of a SqliteError or a Node system error, or "". */
export function errorCode(error: unknown): string {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return "";
}
