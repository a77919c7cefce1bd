import { describe, expect, it } from "vitest";
import { ConfigError, TicketNotFoundError, TransitionError } from "../src/errors.ts";
import { createMemoryTicketStore } from "../src/memory-store.ts";
import type { CyclePlan, TicketDraft } from "../src/store.ts";

const draft = (entity: string, extra: Partial<TicketDraft> = {}): TicketDraft => ({
  key: `db/inv/${entity}`,
  subject: "db",
  invariant: "inv",
  entity,
  severity: "warning",
  message: `${entity} broken`,
  flapping: false,
  firstSeenAt: 100,
  lastSeenAt: 100,
  occurrenceCount: 1,
  batchKey: "c1",
  values: { entity },
  createdAt: 100,
  events: [{ at: 100, actor: "monitor", kind: "opened", from: null, to: "open", comment: null }],
  ...extra,
});
const log = {
  id: "c1",
  startedAt: 0,
  finishedAt: 0,
  invariants: 1,
  violations: 0,
  unknown: 0,
  opened: 0,
  resolved: 0,
  failures: {},
};
const plan = (extra: Partial<CyclePlan>): CyclePlan => ({
  upsertStates: [],
  deleteStates: [],
  open: [],
  change: [],
  identities: [],
  log,
  ...extra,
});

describe("createMemoryTicketStore", () => {
  it("creates at most one unresolved ticket per key even if a plan asks for two", async () => {
    const store = createMemoryTicketStore();
    const result = await store.recordCycle(["db"], () =>
      plan({ open: [draft("1"), draft("1"), draft("2")] }),
    );
    expect(result.opened.map((t) => t.key)).toEqual(["db/inv/1", "db/inv/2"]);
    const again = await store.recordCycle(["db"], () => plan({ open: [draft("1")] }));
    expect(again.opened).toEqual([]);
    expect((await store.listTickets()).tickets).toHaveLength(2);
  });

  it("fills previousTicketId with the key's latest ticket", async () => {
    const store = createMemoryTicketStore();
    const [first] = (await store.recordCycle(["db"], () => plan({ open: [draft("1")] }))).opened;
    await store.applyAction(first?.id ?? 0, { type: "resolve", actor: "alice" }, 200);
    const [second] = (await store.recordCycle(["db"], () => plan({ open: [draft("1")] }))).opened;
    expect(first?.previousTicketId).toBeNull();
    expect(second?.previousTicketId).toBe(first?.id);
  });

  it("writes nothing when the plan throws or names a ticket that does not exist", async () => {
    const store = createMemoryTicketStore();
    await expect(
      store.recordCycle(["db"], () => {
        throw new Error("plan failed");
      }),
    ).rejects.toThrow("plan failed");
    await expect(
      store.recordCycle(["db"], () =>
        plan({ open: [draft("1")], change: [{ id: 99, patch: { message: "x" }, events: [] }] }),
      ),
    ).rejects.toBeInstanceOf(TicketNotFoundError);
    expect((await store.listTickets({ includeResolved: true })).tickets).toEqual([]);
    expect(store.cycles()).toEqual([]);
  });

  it("gives a snapshot of the requested subjects only", async () => {
    const store = createMemoryTicketStore();
    await store.recordCycle(["db", "other"], () =>
      plan({ open: [draft("1"), { ...draft("1"), key: "other/inv/1", subject: "other" }] }),
    );
    await store.recordCycle(["db"], (snapshot) => {
      expect([...snapshot.openTickets.keys()]).toEqual(["db/inv/1"]);
      return plan({});
    });
  });

  it("lists newest first with filters and a cursor", async () => {
    const store = createMemoryTicketStore();
    const drafts = Array.from({ length: 5 }, (_, i) =>
      draft(String(i), { severity: i % 2 ? "critical" : "warning", lastSeenAt: i * 10, firstSeenAt: i * 10 }),
    );
    await store.recordCycle(["db"], () => plan({ open: drafts }));
    await store.applyAction(5, { type: "hold", actor: "alice" });
    await store.applyAction(1, { type: "resolve", actor: "alice" });

    const page1 = await store.listTickets({ limit: 2 });
    expect(page1.tickets.map((t) => t.id)).toEqual([5, 4]);
    const page2 = await store.listTickets({ limit: 2, before: page1.nextCursor ?? 0 });
    expect(page2.tickets.map((t) => t.id)).toEqual([3, 2]);
    expect(page2.nextCursor).toBeNull();
    const list = async (filter: object) => (await store.listTickets(filter)).tickets.map((t) => t.id);
    expect(await list({ includeResolved: true })).toEqual([5, 4, 3, 2, 1]);
    expect(await list({ status: ["resolved"] })).toEqual([1]);
    expect(await list({ severity: ["critical"] })).toEqual([4, 2]);
    expect(await list({ held: true })).toEqual([5]);
    expect(await list({ since: 25, until: 35 })).toEqual([4]);
    expect(await list({ subject: "nope" })).toEqual([]);
    await expect(store.listTickets({ limit: 0 })).rejects.toBeInstanceOf(ConfigError);
  });

  it("applies a person's action with its event and refuses a bad one without writing", async () => {
    const store = createMemoryTicketStore({ now: () => 500 });
    await store.recordCycle(["db"], () => plan({ open: [draft("1")] }));
    const acked = await store.applyAction(1, { type: "acknowledge", actor: "alice", comment: "looking" });
    expect(acked).toMatchObject({ status: "acknowledged", acknowledgedAt: 500, acknowledgedBy: "alice" });
    await expect(store.applyAction(1, { type: "acknowledge", actor: "bob" })).rejects.toBeInstanceOf(
      TransitionError,
    );
    await expect(store.applyAction(9, { type: "acknowledge", actor: "bob" })).rejects.toBeInstanceOf(
      TicketNotFoundError,
    );
    await expect(store.getTicket(9)).rejects.toThrow("No ticket with id 9");
    const detail = await store.getTicket(1);
    expect(detail.events.map((e) => [e.kind, e.actor, e.comment])).toEqual([
      ["opened", "monitor", null],
      ["acknowledged", "alice", "looking"],
    ]);
  });
});
