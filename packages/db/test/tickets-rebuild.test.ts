import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { DatabaseOpenError, openTicketStore, schemaVersion } from "../src/index.ts";
import { knownMigrations } from "../src/migrations.ts";
import { tempDbPath } from "./helpers/temp.ts";

/** Migration 0007 rebuilds `tickets`; these files stop just before it. */
const BEFORE_REBUILD = 7;

/** A file migrated by the first `count` migrations, recorded as the migrator records them. */
function fileAt(count: number): string {
  const path = tempDbPath();
  const db = new Database(path);
  db.exec(
    "CREATE TABLE __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)",
  );
  for (const migration of knownMigrations().slice(0, count)) {
    for (const statement of migration.sql) if (statement.trim() !== "") db.exec(statement);
    db.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)").run(
      migration.hash,
      migration.folderMillis,
    );
  }
  db.pragma(`user_version = ${count}`);
  db.close();
  return path;
}

const INSERT_TICKET = `INSERT INTO tickets (key, subject, invariant, entity, severity, status, message, first_seen_at,
  last_seen_at, batch_key, previous_ticket_id, first_values, last_values, resolved_at, resolved_by, created_at, updated_at)
  VALUES (?, 'prod', 'store_down', '4', 'critical', ?, 'Store 4 is Down', 1, 2, 'c1', ?, '{}', '{"n":1}', ?, ?, 1, 2)`;

function seed(path: string): void {
  const db = new Database(path);
  db.pragma("foreign_keys = ON");
  db.prepare(INSERT_TICKET).run("prod/store_down/4", "resolved", null, 2, "monitor");
  db.prepare(INSERT_TICKET).run("prod/store_down/4", "open", 1, null, null);
  const event = db.prepare(
    "INSERT INTO ticket_events (ticket_id, at, actor, kind) VALUES (?, 1, 'monitor', ?)",
  );
  event.run(1, "opened");
  event.run(1, "resolved");
  event.run(2, "opened");
  db.close();
}

function rows(path: string, sql: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe("migration 0007: the ticket table rebuilt with OR-chain checks", () => {
  it("keeps every ticket, event, id and trigger, and the checks still refuse bad values", async () => {
    const path = fileAt(BEFORE_REBUILD);
    seed(path);
    const tickets = rows(path, "SELECT * FROM tickets ORDER BY id");
    const events = rows(path, "SELECT * FROM ticket_events ORDER BY id");
    expect(rows(path, "SELECT sql FROM sqlite_master WHERE name = 'tickets'")).toEqual([
      { sql: expect.stringContaining("status IN (") },
    ]);

    const store = openTicketStore(path);
    expect((await store.listTickets({ includeResolved: true })).tickets.map((t) => [t.id, t.status])).toEqual(
      [
        [2, "open"],
        [1, "resolved"],
      ],
    );
    store.close();

    expect(rows(path, "SELECT * FROM tickets ORDER BY id")).toEqual(tickets);
    expect(rows(path, "SELECT * FROM ticket_events ORDER BY id")).toEqual(events);
    const [table] = rows(path, "SELECT sql FROM sqlite_master WHERE name = 'tickets'") as { sql: string }[];
    expect(table?.sql).not.toMatch(/ IN \(/);
    expect(
      rows(
        path,
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tickets' ORDER BY name",
      ),
    ).toEqual([
      { name: "tickets_fold_sightings_first" },
      { name: "tickets_no_delete" },
      { name: "tickets_no_reopen" },
    ]);
    expect(
      rows(
        path,
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets' ORDER BY name",
      ),
    ).toEqual([
      { name: "tickets_key_id" },
      { name: "tickets_one_unresolved_per_key" },
      { name: "tickets_status_id" },
    ]);
    expect(rows(path, "PRAGMA user_version")).toEqual([{ user_version: schemaVersion() }]);

    const db = new Database(path);
    db.pragma("foreign_keys = ON");
    expect(
      db.prepare(INSERT_TICKET).run("prod/store_down/5", "resolved", 2, 3, "monitor").lastInsertRowid,
    ).toBe(3);
    expect(() => db.prepare(INSERT_TICKET).run("prod/store_down/6", "bogus", null, null, null)).toThrow(
      /CHECK constraint failed: tickets_status_valid/,
    );
    expect(() => db.prepare("UPDATE tickets SET severity = 'loud' WHERE id = 2").run()).toThrow(
      /CHECK constraint failed: tickets_severity_valid/,
    );
    expect(() => db.prepare(INSERT_TICKET).run("prod/store_down/7", "open", 99, null, null)).toThrow(
      /FOREIGN KEY/,
    );
    expect(() => db.prepare("DELETE FROM tickets WHERE id = 1").run()).toThrow(/never deleted/);
    expect(() =>
      db.prepare("UPDATE tickets SET status = 'open', resolved_at = NULL WHERE id = 1").run(),
    ).toThrow(/cannot be reopened/);
    db.close();
  });

  it("refuses to migrate a file with a dangling reference and changes nothing", () => {
    const path = fileAt(BEFORE_REBUILD);
    seed(path);
    const db = new Database(path);
    db.pragma("foreign_keys = OFF");
    db.prepare(
      "INSERT INTO ticket_events (ticket_id, at, actor, kind) VALUES (99, 1, 'monitor', 'opened')",
    ).run();
    db.close();
    const schema = rows(path, "SELECT name, sql FROM sqlite_master ORDER BY name");

    expect(() => openTicketStore(path)).toThrow(DatabaseOpenError);
    expect(() => openTicketStore(path)).toThrow(
      /1 row\(s\) of ticket_events referring to a missing tickets row/,
    );
    expect(rows(path, "SELECT name, sql FROM sqlite_master ORDER BY name")).toEqual(schema);
    expect(rows(path, "PRAGMA user_version")).toEqual([{ user_version: BEFORE_REBUILD }]);
    expect(rows(path, "SELECT count(*) AS n FROM tickets")).toEqual([{ n: 2 }]);
  });
});
