import {
  configuredInvariants,
  createMemoryTicketStore,
  ORPHAN_REASON,
  type Subject,
  type TicketEvent,
  type TicketStore,
} from "@operator/core";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openTicketStore } from "../src/index.ts";
import { simplePlan } from "./helpers/planner.ts";
import { testClock } from "./helpers/store.ts";
import { tempDbPath } from "./helpers/temp.ts";

const defaults = { enabled: true, severity: "warning", forMs: 0, clearMs: 0, thresholds: {} } as const;

/** A subject shape with the named invariants (only names and `enabled` matter here). */
function subject(name: string, invariants: Record<string, boolean>): Subject {
  return {
    name,
    kind: "test",
    invariants: Object.entries(invariants).map(([invariant, enabled]) => ({
      name: invariant,
      description: invariant,
      defaults: { ...defaults, enabled },
      evaluate: () => [],
    })),
    observe: async () => ({}),
  };
}

const VIOLATED = [
  "alpha/probe/1",
  "alpha/disk/1",
  "alpha/gone/1",
  "alpha/subject_unreachable/subject",
  "beta/probe/1",
  "beta/probe/2",
  "beta/probe/3",
  "beta/source_unreachable/prometheus",
  "beta/identity_changed/subject",
];

/**
 * Drives one store through the same history: tickets on every key above, one acknowledged, one held,
 * one already resolved, and a key (`alpha/gone/2`) with only a pending state and no ticket.
 */
async function seed(store: TicketStore, clock: ReturnType<typeof testClock>): Promise<void> {
  const subjects = ["alpha", "beta"];
  await store.recordCycle(
    subjects,
    simplePlan({
      cycleId: "c1",
      at: clock.advance(30_000),
      violated: new Map(VIOLATED.map((k) => [k, 1])),
      ok: [],
    }),
  );
  await store.recordCycle(
    subjects,
    simplePlan({
      cycleId: "c2",
      at: clock.advance(30_000),
      violated: new Map([["alpha/gone/2", 2]]),
      ok: [],
    }),
  );
  const page = await store.listTickets({ limit: 100 });
  const id = (key: string) => page.tickets.find((t) => t.key === key)?.id as number;
  await store.applyAction(id("beta/probe/2"), { type: "hold", actor: "ana" }, clock.advance(1_000));
  await store.applyAction(id("beta/probe/3"), { type: "acknowledge", actor: "ana" }, clock.advance(1_000));
  await store.applyAction(id("alpha/gone/2"), { type: "resolve", actor: "ana" }, clock.advance(1_000));
}

async function everything(store: TicketStore) {
  const page = await store.listTickets({ includeResolved: true, limit: 100 });
  const events: Omit<TicketEvent, "id">[][] = [];
  for (const ticket of page.tickets) {
    events.push((await store.getTicket(ticket.id)).events.map(({ id: _id, ...rest }) => rest));
  }
  return { tickets: page.tickets, events };
}

