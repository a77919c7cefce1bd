/**
 * `@operator/db`: Operator's ticket store on SQLite (Drizzle ORM + better-sqlite3). Implements core's
 * `TicketStore`; the database itself enforces one unresolved ticket per violation key.
 * The Drizzle schema is exported apart, as `@operator/db/schema`, for read-only tooling; the store
 * itself runs plain prepared SQL, so importing this entry loads no query builder.
 */

export type { CycleLogRetention } from "./cycle.ts";
export type { DaemonLock, DaemonLockHolder } from "./daemon-lock.ts";
export { acquireDaemonLock } from "./daemon-lock.ts";
export {
  DaemonRunningError,
  DatabaseError,
  DatabaseFullError,
  DatabaseLockedError,
  DatabaseOpenError,
  DatabaseReadOnlyError,
  DatabaseReplacedError,
  DuplicateOpenTicketError,
  NotADatabaseError,
  SchemaMissingError,
  SchemaTooNewError,
} from "./errors.ts";
export { schemaVersion } from "./migrations.ts";
export type { OpenTicketStoreOptions } from "./open.ts";
export { openTicketStore } from "./open.ts";
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./queries.ts";
export type { SqliteTicketStore } from "./store.ts";
export type { TicketCounts } from "./ticket-counts.ts";
