import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { describe, expect, it } from "vitest";
import { openTicketStore, schemaVersion } from "../src/index.ts";
import { knownMigrations } from "../src/migrations.ts";
import { tempDbPath } from "./helpers/temp.ts";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

function schemaObjects(path: string): { type: string; name: string; sql: string | null }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
      .all() as { type: string; name: string; sql: string | null }[];
  } finally {
    db.close();
  }
}

describe("opening a database", () => {
  it("applies the committed migrations to a new file: tables, indexes and triggers", () => {
    const path = tempDbPath();
    openTicketStore(path).close();
    const objects = schemaObjects(path);
    const names = (type: string) => objects.filter((o) => o.type === type).map((o) => o.name);
    expect(names("table")).toEqual([
      "__drizzle_migrations",
      "cycle_log",
      "key_states",
      "notification_channels",
      "notification_deliveries",
      "silences",
      "subject_identities",
      "ticket_events",
      "ticket_sightings",
      "tickets",
    ]);
    expect(names("view")).toEqual(["tickets_current"]);
    expect(names("index")).toEqual(
      expect.arrayContaining(["tickets_one_unresolved_per_key", "tickets_key_id", "ticket_events_ticket_id"]),
    );
    expect(names("trigger")).toEqual([
      "ticket_events_no_delete",
      "ticket_events_no_update",
      "tickets_fold_sightings_first",
      "tickets_no_delete",
      "tickets_no_reopen",
    ]);
    const unique = objects.find((o) => o.name === "tickets_one_unresolved_per_key");
    expect(unique?.sql).toMatch(/CREATE UNIQUE INDEX .* WHERE status <> 'resolved'/);
  });

  it("records the migrations as drizzle does and sets user_version", () => {
    const path = tempDbPath();
    openTicketStore(path).close();
    const db = new Database(path, { readonly: true });
    const rows = db.prepare("SELECT hash, created_at AS createdAt FROM __drizzle_migrations").all();
    // The rows drizzle's own migrator would write from the same folder: same hashes, same times.
    const drizzle = readMigrationFiles({ migrationsFolder: join(packageDir, "drizzle") });
    expect(rows).toEqual(drizzle.map((m) => ({ hash: m.hash, createdAt: m.folderMillis })));
    expect(knownMigrations()).toEqual(drizzle);
    expect(rows).toHaveLength(schemaVersion());
    expect(db.pragma("user_version", { simple: true })).toBe(schemaVersion());
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("upgrades a file of an older schema (no subject_identities, no notification tables) and keeps its tickets", async () => {
    const path = tempDbPath();
    const store = openTicketStore(path);
    await store.recordCycle(["prod"], () => ({
      upsertStates: [],
      deleteStates: [],
      change: [],
      identities: [],
      open: [
        {
          key: "prod/store_down/4",
          subject: "prod",
          invariant: "store_down",
          entity: "4",
          severity: "critical",
          message: "Store 4 is Down",
          flapping: false,
          firstSeenAt: 1,
          lastSeenAt: 1,
          occurrenceCount: 1,
          batchKey: "c1",
          values: {},
          createdAt: 1,
          events: [],
        },
      ],
      log: {
        id: "c1",
        startedAt: 1,
        finishedAt: 1,
        invariants: 1,
        violations: 1,
        unknown: 0,
        opened: 1,
        resolved: 0,
        failures: {},
      },
    }));
    store.close();
    const db = new Database(path);
    db.exec(
      "DROP TRIGGER tickets_fold_sightings_first; DROP VIEW tickets_current; DROP TABLE ticket_sightings",
    );
    db.exec("ALTER TABLE tickets DROP COLUMN runbook");
    db.exec("DROP TABLE silences");
    db.exec("ALTER TABLE tickets DROP COLUMN silenced");
    db.exec("DROP TABLE notification_deliveries");
    db.exec("DROP TABLE notification_channels");
    db.exec("DROP TABLE subject_identities");
    db.exec(
      "DELETE FROM __drizzle_migrations WHERE created_at IN (SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 7)",
    );
    db.pragma(`user_version = ${schemaVersion() - 7}`);
    db.close();

    const upgraded = openTicketStore(path);
    expect((await upgraded.listTickets()).tickets.map((t) => [t.key, t.silenced, t.runbook])).toEqual([
      ["prod/store_down/4", false, null],
    ]);
    upgraded.close();
    expect(schemaObjects(path).map((o) => o.name)).toEqual(
      expect.arrayContaining([
        "subject_identities",
        "notification_channels",
        "notification_deliveries",
        "silences",
      ]),
    );
    const check = new Database(path, { readonly: true });
    expect(check.pragma("user_version", { simple: true })).toBe(schemaVersion());
    check.close();
  });

  it("reopens an existing file without applying anything twice", async () => {
    const path = tempDbPath();
    const first = openTicketStore(path);
    first.close();
    const second = openTicketStore(path);
    expect((await second.listTickets()).tickets).toEqual([]);
    second.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({
      n: schemaVersion(),
    });
    db.close();
  });

  it("creates the file and its -wal/-shm files readable by the owner only", () => {
    const path = tempDbPath();
    const store = openTicketStore(path);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      expect((statSync(file).mode & 0o777).toString(8), file).toBe("600");
    }
    store.close();
  });

  it("declares foreign keys: with enforcement on, an event for a missing ticket is refused", () => {
    const path = tempDbPath();
    const store = openTicketStore(path);
    store.close();
    const db = new Database(path);
    db.pragma("foreign_keys = ON");
    expect(() =>
      db
        .prepare("INSERT INTO ticket_events (ticket_id, at, actor, kind) VALUES (999, 1, 'x', 'opened')")
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it("the committed migrations match the schema (drizzle-kit check)", () => {
    const bin = join(packageDir, "node_modules", ".bin", "drizzle-kit");
    const out = execFileSync(bin, ["check"], { cwd: packageDir, encoding: "utf8" });
    expect(out).toContain("Everything's fine");
  }, 60_000);
});

describe("options", () => {
  it("refuses invalid options with a ConfigError naming the option", async () => {
    const { ConfigError } = await import("@operator/core");
    const path = tempDbPath();
    expect(() => openTicketStore(path, { busyTimeoutMs: -1 })).toThrow(ConfigError);
    expect(() => openTicketStore(path, { cycleLogRetention: { maxRows: 0 } })).toThrow(
      "Invalid store option cycleLogRetention.maxRows: 0",
    );
    expect(() => openTicketStore("")).toThrow("Missing database path");
    expect(existsSync(path)).toBe(false);
  });
});
