import {
  type CyclePlan,
  type CycleSnapshot,
  MONITOR_ACTOR,
  type TicketChange,
  type TicketDraft,
} from "@operator/core";
import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { describe, expect, it } from "vitest";
import { openTicketStore } from "../src/index.ts";
import { tickets, ticketsCurrent } from "../src/schema.ts";
import { freshStore } from "./helpers/store.ts";

const T0 = Date.UTC(2026, 0, 1);

function plan(parts: Partial<CyclePlan>): CyclePlan {
  return {
    upsertStates: [],
    deleteStates: [],
    open: [],
    change: [],
    identities: [],
    log: {
      id: `c-${Math.random()}`,
      startedAt: T0,
      finishedAt: T0,
      invariants: 1,
      violations: 0,
      unknown: 0,
      opened: 0,
      resolved: 0,
      failures: {},
    },
    ...parts,
  };
}

function draft(entity: string): TicketDraft {
  return {
    key: `s/lat/${entity}`,
    subject: "s",
    invariant: "lat",
    entity,
    severity: "warning",
    message: `latency of ${entity}`,
    flapping: false,
    firstSeenAt: T0,
    lastSeenAt: T0,
    occurrenceCount: 1,
    batchKey: "b",
    values: { ms: 1 },
    createdAt: T0,
    events: [{ at: T0, actor: MONITOR_ACTOR, kind: "opened", from: null, to: "open", comment: null }],
  };
}

