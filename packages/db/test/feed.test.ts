import { ConfigError, createMemoryTicketStore, type TicketStore } from "@operator/core";
import { afterAll, describe, expect, it } from "vitest";
import { openTicketStore, type SqliteTicketStore } from "../src/index.ts";
import { simplePlan } from "./helpers/planner.ts";
import { testClock } from "./helpers/store.ts";
import { tempDbPath } from "./helpers/temp.ts";

const opened: SqliteTicketStore[] = [];
afterAll(() => {
  for (const store of opened) store.close();
});

/** The event feed and ticket search, with the same expectations on the SQLite and the memory store. */
describe.each([
  [
    "SQLite",
    (now: () => number): TicketStore => {
      const store = openTicketStore(tempDbPath(), { now });
      opened.push(store);
      return store;
    },
  ],
  ["memory", (now: () => number): TicketStore => createMemoryTicketStore({ now })],
])("%s store", (_name, make) => {
  async function seeded() {
    const clock = testClock();
    const store = make(clock.now);
    let seq = 0;
    const run = (violated: string[], ok: string[] = []) => {
      const at = clock.advance(30_000);
      const subjects = [...new Set([...violated, ...ok].map((k) => k.slice(0, k.indexOf("/"))))];
      return store.recordCycle(
        subjects,
        simplePlan({ cycleId: `c${++seq}`, at, violated: new Map(violated.map((k) => [k, 1])), ok }),
      );
    };
    return { store, run };
  }

  it("lists events after an id in commit order, each with its ticket as it stands now", async () => {
    const { store, run } = await seeded();
    await run(["prod/store_down/1", "prod/store_down/2"]);
    const [first] = (await store.listTickets({ limit: 1, before: 2 })).tickets;
    await store.applyAction(first?.id ?? 0, { type: "acknowledge", actor: "alice" });
    await run([], ["prod/store_down/1"]);
    const all = await store.listEventsAfter(0, 1000);
    expect(all.map((item) => [item.event.ticketId, item.event.kind])).toEqual([
      [1, "opened"],
      [2, "opened"],
      [1, "acknowledged"],
      [1, "resolved"],
    ]);
    const ids = all.map((item) => item.event.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // The ticket is today's: the first event of ticket 1 comes with the resolved ticket.
    expect(all[0]?.ticket.status).toBe("resolved");
    expect(all[1]?.ticket).toMatchObject({ id: 2, status: "open" });
    const after = await store.listEventsAfter(ids[1] as number, 1);
    expect(after.map((item) => item.event.kind)).toEqual(["acknowledged"]);
    expect(await store.listEventsAfter(ids.at(-1) as number, 10)).toEqual([]);
  });

  it("refuses a limit outside 1-1000 and a negative or fractional id", async () => {
    const { store } = await seeded();
    for (const [after, limit] of [
      [0, 0],
      [0, 1001],
      [0, 1.5],
      [-1, 10],
      [0.5, 10],
    ] as const) {
      await expect(store.listEventsAfter(after, limit)).rejects.toBeInstanceOf(ConfigError);
    }
  });

  it("searches key and message for a substring, ignoring ASCII case", async () => {
    const { store, run } = await seeded();
    await run(["prod/store_down/1", "prod/high_latency/2", "stage/store_down/3"]);
    const keys = async (search: string) =>
      (await store.listTickets({ search })).tickets.map((t) => t.key).sort();
    expect(await keys("STORE_DOWN")).toEqual(["prod/store_down/1", "stage/store_down/3"]);
    expect(await keys("Stage/")).toEqual(["stage/store_down/3"]);
    // The test planner's message is "<key> is violated (value 1)".
    expect(await keys("VALUE 1")).toHaveLength(3);
    // Wildcards of LIKE are plain text here.
    expect(await keys("%")).toEqual([]);
    expect(await keys("_latency")).toEqual(["prod/high_latency/2"]);
    expect(await keys("")).toHaveLength(3);
    await expect(store.listTickets({ search: "x".repeat(201) })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe("status reads", () => {
  it("counts every ticket by status and unresolved ones by severity, and lists known subjects", async () => {
    const clock = testClock();
    const store = openTicketStore(tempDbPath(), { now: clock.now });
    opened.push(store);
    const run = (violated: string[], ok: string[] = [], severity: "critical" | "warning" = "critical") => {
      const at = clock.advance(30_000);
      const subjects = [...new Set([...violated, ...ok].map((k) => k.slice(0, k.indexOf("/"))))];
      return store.recordCycle(
        subjects,
        simplePlan({ cycleId: `s${at}`, at, violated: new Map(violated.map((k) => [k, 1])), ok, severity }),
      );
    };
    expect(await store.ticketCounts()).toEqual({
      byStatus: { open: 0, acknowledged: 0, diagnosed: 0, resolved: 0 },
      bySeverity: { critical: 0, warning: 0, info: 0 },
    });
    await run(["prod/a/1", "prod/a/2"]);
    await run(["stage/b/1"], [], "warning");
    await store.applyAction(2, { type: "acknowledge", actor: "alice" });
    await run([], ["prod/a/1"]);
    expect(await store.ticketCounts()).toEqual({
      byStatus: { open: 1, acknowledged: 1, diagnosed: 0, resolved: 1 },
      bySeverity: { critical: 1, warning: 1, info: 0 },
    });
    expect(await store.knownSubjects()).toEqual(["prod", "stage"]);
  });
});
