/**
 * Advisory lock keys. PostgreSQL's two-key form `pg_advisory_xact_lock(class, id)` is used with a
 * class of its own (`0x6f706572`, "oper") so Operator's locks never collide with an application's.
 */
export const LOCK_CLASS = 0x6f706572;

/** Held while migrating, so replicas that start together migrate one at a time. */
export const MIGRATION_LOCK = 1;

/**
 * Held by every write transaction until it commits: writers run one at a time, as on SQLite with
 * `BEGIN IMMEDIATE`. It makes event ids increase in commit order (the outbox cursors and the event
 * feed rely on it) and makes each cycle's read, plan and write atomic against people's actions.
 */
export const WRITE_LOCK = 2;
