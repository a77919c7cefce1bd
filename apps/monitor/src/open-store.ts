import { existsSync } from "node:fs";
import type {
  CycleLogEntry,
  NotificationStore,
  Severity,
  SilenceStore,
  TicketStatus,
  TicketStore,
} from "@operator/core";
import type { DaemonLock, OpenTicketStoreOptions } from "@operator/db";
import { isPostgresDb } from "./db-target.ts";
import { EXIT, ExitError } from "./exit-codes.ts";

/** What every command needs of a ticket store, SQLite or PostgreSQL. */
export interface CliStore extends TicketStore, NotificationStore, SilenceStore {
  /** Unresolved tickets per severity, for the daemon's metrics. */
  openTicketCounts(): Record<Severity, number> | Promise<Record<Severity, number>>;
  /** Every ticket by status and unresolved ones by severity, for `GET /api/v1/status`. */
  ticketCounts(): Promise<{
    readonly byStatus: Record<TicketStatus, number>;
    readonly bySeverity: Record<Severity, number>;
  }>;
  /** The subjects the database knows of. */
  knownSubjects(): Promise<string[]>;
  /** The latest cycle log entries, newest first. */
  recentCycles(limit: number): CycleLogEntry[] | Promise<CycleLogEntry[]>;
  close(): void | Promise<void>;
}

/**
 * Opens the ticket store `db` names: a PostgreSQL database for a `postgres://` or `postgresql://`
 * URL (password from the URL, `PGPASSWORD` or the file named by `OPERATOR_DB_PASSWORD_FILE`; TLS from
 * the URL's `sslmode` and `sslrootcert` or `PGSSLMODE`/`PGSSLROOTCERT`), else the SQLite file at that
 * path. Commands that only read or change existing tickets pass `mustExist`, so a mistyped `--db`
 * says the file does not exist instead of creating an empty database; `readonly` opens it without
 * taking write locks (on PostgreSQL: read-only transactions, no migration). The store packages are
 * imported here, lazily, so commands that never touch the database load neither driver.
 */
export async function openStore(
  db: string,
  options: {
    readonly?: boolean;
    mustExist?: boolean;
    onReplaced?: OpenTicketStoreOptions["onReplaced"];
    /** On PostgreSQL: end a transaction left idle this long (a paused daemon's), releasing its locks. */
    idleInTransactionTimeoutMs?: number;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<CliStore> {
  if (isPostgresDb(db)) {
    const { openPostgresTicketStore } = await importPostgres();
    const env = options.env ?? process.env;
    const passwordFile = env.OPERATOR_DB_PASSWORD_FILE;
    return openPostgresTicketStore(db, {
      readonly: options.readonly ?? false,
      env,
      ...(passwordFile ? { passwordFile } : {}),
      ...(options.idleInTransactionTimeoutMs === undefined
        ? {}
        : { idleInTransactionTimeoutMs: options.idleInTransactionTimeoutMs }),
    });
  }
  if (options.mustExist && !existsSync(db)) {
    throw new ExitError(
      EXIT.database,
      `Database ${db} does not exist (pass --db or set OPERATOR_DB; "operator monitor" creates it)`,
    );
  }
  const { openTicketStore } = await import("@operator/db");
  return openTicketStore(db, {
    readonly: options.readonly ?? false,
    ...(options.onReplaced ? { onReplaced: options.onReplaced } : {}),
  });
}

/** Takes the "one daemon per SQLite file" lock for `db`, or fails at once, naming the process that holds it (exit 4). */
export async function lockDatabase(db: string): Promise<DaemonLock> {
  const { acquireDaemonLock } = await import("@operator/db");
  return acquireDaemonLock(db);
}

async function importPostgres(): Promise<typeof import("@operator/db-postgres")> {
  try {
    return await import("@operator/db-postgres");
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new ExitError(
      EXIT.database,
      "A postgres:// database needs the package @operator/db-postgres: install it beside Operator",
    );
  }
}
