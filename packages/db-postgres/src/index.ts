/**
 * `@operator/db-postgres`: Operator's ticket store on PostgreSQL 13 and later (Drizzle ORM + the
 * `postgres` driver). Implements core's `TicketStore`, `NotificationStore` and `SilenceStore`; the
 * database itself enforces one unresolved ticket per violation key. The schema tables are exported
 * for read-only tooling; everything else is internal.
 */

export type { ConnectionSettings, PostgresConnectionOptions, SslMode } from "./connection.ts";
export { connectionSettings, isPostgresUrl, redactPostgresUrl, SSL_MODES } from "./connection.ts";
export type { CycleLogRetention } from "./cycle.ts";
export {
  PostgresConfigError,
  PostgresDuplicateOpenTicketError,
  PostgresReadOnlyError,
  PostgresSchemaMissingError,
  PostgresSchemaTooNewError,
  PostgresStoreError,
  PostgresUnavailableError,
} from "./errors.ts";
export { knownMigrations } from "./migrations.ts";
export type { OpenPostgresStoreOptions } from "./open.ts";
export { openPostgresTicketStore } from "./open.ts";
export {
  cycleLog,
  keyStates,
  notificationChannels,
  notificationDeliveries,
  silences,
  subjectIdentities,
  subjectLeases,
  ticketEvents,
  tickets,
} from "./schema.ts";
export type { PostgresTicketStore, TicketCounts } from "./store.ts";
