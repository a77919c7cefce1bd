import { ConfigError } from "@operator/core";
import postgres from "postgres";
import { type ConnectionSettings, connectionSettings, type PostgresConnectionOptions } from "./connection.ts";
import type { CycleLogRetention } from "./cycle.ts";
import { toStoreError } from "./errors.ts";
import { assertMigrated, migrate } from "./migrations.ts";
import { createStore, type PostgresTicketStore } from "./store.ts";

/** Options of {@link openPostgresTicketStore}. */
export interface OpenPostgresStoreOptions extends PostgresConnectionOptions {
  /**
   * Open for reading only: nothing is migrated, writes are refused, and every transaction is
   * read-only on the server too (`default_transaction_read_only`). A database without the current
   * schema is refused. @default false
   */
  readonly readonly?: boolean;
  /**
   * The clock, in epoch ms, for cycle log retention and actions without a time, and (when given) for
   * leases, which otherwise run on the database's clock so that replicas' clocks do not matter.
   * @default Date.now
   */
  readonly now?: () => number;
  /** How long the cycle log is kept. @default { maxRows: 50000, maxAgeMs: 30 days } */
  readonly cycleLogRetention?: CycleLogRetention;
  /** Connections in the pool. @default 4 */
  readonly maxConnections?: number;
  /** How long to wait for a connection, in seconds. @default 10 */
  readonly connectTimeoutSeconds?: number;
  /**
   * A transaction left idle this long (a paused or partitioned process) is ended by the server,
   * releasing the write lock it held. @default 60000
   */
  readonly idleInTransactionTimeoutMs?: number;
}

const DEFAULT_RETENTION = { maxRows: 50_000, maxAgeMs: 30 * 24 * 60 * 60 * 1000 };

/**
 * Connects to the PostgreSQL database at `url` (`postgres://` or `postgresql://`), applies the
 * committed migrations (one replica at a time, under an advisory lock), and returns the store.
 * Every failure is an `OperatorError` whose message names the database without its password.
 *
 * @example
 * const store = await openPostgresTicketStore("postgres://operator@db.internal/operator", {
 *   passwordFile: "/etc/operator/db-password",
 *   sslmode: "verify-full",
 * });
 * const { tickets } = await store.listTickets({ severity: ["critical"] });
 * await store.close();
 */
export async function openPostgresTicketStore(
  url: string,
  options: OpenPostgresStoreOptions = {},
): Promise<PostgresTicketStore> {
  if (typeof url !== "string" || url === "") throw new ConfigError("Missing PostgreSQL URL");
  const settings = connectionSettings(url, options);
  const readonly = options.readonly ?? false;
  const retention = { ...DEFAULT_RETENTION, ...options.cycleLogRetention };
  assertWhole("cycleLogRetention.maxRows", retention.maxRows, 1);
  assertWhole("cycleLogRetention.maxAgeMs", retention.maxAgeMs, 1);
  const sql = connect(settings, options, readonly);
  try {
    if (readonly) await assertMigrated(sql, settings.target);
    else await migrate(sql, settings.target);
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    throw toStoreError(settings.target, error);
  }
  return createStore(sql, {
    target: settings.target,
    now: options.now ?? Date.now,
    leaseNow: options.now,
    retention,
    readonly,
  });
}

/** Epoch-ms and count columns are `bigint`: read them as numbers (all fit in 2^53). */
const INT8_AS_NUMBER = {
  to: 20,
  from: [20],
  serialize: (value: number | bigint) => String(value),
  parse: (value: string) => Number(value),
};

function connect(settings: ConnectionSettings, options: OpenPostgresStoreOptions, readonly: boolean) {
  const idle = options.idleInTransactionTimeoutMs ?? 60_000;
  assertWhole("idleInTransactionTimeoutMs", idle, 0);
  return postgres(settings.url, {
    ...(settings.password === undefined ? {} : { password: settings.password }),
    ssl: settings.ssl,
    max: options.maxConnections ?? 4,
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    idle_timeout: 60,
    onnotice: () => undefined,
    types: { int8: INT8_AS_NUMBER },
    connection: {
      application_name: "operator",
      idle_in_transaction_session_timeout: idle,
      ...(readonly ? { default_transaction_read_only: true } : {}),
    },
  });
}

function assertWhole(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`Invalid store option ${name}: expected a whole number >= ${min}, got ${value}`);
  }
}
