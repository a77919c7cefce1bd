import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  DatabaseLockedError,
  DatabaseReplacedError,
  openTicketStore,
  type SqliteTicketStore,
} from "../src/index.ts";
import { canMount, readOnlyView } from "./helpers/mounts.ts";
import { cycle, testClock } from "./helpers/store.ts";
import { tempDbPath, tempDir } from "./helpers/temp.ts";

async function thrown(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

function storeWithTicket(path = tempDbPath()) {
  const clock = testClock();
  const seen: DatabaseReplacedError[] = [];
  const store = openTicketStore(path, { now: clock.now, onReplaced: (error) => seen.push(error) });
  return { path, clock, store, seen };
}

describe("a database file deleted or replaced while open", () => {
  it("a deleted file: the next write fails with DatabaseReplacedError and onReplaced is told", async () => {
    const { path, clock, store, seen } = storeWithTicket();
    const { opened } = await cycle(store, clock, ["prod/store_down/1"]);
    unlinkSync(path);
    const err = await thrown(() => cycle(store, clock, ["prod/store_down/2"]));
    expect(err).toBeInstanceOf(DatabaseReplacedError);
    expect(err.message).toContain(`Database ${path} was deleted while open`);
    expect(seen).toHaveLength(1);
    expect(
      await thrown(() => store.applyAction(opened[0]?.id ?? 0, { type: "acknowledge", actor: "a" })),
    ).toBeInstanceOf(DatabaseReplacedError);
    store.close();
  });

  it("a deleted file: recorded delivery attempts fail too, one check for the batch", async () => {
    const { path, clock, store, seen } = storeWithTicket();
    await store.openChannel("hook", clock.now());
    await cycle(store, clock, ["prod/store_down/1", "prod/store_down/2"]);
    const due = await store.nextNotifications("hook", undefined, clock.now(), 10);
    expect(due).toHaveLength(2);
    unlinkSync(path);
    const attempts = due.map((n) =>
      thrown(() => store.recordAttempt("hook", n.event.id, { outcome: "delivered" }, clock.now())),
    );
    for (const err of await Promise.all(attempts)) expect(err).toBeInstanceOf(DatabaseReplacedError);
    expect(seen).toHaveLength(1);
    store.close();
  });

  it("another file moved over it: the next write fails and nothing is written to either file", async () => {
    const { path, clock, store, seen } = storeWithTicket();
    await cycle(store, clock, ["prod/store_down/1"]);
    const other = join(tempDir(), "other.db");
    openTicketStore(other).close();
    renameSync(other, path);
    const err = await thrown(() => cycle(store, clock, ["prod/store_down/2"]));
    expect(err).toBeInstanceOf(DatabaseReplacedError);
    expect(err.message).toContain("was replaced by another file");
    expect(seen.map((e) => e.how)).toEqual(["replaced"]);
    store.close();
    // The old file's -wal was moved aside, so SQLite cannot read its pages into the new file.
    expect(existsSync(`${path}-wal.orphaned`)).toBe(true);
    const fresh = openTicketStore(path, { readonly: true });
    expect((await fresh.listTickets({ includeResolved: true })).tickets).toEqual([]);
    fresh.close();
  });
});

describe("waiting for another process's lock", () => {
  it("retries asynchronously: the event loop runs meanwhile, and the cycle commits once the lock is freed", async () => {
    const path = tempDbPath();
    const clock = testClock();
    const store = openTicketStore(path, { now: clock.now, busyTimeoutMs: 5000 });
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    // Freed by a timer: only an event loop that is not blocked by the waiting cycle can run it.
    setTimeout(() => other.exec("ROLLBACK"), 400);
    try {
      const result = await cycle(store, clock, ["prod/store_down/1"]);
      expect(result.opened).toHaveLength(1);
      expect(ticks).toBeGreaterThan(5);
    } finally {
      clearInterval(ticker);
      other.close();
      store.close();
    }
  });

  it("gives up after busyTimeoutMs in total with DatabaseLockedError, having written nothing", async () => {
    const path = tempDbPath();
    const clock = testClock();
    const store = openTicketStore(path, { now: clock.now, busyTimeoutMs: 300 });
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    const err = await thrown(() => cycle(store, clock, ["prod/store_down/1"]));
    expect(err).toBeInstanceOf(DatabaseLockedError);
    expect(err.message).toContain("waited 300 ms");
    other.exec("ROLLBACK");
    other.close();
    expect((await store.listTickets({ includeResolved: true })).tickets).toEqual([]);
    store.close();
  });
});

describe("read-only media", () => {
  /** Everything in `dir`, to check nothing was created beside the database. */
  const entries = (dir: string) => readdirSync(dir).sort();

  async function ticketsOf(store: SqliteTicketStore): Promise<string[]> {
    return (await store.listTickets({ includeResolved: true })).tickets.map((t) => t.key).sort();
  }

  it.skipIf(!canMount)(
    "reads a cleanly closed database in a read-only directory without writing beside it",
    async () => {
      const dir = tempDir();
      const { store, clock } = storeWithTicket(join(dir, "operator.db"));
      await cycle(store, clock, ["prod/store_down/1", "prod/store_down/2"]);
      store.close();
      const before = entries(dir);
      const view = readOnlyView(dir);
      const ro = openTicketStore(join(view, "operator.db"), { readonly: true });
      expect(await ticketsOf(ro)).toEqual(["prod/store_down/1", "prod/store_down/2"]);
      const detail = await ro.getTicket((await ro.listTickets()).tickets[0]?.id ?? 0);
      expect(detail.events.length).toBeGreaterThan(0);
      ro.close();
      expect(entries(dir)).toEqual(before);
    },
  );

  it.skipIf(!canMount)("sees commits still in the -wal file of a snapshot without -shm", async () => {
    const source = tempDir();
    const { store, clock } = storeWithTicket(join(source, "operator.db"));
    await cycle(store, clock, ["prod/store_down/1"]);
    // A snapshot taken while the writer is open: the commit lives only in the -wal file.
    const dir = join(tempDir(), "snap");
    mkdirSync(dir);
    copyFileSync(join(source, "operator.db"), join(dir, "operator.db"));
    copyFileSync(join(source, "operator.db-wal"), join(dir, "operator.db-wal"));
    store.close();
    const before = entries(dir);
    const ro = openTicketStore(join(readOnlyView(dir), "operator.db"), { readonly: true });
    expect(await ticketsOf(ro)).toEqual(["prod/store_down/1"]);
    ro.close();
    expect(entries(dir)).toEqual(before);
    expect(existsSync(join(dir, "operator.db-shm"))).toBe(false);
  });
});