describe("recurrences written set-based into ticket_sightings", () => {
  it("writes each recurrence with its own times, and changes that are more than a recurrence in full", async () => {
    const { store } = freshStore();
    try {
      const { opened } = await store.recordCycle(["s"], () =>
        plan({ open: ["1", "2", "3", "4"].map(draft) }),
      );
      const [a, b, c, d] = opened.map((t) => t.id);
      const bump = (id: number | undefined, at: number, extra: object = {}): TicketChange => ({
        id: id ?? 0,
        patch: { lastSeenAt: at, updatedAt: at, occurrenceCount: 2, message: "", ...extra },
        events: [],
      });
      const at1 = T0 + 30_000;
      const at2 = T0 + 31_000;
      await store.recordCycle(["s"], (snapshot) => {
        const message = (id: number | undefined) =>
          [...snapshot.openTickets.values()].find((t) => t.id === id)?.message ?? "";
        return plan({
          change: [
            bump(a, at1, { message: message(a) }),
            bump(b, at2, { message: message(b) }),
            bump(c, at1, { message: "latency of 3, worse" }),
            bump(d, at1, { message: message(d), occurrenceCount: 5 }),
          ],
        });
      });
      const { tickets } = await store.listTickets({ limit: 10 });
      const byId = new Map(tickets.map((t) => [t.id, t]));
      expect([a, b, c, d].map((id) => byId.get(id ?? 0))).toMatchObject([
        { lastSeenAt: at1, updatedAt: at1, occurrenceCount: 2, message: "latency of 1" },
        { lastSeenAt: at2, updatedAt: at2, occurrenceCount: 2, message: "latency of 2" },
        { lastSeenAt: at1, updatedAt: at1, occurrenceCount: 2, message: "latency of 3, worse" },
        { lastSeenAt: at1, updatedAt: at1, occurrenceCount: 5, message: "latency of 4" },
      ]);
    } finally {
      store.close();
    }
  });

  it("a plain recurrence lands in ticket_sightings, and every read sees it", async () => {
    const { store, path } = freshStore();
    const at = T0 + 30_000;
    let id = 0;
    try {
      id = (await store.recordCycle(["s"], () => plan({ open: [draft("1")] }))).opened[0]?.id ?? 0;
      await store.recordCycle(["s"], (snapshot) => plan({ change: [recurrence(snapshot, at)] }));
      expect(raw(path, "SELECT last_seen_at, occurrence_count, updated_at FROM tickets")).toEqual([
        { last_seen_at: T0, occurrence_count: 1, updated_at: T0 },
      ]);
      expect(raw(path, "SELECT * FROM ticket_sightings")).toEqual([
        { ticket_id: id, last_seen_at: at, occurrence_count: 2, updated_at: at },
      ]);
      const current = { id, lastSeenAt: at, occurrenceCount: 2, updatedAt: at };
      expect((await store.listTickets()).tickets).toMatchObject([current]);
      expect((await store.getTicket(id)).ticket).toMatchObject(current);
      expect(await store.unresolvedTickets()).toMatchObject([current]);
      expect(await store.listEventsAfter(0, 10)).toMatchObject([{ ticket: current }]);
      expect((await store.listTickets({ since: at })).tickets).toHaveLength(1);
    } finally {
      store.close();
    }
    const reopened = openTicketStore(path, { now: () => at + 30_000 });
    try {
      await reopened.recordCycle(["s"], (snapshot) => {
        expect([...snapshot.openTickets.values()]).toMatchObject([
          { id, lastSeenAt: at, occurrenceCount: 2 },
        ]);
        return plan({ change: [recurrence(snapshot, at + 30_000)] });
      });
      expect((await reopened.getTicket(id)).ticket).toMatchObject({
        occurrenceCount: 3,
        lastSeenAt: at + 30_000,
      });
    } finally {
      reopened.close();
    }
  });

  it("any other update folds the sighting back into the ticket first", async () => {
    const { store, path, clock } = freshStore();
    try {
      const id = (await store.recordCycle(["s"], () => plan({ open: [draft("1")] }))).opened[0]?.id ?? 0;
      const at = T0 + 30_000;
      await store.recordCycle(["s"], (snapshot) => plan({ change: [recurrence(snapshot, at)] }));
      const acknowledgedAt = clock.advance(60_000);
      await store.applyAction(id, { type: "acknowledge", actor: "alice" });
      expect(raw(path, "SELECT count(*) AS n FROM ticket_sightings")).toEqual([{ n: 0 }]);
      expect(raw(path, "SELECT last_seen_at, occurrence_count, updated_at, status FROM tickets")).toEqual([
        { last_seen_at: at, occurrence_count: 2, updated_at: acknowledgedAt, status: "acknowledged" },
      ]);
      await store.recordCycle(["s"], (snapshot) => plan({ change: [recurrence(snapshot, at + 60_000)] }));
      expect((await store.getTicket(id)).ticket).toMatchObject({
        status: "acknowledged",
        lastSeenAt: at + 60_000,
        occurrenceCount: 3,
        updatedAt: at + 60_000,
      });
    } finally {
      store.close();
    }
  });

  it("read-only tooling on @operator/db/schema sees the sighting through ticketsCurrent", async () => {
    const { store, path } = freshStore();
    const at = T0 + 30_000;
    try {
      await store.recordCycle(["s"], () => plan({ open: [draft("1")] }));
      await store.recordCycle(["s"], (snapshot) => plan({ change: [recurrence(snapshot, at)] }));
    } finally {
      store.close();
    }
    const sqlite = new Database(path, { readonly: true });
    try {
      const orm = drizzle({ client: sqlite });
      const where = eq(ticketsCurrent.key, "s/lat/1");
      expect(orm.select().from(ticketsCurrent).where(where).all()).toMatchObject([
        {
          key: "s/lat/1",
          lastSeenAt: at,
          occurrenceCount: 2,
          updatedAt: at,
          lastValues: { ms: 1 },
          held: false,
        },
      ]);
      expect(orm.select().from(tickets).all()).toMatchObject([{ lastSeenAt: T0, occurrenceCount: 1 }]);
    } finally {
      sqlite.close();
    }
  });

  it("the database refuses an update of a ticket's moving fields while its sighting is held", async () => {
    const { store, path } = freshStore();
    try {
      await store.recordCycle(["s"], () => plan({ open: [draft("1")] }));
      await store.recordCycle(["s"], (snapshot) => plan({ change: [recurrence(snapshot, T0 + 30_000)] }));
    } finally {
      store.close();
    }
    const db = new Database(path);
    try {
      expect(() => db.prepare("UPDATE tickets SET updated_at = 1").run()).toThrow(
        /fold them before updating/,
      );
      expect(() => db.prepare("UPDATE tickets SET held = 1").run()).not.toThrow();
    } finally {
      db.close();
    }
  });
});

/** The change a planner makes when the ticket's violation recurs unchanged. */
function recurrence(snapshot: CycleSnapshot, at: number): TicketChange {
  const [ticket] = [...snapshot.openTickets.values()];
  if (ticket === undefined) throw new Error("no open ticket");
  const patch = { lastSeenAt: at, updatedAt: at, occurrenceCount: ticket.occurrenceCount + 1 };
  return { id: ticket.id, patch, events: [] };
}

function raw(path: string, sql: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}
