import { type ErrorCategory, OperatorError } from "@operator/core";

/** Base class of the PostgreSQL store's own errors. `target` is the database, password redacted. */
export class PostgresStoreError extends OperatorError {
  static override readonly defaultCategory: ErrorCategory = "database";
  override name = "PostgresStoreError";
  constructor(
    readonly target: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The server could not be reached, refused the login, or the connection broke. */
export class PostgresUnavailableError extends PostgresStoreError {
  override name = "PostgresUnavailableError";
  constructor(target: string, detail: string, options?: ErrorOptions) {
    super(target, `PostgreSQL ${target} is unavailable (${detail})`, options);
  }
}

/** The connection settings are wrong (a bad URL, sslmode, or an unreadable password or CA file). */
export class PostgresConfigError extends PostgresStoreError {
  override name = "PostgresConfigError";
  static override readonly defaultCategory: ErrorCategory = "config";
}

/** The database was migrated by a newer version of Operator. */
export class PostgresSchemaTooNewError extends PostgresStoreError {
  override name = "PostgresSchemaTooNewError";
  constructor(target: string, found: string, known: number, options?: ErrorOptions) {
    super(
      target,
      `Database ${target} was written by a newer version of Operator (${found}; this version knows ${known} migrations); upgrade Operator`,
      options,
    );
  }
}

/** A read-only open found a database without Operator's (complete) schema. */
export class PostgresSchemaMissingError extends PostgresStoreError {
  override name = "PostgresSchemaMissingError";
  constructor(target: string, options?: ErrorOptions) {
    super(
      target,
      `Database ${target} has no Operator schema yet; "operator monitor" creates it, or check the database name`,
      options,
    );
  }
}

/** A cycle asked for a second unresolved ticket for a key; the cycle was rolled back. */
export class PostgresDuplicateOpenTicketError extends PostgresStoreError {
  override name = "DuplicateOpenTicketError";
  constructor(
    target: string,
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(target, `A second unresolved ticket for ${key} was refused; the cycle was rolled back`, options);
  }
}

/** A write through a store opened read-only. */
export class PostgresReadOnlyError extends PostgresStoreError {
  override name = "PostgresReadOnlyError";
  constructor(target: string) {
    super(target, `Database ${target} was opened read-only: nothing can be written through it`);
  }
}

/** SQLSTATE classes and codes that mean the server or the connection is the problem, not the query. */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "28P01",
  "28000",
  "3D000",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/**
 * Turns a driver error into the store's error: operator errors pass through, connection and login
 * failures become {@link PostgresUnavailableError}, anything else a {@link PostgresStoreError} with
 * the server's message. The password never appears: messages name the redacted target only.
 */
export function toStoreError(target: string, error: unknown): Error {
  if (error instanceof OperatorError) return error;
  const e = error as { code?: unknown; message?: unknown; errno?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  const message = typeof e.message === "string" ? e.message : String(error);
  if (UNAVAILABLE_CODES.has(code) || code.startsWith("08")) {
    return new PostgresUnavailableError(target, unavailableDetail(code, message), { cause: error });
  }
  return new PostgresStoreError(target, `PostgreSQL ${target}: ${message}${code ? ` (${code})` : ""}`, {
    cause: error,
  });
}

function unavailableDetail(code: string, message: string): string {
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused: is the server running and listening there?";
    case "28P01":
    case "28000":
      return `login refused: ${message}; check the user and the password`;
    case "3D000":
      return message;
    default:
      return message.length > 0 ? message : code;
  }
}
