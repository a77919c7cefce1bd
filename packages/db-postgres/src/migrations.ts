import { fileURLToPath } from "node:url";
import { type MigrationMeta, readMigrationFiles } from "drizzle-orm/migrator";
import type { Sql, TransactionSql } from "postgres";
import { PostgresSchemaMissingError, PostgresSchemaTooNewError } from "./errors.ts";
import { LOCK_CLASS, MIGRATION_LOCK } from "./locks.ts";

/** The committed drizzle-kit migrations; the same path works from `src/` and from `dist/`. */
const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));

/** drizzle's own bookkeeping table and schema, in the format drizzle's migrator writes. */
const MIGRATIONS_SCHEMA = "drizzle";
const MIGRATIONS_TABLE = "__drizzle_migrations";

let cached: readonly MigrationMeta[] | undefined;

/** The migrations this build knows, oldest first. */
export function knownMigrations(): readonly MigrationMeta[] {
  cached ??= readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  return cached;
}

/**
 * Applies the pending migrations in one transaction that first takes a transaction-scoped advisory
 * lock: when several replicas start at once, one migrates and the others wait, then find nothing to
 * do. PostgreSQL's DDL is transactional, so a failed migration leaves the database as it was.
 * Rows go to `drizzle.__drizzle_migrations` exactly as drizzle's migrator writes them.
 */
export async function migrate(sql: Sql, target: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${LOCK_CLASS}, ${MIGRATION_LOCK})`;
    const pending = await pendingMigrations(tx, target);
    if (pending.length === 0) return;
    await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${MIGRATIONS_SCHEMA}`);
    await tx.unsafe(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
    );
    for (const migration of pending) {
      for (const statement of migration.sql) {
        if (statement.trim() !== "") await tx.unsafe(statement);
      }
      await tx.unsafe(
        `INSERT INTO ${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE} (hash, created_at) VALUES ($1, $2)`,
        [migration.hash, migration.folderMillis],
      );
    }
  });
}

/** For read-only opens: throws unless the database is fully migrated (and not too new). */
export async function assertMigrated(sql: Sql, target: string): Promise<void> {
  if ((await pendingMigrations(sql, target)).length > 0) throw new PostgresSchemaMissingError(target);
}

/**
 * Reads (never writes) the migration state and returns the migrations still to apply. Throws
 * {@link PostgresSchemaTooNewError} when a migration row names one this build does not know.
 */
async function pendingMigrations(
  sql: Sql | TransactionSql,
  target: string,
): Promise<readonly MigrationMeta[]> {
  const known = knownMigrations();
  const [exists] = await sql<{ table: string | null }[]>`
    SELECT to_regclass(${`${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`})::text AS table`;
  if (exists?.table === null || exists === undefined) return known;
  const applied = await sql.unsafe<{ created_at: number | string }[]>(
    `SELECT created_at FROM ${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`,
  );
  const knownTimes = new Set(known.map((m) => m.folderMillis));
  let last = 0;
  for (const row of applied) {
    const createdAt = Number(row.created_at);
    if (!knownTimes.has(createdAt)) {
      throw new PostgresSchemaTooNewError(target, `unknown migration ${createdAt}`, known.length);
    }
    last = Math.max(last, createdAt);
  }
  return known.filter((m) => m.folderMillis > last);
}
