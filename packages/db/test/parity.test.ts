import {
  type CycleSnapshot,
  createMemoryTicketStore,
  type TicketAction,
  type TicketEvent,
  type TicketStore,
} from "@operator/core";
import { describe, expect, it } from "vitest";
import { openTicketStore, type SqliteTicketStore } from "../src/index.ts";
import { realPlan, seeded, TestWorld } from "./helpers/real-planner.ts";
import { testClock } from "./helpers/store.ts";
import { tempDbPath } from "./helpers/temp.ts";

const CYCLE_MS = 30_000;

/** Everything a store holds that a person or the planner can see, in a comparable form. */
async function contents(store: TicketStore, peekStates: () => Promise<Peeked>) {
  const page = await store.listTickets({ includeResolved: true, limit: 1000 });
  const events: Omit<TicketEvent, "id">[][] = [];
  for (const ticket of page.tickets) {
    events.push((await store.getTicket(ticket.id)).events.map(({ id: _id, ...rest }) => rest));
  }
  const { states, identities } = await peekStates();
  return {
    tickets: page.tickets,
    events,
    states: Object.fromEntries(states),
    identities: Object.fromEntries(identities),
  };
}

type Peeked = Pick<CycleSnapshot, "states" | "identities">;

async function peek(store: TicketStore, subjects: readonly string[]): Promise<Peeked> {
  let peeked: Peeked = { states: new Map(), identities: new Map() };
  await store
    .recordCycle(subjects, (snapshot) => {
      peeked = snapshot;
      throw new Error("only looking");
    })
    .catch(() => undefined);
  return peeked;
}

describe("parity with core's in-memory store under core's real planner", () => {
  for (const [seed, withHealth] of [
    [1, false],
    [2, false],
    [3, false],
    [4, true],
    [5, true],
  ] as const) {
    const what = withHealth ? ", sources, identity changes and gone entities" : "";
    it(`seed ${seed}: 240 cycles with grace periods, flapping, unknowns${what} and people's actions`, async () => {
      const clock = testClock();
      const subjects = ["alpha", "beta"];
      const world = new TestWorld(subjects, 6, 0.12, seed, withHealth);
      const random = seeded(seed * 7919);
      const memory = createMemoryTicketStore({ now: clock.now });
      const sqlite: SqliteTicketStore = openTicketStore(tempDbPath(), { now: clock.now });
      try {
        for (let step = 0; step < 240; step++) {
          const now = clock.advance(CYCLE_MS);
          const plan = realPlan(`cycle-${step}`, now, world.next(), world.health);
          const expected = await memory.recordCycle(subjects, plan);
          const actual = await sqlite.recordCycle(subjects, plan);
          expect(actual, `cycle ${step}`).toEqual(expected);

          if (random() < 0.25) {
            const open = (await memory.listTickets({ limit: 1000 })).tickets;
            const target = open[Math.floor(random() * open.length)];
            if (target) {
              const action = randomAction(random);
              const at = now + 1000;
              const want = await memory.applyAction(target.id, action, at).catch((e: Error) => e.name);
              const got = await sqlite.applyAction(target.id, action, at).catch((e: Error) => e.name);
              expect(got, `${action.type} on ${target.id} at cycle ${step}`).toEqual(want);
            }
          }
          if (step % 60 === 59) {
            const want = await contents(memory, () => peek(memory, subjects));
            const got = await contents(sqlite, () => peek(sqlite, subjects));
            expect(got).toEqual(want);
          }
        }
        const tickets = (await sqlite.listTickets({ includeResolved: true, limit: 1000 })).tickets;
        expect(tickets.length).toBeGreaterThan(10);
        const { events } = await contents(sqlite, () => peek(sqlite, subjects));
        expect(events.flat().some((e) => e.kind === "flapping_started")).toBe(true);
        expect(tickets.some((t) => t.previousTicketId !== null)).toBe(true);
        expect(sqlite.recentCycles(1000)).toEqual([...memory.cycles()].reverse());
        if (withHealth) {
          const invariants = new Set(tickets.map((t) => t.invariant));
          expect(invariants).toContain("source_unreachable");
          expect(invariants).toContain("identity_changed");
          expect(memory.identities().map((i) => i.subject)).toEqual(subjects);
          expect(events.flat().some((e) => e.kind === "resolved" && e.comment?.includes("Tombstone"))).toBe(
            true,
          );
        }
      } finally {
        sqlite.close();
      }
    }, 120_000);
  }
});

describe("parity of page limits", () => {
  it("both stores take the same page sizes and refuse the same ones, with the same message", async () => {
    const memory = createMemoryTicketStore();
    const sqlite: SqliteTicketStore = openTicketStore(tempDbPath());
    const outcome = (store: TicketStore, limit: number | undefined) =>
      store.listTickets(limit === undefined ? {} : { limit }).then(
        (page) => `ok ${page.tickets.length}`,
        (error: Error) => `${error.name}: ${error.message}`,
      );
    try {
      for (const limit of [undefined, 1, 50, 1000, 1001, 5000, 0, -1, 1.5, Number.NaN]) {
        expect(await outcome(sqlite, limit), `limit ${limit}`).toEqual(await outcome(memory, limit));
      }
      expect(await outcome(sqlite, 1001)).toMatch(
        /ConfigError: .*limit must be a whole number from 1 to 1000/,
      );
      expect(await outcome(sqlite, 1000)).toBe("ok 0");
    } finally {
      sqlite.close();
    }
  });
});

function randomAction(random: () => number): TicketAction {
  const actor = random() < 0.5 ? "alice" : "bob";
  const pick = Math.floor(random() * 5);
  switch (pick) {
    case 0:
      return { type: "acknowledge", actor };
    case 1:
      return { type: "diagnose", actor, diagnosis: "disk latency on the host" };
    case 2:
      return { type: "hold", actor, comment: "maintenance" };
    case 3:
      return { type: "unhold", actor };
    default:
      return { type: "resolve", actor, comment: "fixed by hand" };
  }
}
