import { type CyclePlan, MONITOR_ACTOR, type TicketChange, type TicketDraft } from "@operator/core";
import { describe, expect, it } from "vitest";
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

describe("recurrences written set-based", () => {
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
});
