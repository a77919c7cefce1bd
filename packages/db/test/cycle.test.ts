import { type CycleSnapshot, MONITOR_ACTOR, TicketNotFoundError, TransitionError } from "@operator/core";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { DuplicateOpenTicketError, type SqliteTicketStore } from "../src/index.ts";
import { simplePlan } from "./helpers/planner.ts";
import { cycle, freshStore, testClock } from "./helpers/store.ts";

const open: SqliteTicketStore[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});
function setup() {
  const made = freshStore();
  open.push(made.store);
  return made;
}

function countRows(path: string, sql: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe("recordCycle", () => {
  it("keeps one ticket per key over many cycles and counts recurrences", async () => {
    const { store, clock, path } = setup();
    const keys = ["prod/store_down/1", "prod/store_down/2", "prod/high_latency/3"];
    const first = await cycle(store, clock, keys);
    expect(first.opened.map((t) => t.key)).toEqual(keys);
    for (let i = 0; i < 50; i++) {
      const result = await cycle(store, clock, new Map(keys.map((k) => [k, i])));
      expect(result.opened).toEqual([]);
      expect(result.changed).toBe(3);
    }
    expect(countRows(path, "SELECT count(*) AS n FROM tickets")).toBe(3);
    const page = await store.listTickets();
    expect(page.tickets).toHaveLength(3);
    for (const ticket of page.tickets) {
      expect(ticket.occurrenceCount).toBe(51);
      expect(ticket.firstSeenAt).toBe(first.opened[0]?.firstSeenAt);
      expect(ticket.lastValues).toEqual({ value: 49 });
      expect(ticket.firstValues).toEqual({ value: 1 });
      expect(ticket.message).toContain("value 49");
    }
  });

  it("hands the planner the same tickets and states a fresh read of the file returns", async () => {
    const { store, clock, path } = setup();
    const keys = ["prod/store_down/1", "prod/store_down/2", "prod/high_latency/1"];
    await cycle(store, clock, keys);
    for (let i = 0; i < 5; i++) await cycle(store, clock, new Map(keys.map((k, j) => [k, j === 0 ? 7 : i])));
    await cycle(store, clock, [keys[0] ?? ""], [keys[1] ?? ""]);
    const { openTicketStore } = await import("../src/index.ts");
    const peek = async (target: SqliteTicketStore): Promise<CycleSnapshot | undefined> => {
      let snapshot: CycleSnapshot | undefined;
      await target
        .recordCycle(["prod"], (s) => {
          snapshot = s;
          throw new Error("only looking");
        })
        .catch(() => undefined);
      return snapshot;
    };
    const cached = await peek(store);
    const fresh = openTicketStore(path);
    const read = await peek(fresh);
    fresh.close();
    const seen = [cached, read] as const;
    if (!seen[0] || !seen[1]) throw new Error("no snapshot");
    expect(Object.fromEntries(seen[0].openTickets)).toEqual(Object.fromEntries(seen[1].openTickets));
    expect(Object.fromEntries(seen[0].states)).toEqual(Object.fromEntries(seen[1].states));
    expect(seen[0].states.size).toBe(2);
    expect(seen[0].openTickets.size).toBe(2);
  });

  it("returns opened tickets exactly as stored, sharing the cycle's batch key", async () => {
    const { store, clock } = setup();
    const result = await cycle(store, clock, ["prod/store_down/1", "prod/store_down/2"]);
    expect(result.opened).toHaveLength(2);
    expect(new Set(result.opened.map((t) => t.batchKey)).size).toBe(1);
    for (const ticket of result.opened) {
      const detail = await store.getTicket(ticket.id);
      expect(detail.ticket).toEqual(ticket);
      expect(detail.events.map((e) => e.kind)).toEqual(["opened"]);
    }
  });

  it("resolves when the key is ok, and a recurrence opens a new ticket pointing at the old one", async () => {
    const { store, clock } = setup();
    const key = "prod/store_down/1";
    const [opened] = (await cycle(store, clock, [key])).opened;
    const resolved = await cycle(store, clock, [], [key]);
    expect(resolved.resolved).toHaveLength(1);
    expect(resolved.resolved[0]).toMatchObject({
      id: opened?.id,
      status: "resolved",
      resolvedBy: MONITOR_ACTOR,
    });
    expect((await store.getTicket(opened?.id ?? 0)).ticket).toEqual(resolved.resolved[0]);
    const again = await cycle(store, clock, [key]);
    expect(again.opened).toHaveLength(1);
    expect(again.opened[0]?.previousTicketId).toBe(opened?.id);
    expect(again.opened[0]?.id).toBeGreaterThan(opened?.id ?? Number.MAX_SAFE_INTEGER);
  });

  it("never auto-resolves a held ticket", async () => {
    const { store, clock } = setup();
    const key = "prod/store_down/1";
    const [ticket] = (await cycle(store, clock, [key])).opened;
    await store.applyAction(ticket?.id ?? 0, { type: "hold", actor: "alice" });
    for (let i = 0; i < 10; i++) {
      const result = await cycle(store, clock, [], [key]);
      expect(result.resolved).toEqual([]);
    }
    expect((await store.getTicket(ticket?.id ?? 0)).ticket).toMatchObject({ status: "open", held: true });
  });

  it("refuses a plan that resolves a held ticket, writing nothing", async () => {
    const { store, clock, path } = setup();
    const key = "prod/store_down/1";
    const [ticket] = (await cycle(store, clock, [key])).opened;
    const id = ticket?.id ?? 0;
    await store.applyAction(id, { type: "hold", actor: "alice" });
    const logBefore = countRows(path, "SELECT count(*) AS n FROM cycle_log");
    const err = await store
      .recordCycle(["prod"], () => ({
        ...simplePlan({ cycleId: "x", at: clock.now(), violated: new Map(), ok: [] })({
          states: new Map(),
          openTickets: new Map(),
          identities: new Map(),
        }),
        change: [{ id, patch: { status: "resolved", updatedAt: clock.now() }, events: [] }],
      }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransitionError);
    expect((await store.getTicket(id)).ticket).toMatchObject({ status: "open", held: true });
    expect(countRows(path, "SELECT count(*) AS n FROM cycle_log")).toBe(logBefore);
  });

  it("writes nothing when the plan throws", async () => {
    const { store, clock, path } = setup();
    await cycle(store, clock, ["prod/store_down/1"]);
    const before = countRows(path, "SELECT count(*) + (SELECT count(*) FROM cycle_log) AS n FROM tickets");
    await expect(
      store.recordCycle(["prod"], () => {
        throw new Error("planner bug");
      }),
    ).rejects.toThrow("planner bug");
    expect(countRows(path, "SELECT count(*) + (SELECT count(*) FROM cycle_log) AS n FROM tickets")).toBe(
      before,
    );
  });

  it("rolls back the whole cycle when a plan asks for a second open ticket for a key", async () => {
    const { store, clock, path } = setup();
    const key = "prod/store_down/1";
    await cycle(store, clock, [key]);
    const plan = simplePlan({
      cycleId: "dup",
      at: clock.now(),
      violated: new Map([
        [key, 1],
        ["prod/x/2", 1],
      ]),
      ok: [],
    });
    // An empty snapshot makes the planner believe no ticket is open, so it asks to open both keys.
    const err = await store
      .recordCycle(["prod"], () => plan({ states: new Map(), openTickets: new Map(), identities: new Map() }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DuplicateOpenTicketError);
    expect((err as DuplicateOpenTicketError).key).toBe(key);
    expect(countRows(path, "SELECT count(*) AS n FROM tickets")).toBe(1);
  });

  it("lets the database refuse a duplicate even when the snapshot did not show the open ticket", async () => {
    const { store, clock, path } = setup();
    const key = "prod/store_down/1";
    await cycle(store, clock, [key]);
    // The plan is asked about another subject, so the open ticket of `prod` is not in its snapshot.
    const plan = simplePlan({ cycleId: "dup", at: clock.now(), violated: new Map([[key, 1]]), ok: [] });
    const err = await store.recordCycle(["other"], plan).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DuplicateOpenTicketError);
    expect(countRows(path, "SELECT count(*) AS n FROM tickets")).toBe(1);
  });

  it("the unique partial index refuses a second unresolved ticket in raw SQL", async () => {
    const { store, clock, path } = setup();
    const key = "prod/store_down/1";
    const [ticket] = (await cycle(store, clock, [key])).opened;
    const db = new Database(path);
    const insert =
      db.prepare(`INSERT INTO tickets (key, subject, invariant, entity, severity, status, message,
      first_seen_at, last_seen_at, batch_key, first_values, last_values, created_at, updated_at, resolved_at)
      VALUES (?, 'prod', 'store_down', '1', 'critical', ?, 'm', 1, 1, 'b', '{}', '{}', 1, 1, ?)`);
    expect(() => insert.run(key, "acknowledged", null)).toThrow(/UNIQUE constraint failed: tickets.key/);
    insert.run(key, "resolved", 5);
    db.prepare("UPDATE tickets SET status = 'resolved', resolved_at = 2 WHERE id = ?").run(ticket?.id);
    insert.run(key, "open", null);
    expect(() => insert.run(key, "open", null)).toThrow(/UNIQUE constraint failed/);
    expect(() => db.prepare("DELETE FROM tickets").run()).toThrow(/never deleted/);
    expect(() => db.prepare("UPDATE ticket_events SET actor = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE tickets SET status = 'open' WHERE id = ?").run(ticket?.id)).toThrow(
      /cannot be reopened/,
    );
    db.close();
  });

  it("refuses changes to unknown tickets", async () => {
    const { store, clock } = setup();
    const plan = simplePlan({ cycleId: "c", at: clock.now(), violated: new Map(), ok: [] });
    const err = await store
      .recordCycle(["prod"], (snap) => ({
        ...plan(snap),
        change: [{ id: 4242, patch: { message: "x" }, events: [] }],
      }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TicketNotFoundError);
  });

  it("persists key states and deletes them on request", async () => {
    const { store, clock } = setup();
    const key = "prod/store_down/1";
    await cycle(store, clock, [key]);
    await cycle(store, clock, [key]);
    let seen: ReadonlyMap<string, unknown> | undefined;
    await store.recordCycle(["prod"], (snapshot) => {
      seen = snapshot.states;
      return simplePlan({ cycleId: "c", at: clock.now(), violated: new Map(), ok: [key] })(snapshot);
    });
    expect(seen?.get(key)).toMatchObject({
      key,
      subject: "prod",
      history: "vv",
      failures: 0,
      flapping: false,
    });
    await store.recordCycle(["prod"], (snapshot) => {
      seen = snapshot.states;
      return simplePlan({ cycleId: "d", at: clock.now(), violated: new Map(), ok: [] })(snapshot);
    });
    expect(seen?.has(key)).toBe(false);
  });

  it("sees tickets changed by another connection in the next cycle", async () => {
    const { store, clock, path } = setup();
    const key = "prod/store_down/1";
    const [ticket] = (await cycle(store, clock, [key])).opened;
    await cycle(store, clock, [key]);
    const { openTicketStore } = await import("../src/index.ts");
    const cli = openTicketStore(path);
    await cli.applyAction(ticket?.id ?? 0, { type: "resolve", actor: "bob", comment: "fixed" });
    cli.close();
    const next = await cycle(store, clock, [key]);
    expect(next.opened).toHaveLength(1);
    expect(next.opened[0]?.previousTicketId).toBe(ticket?.id);
  });

  it("sees this connection's own actions in the next cycle", async () => {
    const { store, clock } = setup();
    const key = "prod/store_down/1";
    const [ticket] = (await cycle(store, clock, [key])).opened;
    await cycle(store, clock, [key]);
    await store.applyAction(ticket?.id ?? 0, { type: "acknowledge", actor: "carol" });
    let status: string | undefined;
    await store.recordCycle(["prod"], (snapshot) => {
      status = snapshot.openTickets.get(key)?.status;
      return simplePlan({ cycleId: "c", at: clock.now(), violated: new Map([[key, 1]]), ok: [] })(snapshot);
    });
    expect(status).toBe("acknowledged");
  });

  it("keeps the cycle log within its retention", async () => {
    const clock = testClock();
    const { openTicketStore } = await import("../src/index.ts");
    const { tempDbPath } = await import("./helpers/temp.ts");
    const store = openTicketStore(tempDbPath(), {
      now: clock.now,
      cycleLogRetention: { maxRows: 5, maxAgeMs: 10 * 60_000 },
    });
    open.push(store);
    for (let i = 0; i < 12; i++) await cycle(store, clock, []);
    const rows = store.recentCycles(100);
    expect(rows).toHaveLength(5);
    expect(rows[0]?.startedAt).toBe(clock.now());
    clock.advance(11 * 60_000);
    await cycle(store, clock, []);
    expect(store.recentCycles(100)).toHaveLength(1);
  });

  it("counts open tickets by severity", async () => {
    const { store, clock } = setup();
    await cycle(store, clock, ["prod/a/1", "prod/a/2"], [], { severity: "critical" });
    await cycle(store, clock, ["prod/b/1"], [], { severity: "info" });
    expect(store.openTicketCounts()).toEqual({ critical: 2, warning: 0, info: 1 });
  });
});

describe("a closed store", () => {
  it("fails with a DatabaseError saying so", async () => {
    const { store, path } = freshStore();
    store.close();
    store.close();
    await expect(store.listTickets()).rejects.toThrow(`[operator] Database ${path} is closed`);
    expect(() => store.openTicketCounts()).toThrow(/is closed/);
  });
});

describe("a plan changing one ticket twice", () => {
  it("applies both changes in order", async () => {
    const { store, clock } = setup();
    const [ticket] = (await cycle(store, clock, ["prod/store_down/1"])).opened;
    const id = ticket?.id ?? 0;
    const at = clock.advance(30_000);
    await store.recordCycle(["prod"], (snapshot) => ({
      ...simplePlan({ cycleId: "twice", at, violated: new Map(), ok: [] })(snapshot),
      change: [
        { id, patch: { message: "first", updatedAt: at }, events: [] },
        { id, patch: { message: ticket?.message ?? "", updatedAt: at }, events: [] },
      ],
    }));
    expect((await store.getTicket(id)).ticket.message).toBe(ticket?.message);
  });
});

describe("plain recurrences written together", () => {
  it("store the same counts and times as one patch each, mixed with other changes", async () => {
    const { store, clock } = setup();
    const keys = ["prod/a/1", "prod/a/2", "prod/a/3"];
    const opened = (await cycle(store, clock, keys)).opened;
    const [one, two, three] = opened.map((t) => t.id);
    const at = clock.advance(30_000);
    await store.recordCycle(["prod"], (snapshot) => {
      const base = simplePlan({ cycleId: "mixed", at, violated: new Map(), ok: [] })(snapshot);
      const bump = (id: number | undefined, extra = {}) => {
        const t = [...snapshot.openTickets.values()].find((x) => x.id === id);
        return {
          id: id ?? 0,
          patch: { lastSeenAt: at, updatedAt: at, occurrenceCount: (t?.occurrenceCount ?? 0) + 1, ...extra },
          events: [],
        };
      };
      return {
        ...base,
        change: [
          bump(one),
          bump(two, { message: "new message" }),
          bump(three),
          bump(one, { occurrenceCount: 10 }),
        ],
      };
    });
    const byId = new Map((await store.listTickets()).tickets.map((t) => [t.id, t]));
    expect(byId.get(one ?? 0)).toMatchObject({ occurrenceCount: 10, lastSeenAt: at, updatedAt: at });
    expect(byId.get(two ?? 0)).toMatchObject({ occurrenceCount: 2, lastSeenAt: at, message: "new message" });
    expect(byId.get(three ?? 0)).toMatchObject({ occurrenceCount: 2, lastSeenAt: at, updatedAt: at });
  });
});
