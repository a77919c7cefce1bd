import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isOperatorError } from "@operator/core";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  DatabaseFullError,
  DatabaseLockedError,
  DatabaseOpenError,
  DatabaseReadOnlyError,
  NotADatabaseError,
  openTicketStore,
  SchemaMissingError,
  SchemaTooNewError,
} from "../src/index.ts";
import { toDatabaseError } from "../src/sqlite-errors.ts";
import { canMount, readOnlyView, smallDisk } from "./helpers/mounts.ts";
import { cycle, testClock } from "./helpers/store.ts";
import { tempDbPath, tempDir } from "./helpers/temp.ts";

function digest(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Calls `fn` and returns what it threw (failing the test if it did not throw). */
async function thrown(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

/** A database with three open tickets, closed, and its ids. */
async function databaseWithTickets(path = tempDbPath()): Promise<{ path: string; ids: number[] }> {
  const clock = testClock();
  const store = openTicketStore(path, { now: clock.now });
  const result = await cycle(store, clock, ["prod/store_down/1", "prod/store_down/2", "prod/store_down/3"]);
  store.close();
  return { path, ids: result.opened.map((t) => t.id) };
}

async function expectTicketsIntact(path: string, ids: readonly number[]): Promise<void> {
  const store = openTicketStore(path, { readonly: true });
  try {
    const page = await store.listTickets({ includeResolved: true });
    expect(page.tickets.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(page.tickets.every((t) => t.status === "open")).toBe(true);
  } finally {
    store.close();
  }
}

describe("a file that is not a SQLite database", () => {
  it("is refused with NotADatabaseError and left byte for byte as it was", async () => {
    const path = join(tempDir(), "x.db");
    writeFileSync(path, "these are my notes, not a database\n".repeat(100));
    const before = digest(path);
    for (const readonly of [false, true]) {
      const err = await thrown(() => openTicketStore(path, { readonly }));
      expect(err).toBeInstanceOf(NotADatabaseError);
      expect(isOperatorError(err)).toBe(true);
      expect((err as NotADatabaseError).path).toBe(path);
      expect(err.message).toBe(
        `[operator] File ${path} is not a SQLite database; it was not changed. Point the store at another path`,
      );
    }
    expect(digest(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(existsSync(`${path}-journal`)).toBe(false);
  });
});

describe("paths that cannot be opened", () => {
  it("names a missing directory", async () => {
    const path = join(tempDir(), "missing", "operator.db");
    const err = await thrown(() => openTicketStore(path));
    expect(err).toBeInstanceOf(DatabaseOpenError);
    expect(err.message).toContain(`directory ${join(tempDir(), "missing")}`.slice(0, 20));
    expect(err.message).toContain("does not exist");
  });

  it("refuses a directory and a missing file opened read-only", async () => {
    const dir = tempDir();
    expect(await thrown(() => openTicketStore(dir))).toBeInstanceOf(DatabaseOpenError);
    const err = await thrown(() => openTicketStore(join(dir, "none.db"), { readonly: true }));
    expect(err).toBeInstanceOf(DatabaseOpenError);
    expect(existsSync(join(dir, "none.db"))).toBe(false);
  });

  it("refuses a read-only open of a file without the schema", async () => {
    const path = tempDbPath();
    new Database(path).close();
    expect(await thrown(() => openTicketStore(path, { readonly: true }))).toBeInstanceOf(SchemaMissingError);
  });
});

describe("read-only files", () => {
  it("a store opened read-only refuses writes with DatabaseReadOnlyError (SQLITE_READONLY)", async () => {
    const { path, ids } = await databaseWithTickets();
    const store = openTicketStore(path, { readonly: true });
    const clock = testClock(Date.UTC(2027, 0, 1));
    const err = await thrown(() => cycle(store, clock, ["prod/store_down/9"]));
    expect(err).toBeInstanceOf(DatabaseReadOnlyError);
    expect(err.message).toContain(`Database ${path} is read-only (SQLITE_READONLY`);
    expect(
      await thrown(() => store.applyAction(ids[0] ?? 0, { type: "acknowledge", actor: "a" })),
    ).toBeInstanceOf(DatabaseReadOnlyError);
    store.close();
    await expectTicketsIntact(path, ids);
  });

  it.skipIf(process.getuid?.() === 0)("a file without write permission is refused read-write", async () => {
    const { path, ids } = await databaseWithTickets();
    chmodSync(path, 0o444);
    expect(await thrown(() => openTicketStore(path))).toBeInstanceOf(DatabaseReadOnlyError);
    await expectTicketsIntact(path, ids);
  });

  it.skipIf(!canMount)("a file on a read-only mount is refused read-write and left unchanged", async () => {
    const dir = tempDir();
    const { ids } = await databaseWithTickets(join(dir, "operator.db"));
    const before = digest(join(dir, "operator.db"));
    const path = join(readOnlyView(dir), "operator.db");
    const err = await thrown(() => openTicketStore(path));
    expect(err).toBeInstanceOf(DatabaseReadOnlyError);
    expect(err.message).toContain(path);
    expect(digest(join(dir, "operator.db"))).toBe(before);
    await expectTicketsIntact(join(dir, "operator.db"), ids);
  });
});

describe("a locked file", () => {
  it("fails after the busy timeout with DatabaseLockedError and writes nothing", async () => {
    const { path, ids } = await databaseWithTickets();
    const store = openTicketStore(path, { busyTimeoutMs: 100 });
    const other = new Database(path);
    other.exec("BEGIN EXCLUSIVE");
    const clock = testClock(Date.UTC(2027, 0, 1));
    const err = await thrown(() => cycle(store, clock, ["prod/store_down/7"]));
    expect(err).toBeInstanceOf(DatabaseLockedError);
    expect(err.message).toBe(
      `[operator] Database ${path} is locked by another process (waited 100 ms); try again, or stop the other writer`,
    );
    expect(
      await thrown(() => store.applyAction(ids[0] ?? 0, { type: "resolve", actor: "a" })),
    ).toBeInstanceOf(DatabaseLockedError);
    other.exec("ROLLBACK");
    other.close();
    await expectTicketsIntact(path, ids);
    expect((await cycle(store, clock, ["prod/store_down/7"])).opened).toHaveLength(1);
    store.close();
  });

  it("a new file locked while it is being created fails to open with DatabaseLockedError", async () => {
    const path = tempDbPath();
    const other = new Database(path);
    other.exec("BEGIN EXCLUSIVE");
    other.exec("CREATE TABLE holder (x)");
    const err = await thrown(() => openTicketStore(path, { busyTimeoutMs: 50 }));
    expect(err).toBeInstanceOf(DatabaseLockedError);
    other.exec("ROLLBACK");
    other.close();
    openTicketStore(path).close();
  });
});

describe("a full disk", () => {
  it("maps SQLITE_FULL from a database at its max_page_count to DatabaseFullError", () => {
    const path = tempDbPath();
    const db = new Database(path);
    db.exec("CREATE TABLE t (x)");
    db.pragma("max_page_count = 3");
    let caught: unknown;
    try {
      db.prepare("INSERT INTO t VALUES (?)").run("x".repeat(100_000));
    } catch (error) {
      caught = error;
    }
    db.close();
    expect((caught as { code?: string }).code).toBe("SQLITE_FULL");
    const mapped = toDatabaseError(path, caught, 0);
    expect(mapped).toBeInstanceOf(DatabaseFullError);
    expect(mapped.message).toContain(`Database ${path} is full (SQLITE_FULL)`);
  });

  it.skipIf(!canMount)(
    "a cycle on a full file system fails with DatabaseFullError and loses nothing",
    async () => {
      const path = join(smallDisk("600k"), "operator.db");
      const clock = testClock();
      const store = openTicketStore(path, { now: clock.now });
      const committed: number[] = [];
      let err: unknown;
      for (let i = 0; i < 500 && err === undefined; i++) {
        const key = `prod/big/${i}`;
        try {
          const result = await cycle(store, clock, new Map([[key, i]]), [], {});
          committed.push(...result.opened.map((t) => t.id));
          await store.applyAction(result.opened[0]?.id ?? 0, {
            type: "diagnose",
            actor: "a",
            diagnosis: "x".repeat(20_000),
          });
        } catch (error) {
          err = error;
        }
      }
      expect(err).toBeInstanceOf(DatabaseFullError);
      expect((err as Error).message).toContain(path);
      expect(committed.length).toBeGreaterThan(3);
      const page = await store.listTickets({ limit: 1000, includeResolved: true });
      for (const id of committed) expect(page.tickets.some((t) => t.id === id)).toBe(true);
      store.close();
      // A checkpoint cannot finish on the full disk, so the committed pages stay in the -wal file.
      const db = new Database(path, { readonly: true });
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const stored = db.prepare("SELECT id FROM tickets").pluck().all();
      expect(stored).toEqual(expect.arrayContaining(committed));
      db.close();
    },
  );
});

describe("a database written by a newer version", () => {
  async function expectRefused(path: string): Promise<void> {
    const before = digest(path);
    for (const readonly of [false, true]) {
      const err = await thrown(() => openTicketStore(path, { readonly }));
      expect(err).toBeInstanceOf(SchemaTooNewError);
      expect(err.message).toContain(`Database ${path} was written by a newer version of @operator/db`);
      expect(err.message).toContain("upgrade Operator");
    }
    expect(digest(path)).toBe(before);
  }

  it("is refused untouched when its user_version is above ours", async () => {
    const { path } = await databaseWithTickets();
    const db = new Database(path);
    db.pragma("user_version = 99");
    db.close();
    await expectRefused(path);
  });

  it("is refused untouched when it records a migration this version does not know", async () => {
    const { path } = await databaseWithTickets();
    const db = new Database(path);
    db.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', ?)").run(
      Date.UTC(2099, 0, 1),
    );
    db.close();
    await expectRefused(path);
  });
});

describe("errors from a store on a missing directory", () => {
  it("are operator errors carrying the path", async () => {
    const dir = join(tempDir(), "gone");
    mkdirSync(dir);
    const path = join(dir, "sub", "x.db");
    const err = await thrown(() => openTicketStore(path));
    expect(isOperatorError(err)).toBe(true);
    expect((err as DatabaseOpenError).path).toBe(path);
  });
});