describe("resolveOrphans", () => {
  // alpha keeps probe, disables disk, no longer has gone; beta is removed from the configuration.
  const configured = configuredInvariants([subject("alpha", { probe: true, disk: false })]);

  it("resolves the same tickets, writes the same events and drops the same states in memory and in SQLite", async () => {
    const memClock = testClock();
    const sqlClock = testClock();
    const memory = createMemoryTicketStore({ now: memClock.now });
    const path = tempDbPath();
    const sqlite = openTicketStore(path, { now: sqlClock.now });
    try {
      await seed(memory, memClock);
      await seed(sqlite, sqlClock);
      const at = memClock.advance(60_000);
      sqlClock.advance(60_000);
      const fromMemory = await memory.resolveOrphans(configured, at);
      const fromSqlite = await sqlite.resolveOrphans(configured, at);
      expect(fromSqlite).toEqual(fromMemory);
      expect(await everything(sqlite)).toEqual(await everything(memory));

      expect(fromMemory.resolved.map((t) => t.key)).toEqual([
        "alpha/disk/1",
        "alpha/gone/1",
        "beta/probe/1",
        "beta/probe/3",
        "beta/source_unreachable/prometheus",
        "beta/identity_changed/subject",
      ]);
      expect(fromMemory.held.map((t) => t.key)).toEqual(["beta/probe/2"]);
      expect(fromMemory.events).toHaveLength(6);
      for (const event of fromMemory.events) {
        expect(event).toMatchObject({ kind: "resolved", to: "resolved", comment: ORPHAN_REASON, at });
      }
      expect(fromMemory.events.find((e) => e.key === "beta/probe/3")?.from).toBe("acknowledged");
      for (const ticket of fromMemory.resolved) {
        expect(ticket).toMatchObject({
          status: "resolved",
          resolvedAt: at,
          resolvedBy: "monitor",
          held: false,
        });
      }
      const open = await sqlite.listTickets({ limit: 100 });
      expect(open.tickets.map((t) => t.key).sort()).toEqual([
        "alpha/probe/1",
        "alpha/subject_unreachable/subject",
        "beta/probe/2",
      ]);
      expect(sqlite.openTicketCounts()).toEqual({ critical: 0, warning: 3, info: 0 });

      // A configured subject keeps its own keys (subject_unreachable) and its enabled invariants'.
      const kept = ["alpha/probe/1", "alpha/subject_unreachable/subject"];
      expect(memory.states().map((s) => s.key)).toEqual(kept);
      expect(fromMemory.droppedStates).toBe(8);
      sqlite.close();
      const db = new Database(path, { readonly: true });
      try {
        const keys = db.prepare("SELECT key FROM key_states ORDER BY key").pluck().all();
        expect(keys).toEqual(kept);
      } finally {
        db.close();
      }
    } finally {
      sqlite.close();
    }
  });

  it("changes nothing when nothing is orphaned, and a second call after a first finds nothing", async () => {
    const clock = testClock();
    const sqlite = openTicketStore(tempDbPath(), { now: clock.now });
    try {
      await seed(sqlite, clock);
      const all = configuredInvariants([
        subject("alpha", { probe: true, disk: true, gone: true }),
        subject("beta", { probe: true }),
      ]);
      const before = await everything(sqlite);
      expect(await sqlite.resolveOrphans(all)).toEqual({
        resolved: [],
        held: [],
        events: [],
        droppedStates: 0,
      });
      expect(await everything(sqlite)).toEqual(before);
      await sqlite.resolveOrphans(configured);
      const again = await sqlite.resolveOrphans(configured);
      expect(again.resolved).toEqual([]);
      expect(again.held.map((t) => t.key)).toEqual(["beta/probe/2"]);
    } finally {
      sqlite.close();
    }
  });

  it("a cycle after the resolve sees the orphaned keys gone from its snapshot (no stale cache)", async () => {
    const clock = testClock();
    const sqlite = openTicketStore(tempDbPath(), { now: clock.now });
    try {
      await seed(sqlite, clock);
      // Warm the snapshot cache for both subjects, then resolve the orphans.
      await sqlite.recordCycle(
        ["alpha", "beta"],
        simplePlan({ cycleId: "c3", at: clock.advance(30_000), violated: new Map(), ok: [] }),
      );
      await sqlite.resolveOrphans(configured);
      let seen: string[] = [];
      await sqlite.recordCycle(["alpha", "beta"], (snapshot) => {
        seen = [...snapshot.openTickets.keys(), ...snapshot.states.keys()].sort();
        return simplePlan({ cycleId: "c4", at: clock.advance(30_000), violated: new Map(), ok: [] })(
          snapshot,
        );
      });
      expect(seen).toEqual([
        "alpha/probe/1",
        "alpha/probe/1",
        "alpha/subject_unreachable/subject",
        "alpha/subject_unreachable/subject",
        "beta/probe/2",
      ]);
    } finally {
      sqlite.close();
    }
  });
});
