import { ConfigError, TicketNotFoundError, TransitionError } from "@operator/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqliteTicketStore } from "../src/index.ts";
import { cycle, freshStore, type TestClock } from "./helpers/store.ts";

describe("listTickets", () => {
  let store: SqliteTicketStore;
  let clock: TestClock;
  let t0: number;
  beforeAll(async () => {
    ({ store, clock } = freshStore());
    t0 = clock.now();
    // 30 keys on two subjects and two invariants, opened over three cycles, with severities by cycle.
    await cycle(store, clock, keys("prod", "store_down", 0, 10), [], { severity: "critical" });
    await cycle(store, clock, keys("prod", "high_latency", 0, 10), [], { severity: "warning" });
    await cycle(store, clock, keys("stage", "store_down", 0, 10), [], { severity: "info" });
    // Resolve five of the first batch, acknowledge and hold two of the second.
    await cycle(store, clock, [], keys("prod", "store_down", 0, 5));
    const latency = (await store.listTickets({ invariant: "high_latency", limit: 2 })).tickets;
    for (const t of latency) {
      await store.applyAction(t.id, { type: "acknowledge", actor: "alice" });
      await store.applyAction(t.id, { type: "hold", actor: "alice" });
    }
  });
  afterAll(() => store.close());

  it("lists unresolved tickets, newest first, 50 by default", async () => {
    const page = await store.listTickets();
    expect(page.tickets).toHaveLength(25);
    expect(page.tickets.every((t) => t.status !== "resolved")).toBe(true);
    const ids = page.tickets.map((t) => t.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(page.nextCursor).toBeNull();
  });

  it("pages with a cursor without gaps or repeats", async () => {
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await store.listTickets({
        includeResolved: true,
        limit: 7,
        ...(before ? { before } : {}),
      });
      seen.push(...page.tickets.map((t) => t.id));
      if (page.nextCursor === null) break;
      before = page.nextCursor;
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
  });

  it("filters by status, severity, subject, invariant and held", async () => {
    expect((await store.listTickets({ status: ["resolved"] })).tickets).toHaveLength(5);
    expect((await store.listTickets({ status: ["acknowledged"] })).tickets).toHaveLength(2);
    expect((await store.listTickets({ severity: ["critical"] })).tickets).toHaveLength(5);
    expect((await store.listTickets({ severity: ["critical"], includeResolved: true })).tickets).toHaveLength(
      10,
    );
    expect((await store.listTickets({ subject: "stage" })).tickets.every((t) => t.subject === "stage")).toBe(
      true,
    );
    expect((await store.listTickets({ subject: "stage" })).tickets).toHaveLength(10);
    expect((await store.listTickets({ invariant: "store_down" })).tickets).toHaveLength(15);
    expect((await store.listTickets({ held: true })).tickets.map((t) => t.held)).toEqual([true, true]);
    expect((await store.listTickets({ held: false })).tickets).toHaveLength(23);
  });

  it("filters by time range", async () => {
    const secondCycle = t0 + 60_000;
    const firstSeenByThen = await store.listTickets({ until: secondCycle, includeResolved: true });
    expect(firstSeenByThen.tickets).toHaveLength(20);
    const seenLate = await store.listTickets({ since: t0 + 90_000, includeResolved: true });
    expect(seenLate.tickets.every((t) => t.lastSeenAt >= t0 + 90_000)).toBe(true);
    expect(seenLate.tickets).toHaveLength(10);
  });

  it("refuses an invalid page size, and one above the maximum rather than cutting it", async () => {
    await expect(store.listTickets({ limit: 0 })).rejects.toBeInstanceOf(ConfigError);
    await expect(store.listTickets({ limit: 2.5 })).rejects.toBeInstanceOf(ConfigError);
    await expect(store.listTickets({ limit: 1_000_000 })).rejects.toBeInstanceOf(ConfigError);
    expect((await store.listTickets({ limit: 1000, includeResolved: true })).tickets).toHaveLength(30);
  });
});

describe("getTicket and applyAction", () => {
  let store: SqliteTicketStore;
  let clock: TestClock;
  beforeAll(() => {
    ({ store, clock } = freshStore());
  });
  afterAll(() => store.close());

  async function openOne(key: string): Promise<number> {
    const [ticket] = (await cycle(store, clock, [key])).opened;
    if (!ticket) throw new Error("no ticket opened");
    return ticket.id;
  }

  it("walks a ticket through acknowledge, diagnose, hold, unhold and resolve with events", async () => {
    const id = await openOne("prod/store_down/1");
    const at = clock.now();
    expect(await store.applyAction(id, { type: "acknowledge", actor: "alice" }, at + 1)).toMatchObject({
      status: "acknowledged",
      acknowledgedBy: "alice",
      acknowledgedAt: at + 1,
    });
    expect(
      await store.applyAction(
        id,
        { type: "diagnose", actor: "bob", diagnosis: "disk failed on store 1" },
        at + 2,
      ),
    ).toMatchObject({ status: "diagnosed", diagnosis: "disk failed on store 1", acknowledgedBy: "alice" });
    expect(await store.applyAction(id, { type: "hold", actor: "bob" }, at + 3)).toMatchObject({ held: true });
    expect(await store.applyAction(id, { type: "unhold", actor: "bob" }, at + 4)).toMatchObject({
      held: false,
    });
    const resolved = await store.applyAction(
      id,
      { type: "resolve", actor: "carol", comment: "replaced" },
      at + 5,
    );
    expect(resolved).toMatchObject({
      status: "resolved",
      resolvedBy: "carol",
      resolvedAt: at + 5,
      held: false,
    });
    const detail = await store.getTicket(id);
    expect(detail.ticket).toEqual(resolved);
    expect(detail.events.map((e) => [e.kind, e.actor, e.from, e.to])).toEqual([
      ["opened", "monitor", null, "open"],
      ["acknowledged", "alice", "open", "acknowledged"],
      ["diagnosed", "bob", "acknowledged", "diagnosed"],
      ["held", "bob", "false", "true"],
      ["unheld", "bob", "true", "false"],
      ["resolved", "carol", "diagnosed", "resolved"],
    ]);
    expect(detail.events.at(-1)?.comment).toBe("replaced");
    expect(detail.events.map((e) => e.at)).toEqual([at, at + 1, at + 2, at + 3, at + 4, at + 5]);
  });

  it("a manual resolve of a held ticket clears the hold", async () => {
    const id = await openOne("prod/store_down/2");
    await store.applyAction(id, { type: "hold", actor: "alice" });
    expect(await store.applyAction(id, { type: "resolve", actor: "alice" })).toMatchObject({
      status: "resolved",
      held: false,
    });
  });

  it("refuses a backward move with TransitionError and leaves the ticket untouched", async () => {
    const id = await openOne("prod/store_down/3");
    await store.applyAction(id, { type: "resolve", actor: "alice" });
    const before = await store.getTicket(id);
    for (const action of [
      { type: "acknowledge", actor: "bob" },
      { type: "resolve", actor: "bob" },
      { type: "hold", actor: "bob" },
    ] as const) {
      const err = await store.applyAction(id, action).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransitionError);
      expect((err as Error).message).toMatch(/^\[operator\] Ticket \d+/);
    }
    expect(await store.getTicket(id)).toEqual(before);
  });

  it("refuses a diagnosis without text", async () => {
    const id = await openOne("prod/store_down/4");
    await expect(
      store.applyAction(id, { type: "diagnose", actor: "a", diagnosis: "  " }),
    ).rejects.toBeInstanceOf(TransitionError);
    expect((await store.getTicket(id)).events).toHaveLength(1);
  });

  it("throws TicketNotFoundError for an unknown id", async () => {
    await expect(store.getTicket(987654)).rejects.toBeInstanceOf(TicketNotFoundError);
    await expect(store.applyAction(987654, { type: "acknowledge", actor: "a" })).rejects.toThrow(
      "[operator] No ticket with id 987654",
    );
  });
});

function keys(subject: string, invariant: string, from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `${subject}/${invariant}/${from + i}`);
}
