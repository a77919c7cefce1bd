import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type BetterSqlite3 from "better-sqlite3";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { DatabaseOpenError, SchemaMissingError, SchemaTooNewError } from "./errors.ts";

/** The committed drizzle-kit migrations; the same path works from `src/` and from `dist/`. */
const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));

/** The table drizzle's migrator keeps; this store writes it in the same format. */
const MIGRATIONS_TABLE = "__drizzle_migrations";

/** drizzle-kit's separator between the statements of one migration file. */
const BREAKPOINT = "--> statement-breakpoint";

/** One entry of drizzle-kit's `meta/_journal.json`: a migration's file name and creation time. */
interface JournalEntry {
  readonly tag: string;
  readonly when: number;
  readonly breakpoints: boolean;
}

let journal: readonly JournalEntry[] | undefined;
let migrations: readonly MigrationMeta[] | undefined;

/**
 * The migrations this build knows, oldest first, read and hashed as drizzle's `readMigrationFiles`
 * does (so drizzle tooling reads the rows this store writes). Only a file that needs migrating reads
 * them: `node:crypto` and the SQL files stay unloaded when a short command opens a current file.
 */
export function knownMigrations(): readonly MigrationMeta[] {
  if (migrations) return migrations;
  const { createHash } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  migrations = journalEntries().map((entry) => {
    const query = readFileSync(`${MIGRATIONS_FOLDER}/${entry.tag}.sql`, "utf8");
    return {
      sql: query.split(BREAKPOINT),
      bps: entry.breakpoints,
      folderMillis: entry.when,
      hash: createHash("sha256").update(query).digest("hex"),
    };
  });
  return migrations;
}

/** The schema version this build writes to `PRAGMA user_version`: the number of known migrations. */
export function schemaVersion(): number {
  return journalEntries().length;
}

/**
 * Reads (never writes) the file's migration state and returns the migrations still to apply.
 * Throws {@link SchemaTooNewError} when a newer build migrated the file: a `user_version` above
 * ours, or a migration row this build does not know.
 */
export function pendingMigrations(db: BetterSqlite3.Database, path: string): readonly MigrationMeta[] {
  const known = journalEntries();
  const userVersion = db.pragma("user_version", { simple: true }) as number;
  if (userVersion > known.length) {
    throw new SchemaTooNewError(path, `schema version ${userVersion}`, known.length);
  }
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(MIGRATIONS_TABLE);
  if (hasTable === undefined) return knownMigrations();
  const applied = db.prepare(`SELECT created_at AS createdAt FROM ${MIGRATIONS_TABLE}`).all() as {
    createdAt: number | string;
  }[];
  const knownTimes = new Set(known.map((m) => m.when));
  let last = 0;
  for (const row of applied) {
    const createdAt = Number(row.createdAt);
    if (!knownTimes.has(createdAt)) {
      throw new SchemaTooNewError(path, `unknown migration ${createdAt}`, known.length);
    }
    last = Math.max(last, createdAt);
  }
  if (known.every((m) => m.when <= last)) return [];
  return knownMigrations().filter((m) => m.folderMillis > last);
}

/**
 * Applies pending migrations inside one `BEGIN IMMEDIATE` transaction, re-checking under the lock so
 * two processes opening a fresh file at once cannot both apply the same migration. (drizzle's own
 * `migrate()` reads the applied list before its deferred `BEGIN`, which leaves that window open.)
 * Rows go to `__drizzle_migrations` exactly as drizzle writes them, so drizzle tooling reads the file.
 * Foreign keys are off while they run, as SQLite's procedure for rebuilding a table asks (a referenced
 * table can then be dropped and its copy renamed), and checked before the commit: a migration that
 * leaves a dangling reference is rolled back. The connection's setting is restored afterwards.
 */
export function migrate(db: BetterSqlite3.Database, path: string): void {
  if (pendingMigrations(db, path).length === 0) return;
  const foreignKeys = db.pragma("foreign_keys", { simple: true }) as number;
  db.pragma("foreign_keys = OFF");
  try {
    _applyPending(db, path);
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? "ON" : "OFF"}`);
  }
}

function _applyPending(db: BetterSqlite3.Database, path: string): void {
  const apply = db.transaction(() => {
    const pending = pendingMigrations(db, path);
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`,
    );
    const record = db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (hash, created_at) VALUES (?, ?)`);
    for (const migration of pending) {
      for (const statement of migration.sql) {
        if (statement.trim() !== "") db.exec(statement);
      }
      record.run(migration.hash, migration.folderMillis);
    }
    const dangling = db.pragma("foreign_key_check") as { table: string; parent: string }[];
    if (dangling.length > 0) {
      const first = dangling[0] as { table: string; parent: string };
      throw new DatabaseOpenError(
        path,
        `migrating would leave ${dangling.length} row(s) of ${first.table} referring to a missing ${first.parent} row; nothing was changed`,
      );
    }
    db.pragma(`user_version = ${schemaVersion()}`);
  });
  apply.immediate();
}

/** For read-only opens: throws unless the file is fully migrated (and not too new). */
export function assertMigrated(db: BetterSqlite3.Database, path: string): void {
  if (pendingMigrations(db, path).length > 0) throw new SchemaMissingError(path);
}

function journalEntries(): readonly JournalEntry[] {
  journal ??= (
    JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8")) as {
      entries: JournalEntry[];
    }
  ).entries;
  return journal;
}
