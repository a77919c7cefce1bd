import { afterAll, describe, expect, it } from "vitest";
import { TicketNotFoundError, TransitionError } from "../errors.ts";
import { isLeaseStore } from "../leases.ts";
import { createMemoryTicketStore } from "../memory-store.ts";
import type { AttemptOutcome, NotificationStore } from "../notification-store.ts";
import type { NotificationFilter } from "../notifier.ts";
import type { SilenceDraft, SilenceStore } from "../silence.ts";
import type { CycleLogEntry, CycleSnapshot, TicketStore } from "../store.ts";
import type { EntityResult, Runbook } from "../subject.ts";
import type { TicketEvent } from "../ticket.ts";
import type { TicketAction } from "../transitions.ts";
import { leaseTests } from "./lease-tests.ts";
import { realPlan, type SubjectHealthView, type SubjectView, seeded, TestWorld } from "./store-world.ts";

/** What {@link testTicketStore} runs against: a complete store. */
export type ConformingStore = TicketStore & NotificationStore & SilenceStore;

/** Options of {@link testTicketStore}. */
export interface TestTicketStoreOptions<S extends ConformingStore> {
  /** Title of the test block. */
  readonly name: string;
  /** Builds a fresh, empty store whose clock (for actions without a time, retention, silences) is `now`. */
  readonly create: (now: () => number) => S | Promise<S>;
  /** Closes a store made by `create`. */
  readonly close?: (store: S) => void | Promise<void>;
  /** The store's cycle log, newest first, when it exposes one (compared with the memory store's). */
  readonly recentCycles?: (
    store: S,
    limit: number,
  ) => readonly CycleLogEntry[] | Promise<readonly CycleLogEntry[]>;
  /** Cycles per seed of the parity runs. @default 160 */
  readonly parityCycles?: number;
  /** The store implements `LeaseStore` on the clock `create` gives it: run the lease tests. */
  readonly leases?: boolean;
  /** Per-test timeout. @default 120_000 */
  readonly timeoutMs?: number;
}

const CYCLE_MS = 30_000;
const START = Date.UTC(2026, 0, 1);
const down = (entity: string, value = 1): EntityResult => ({
  entity,
  outcome: "violated",
  message: `store ${entity} is down`,
  values: { value },
});
const ok = (entity: string): EntityResult => ({ entity, outcome: "ok" });

/**
 * Registers the ticket store conformance suite with vitest: what every `TicketStore` (with its
 * outbox and silences) must do, checked against core's real planner and, for whole runs, against
 * the in-memory store: dedup by key, occurrence counts, runbook hints, auto-resolve and recurrence, holds,
 * transitions and refusals, list filters and cursor pagination, append-only history and the event
 * feed, identities, the notification outbox, silences, orphans, page limits, parity and, with
 * `leases`, the lease port and the fencing of cycle writes.
 *
 * @example
 * testTicketStore({ name: "sqlite", create: (now) => openTicketStore(tempPath(), { now }), close: (s) => s.close() });
 */
export function testTicketStore<S extends ConformingStore>(options: TestTicketStoreOptions<S>): void {
  const timeout = options.timeoutMs ?? 120_000;
  const opened: S[] = [];

  /** A fresh store with a manual clock, and helpers to run real-planner cycles on it. */
  async function fresh() {
    let t = START;
    const now = () => t;
    const store = await options.create(now);
    opened.push(store);
    let seq = 0;
    const cycle = (
      views: Record<string, SubjectView>,
      health: Record<string, SubjectHealthView> = {},
      runbooks: Record<string, Runbook> = {},
    ) => {
      t += CYCLE_MS;
      return store.recordCycle(Object.keys(views), realPlan(`cycle-${++seq}`, t, views, health, runbooks));
    };
    const all = async () => (await store.listTickets({ includeResolved: true, limit: 1000 })).tickets;
    return { store, now, cycle, all, advance: (ms: number) => (t += ms) };
  }

  describe(`${options.name}: ticket store conformance`, () => {
    afterAll(async () => {
      for (const store of opened.splice(0)) await options.close?.(store);
    });

    it(
      "keeps one unresolved ticket per key and counts its occurrences",
      async () => {
        const { cycle, all } = await fresh();
        const first = await cycle({ alpha: { store_down: [down("1")], high_latency: [] } });
        expect(first.opened).toHaveLength(1);
        for (let i = 0; i < 4; i++) {
          const again = await cycle({ alpha: { store_down: [down("1", i)], high_latency: [] } });
          expect(again.opened).toEqual([]);
        }
        const tickets = await all();
        expect(tickets).toHaveLength(1);
        expect(tickets[0]).toMatchObject({
          key: "alpha/store_down/1",
          status: "open",
          occurrenceCount: 5,
          firstSeenAt: START + CYCLE_MS,
          lastSeenAt: START + 5 * CYCLE_MS,
          lastValues: { value: 3 },
          firstValues: { value: 1 },
        });
      },
      timeout,
    );

    it(
      "stores the runbook hint of a ticket's draft and refreshes it on each occurrence",
      async () => {
        const { store, cycle, all } = await fresh();
        const disk: Runbook = { hint: "Check the disk", url: "https://runbooks.example/disk" };
        const [opened] = (
          await cycle({ alpha: { store_down: [down("1")], high_latency: [] } }, {}, { store_down: disk })
        ).opened;
        expect(opened?.runbook).toEqual(disk);
        const id = opened?.id ?? 0;
        expect((await store.getTicket(id)).ticket.runbook).toEqual(disk);

        const controller: Runbook = { hint: "Check the disk and its controller" };
        await cycle({ alpha: { store_down: [down("1")], high_latency: [] } }, {}, { store_down: controller });
        expect((await store.getTicket(id)).ticket).toMatchObject({ runbook: controller, occurrenceCount: 2 });
        expect((await all())[0]?.runbook).toEqual(controller);

        const next = await cycle({ alpha: { store_down: [down("1"), down("2")], high_latency: [] } });
        expect(next.opened.map((t) => [t.entity, t.runbook])).toEqual([["2", null]]);
        const byEntity = new Map((await all()).map((t) => [t.entity, t]));
        expect(byEntity.get("1")).toMatchObject({ id, runbook: null, occurrenceCount: 3 });
        expect(byEntity.get("2")?.runbook).toBeNull();
        expect((await store.getTicket(id)).events.map((e) => e.kind)).toEqual(["opened"]);
      },
      timeout,
    );

    it(
      "never holds two unresolved tickets for a key, even when a plan asks for them",
      async () => {
        const { store, cycle, all } = await fresh();
        await cycle({ alpha: { store_down: [down("1")], high_latency: [] } });
        const twice = realPlan("dup", START + 10 * CYCLE_MS, {
          alpha: { store_down: [down("1"), down("2")], high_latency: [] },
        });
        const duplicate = (snapshot: CycleSnapshot) => {
          const plan = twice(snapshot);
          const [draft] = plan.open;
          return draft === undefined ? plan : { ...plan, open: [draft, draft] };
        };
        await store.recordCycle(["alpha"], duplicate).catch(() => undefined);
        const reopen = (snapshot: CycleSnapshot) => {
          const plan = twice(snapshot);
          const [draft] = plan.open;
          return draft === undefined
            ? plan
            : { ...plan, open: [draft, { ...draft, key: "alpha/store_down/1", entity: "1" }] };
        };
        await store.recordCycle(["alpha"], reopen).catch(() => undefined);
        const unresolved = (await all()).filter((t) => t.status !== "resolved");
        const keys = unresolved.map((t) => t.key);
        expect(new Set(keys).size).toBe(keys.length);
        expect(keys).toContain("alpha/store_down/1");
      },
      timeout,
    );

    it(
      "resolves a ticket when its key clears, and a recurrence opens a new one linked to it",
      async () => {
        const { cycle, all, store } = await fresh();
        const [opened] = (await cycle({ alpha: { store_down: [down("1")], high_latency: [] } })).opened;
        const cleared = await cycle({ alpha: { store_down: [ok("1")], high_latency: [] } });
        expect(cleared.resolved.map((t) => t.id)).toEqual([opened?.id]);
        expect(cleared.resolved[0]).toMatchObject({ status: "resolved", resolvedBy: "monitor" });
        const [again] = (await cycle({ alpha: { store_down: [down("1")], high_latency: [] } })).opened;
        expect(again?.id).not.toBe(opened?.id);
        expect(again?.previousTicketId).toBe(opened?.id);
        expect((await all()).map((t) => t.status)).toEqual(["open", "resolved"]);
        const detail = await store.getTicket(opened?.id ?? 0);
        expect(detail.events.map((e) => e.kind)).toEqual(["opened", "resolved"]);
      },
      timeout,
    );

    it(
      "keeps held tickets open until they are released",
      async () => {
        const { cycle, store } = await fresh();
        const [ticket] = (await cycle({ alpha: { store_down: [down("1")], high_latency: [] } })).opened;
        const id = ticket?.id ?? 0;
        await store.applyAction(id, { type: "hold", actor: "alice", comment: "maintenance" });
        for (let i = 0; i < 3; i++) {
          const r = await cycle({ alpha: { store_down: [ok("1")], high_latency: [] } });
          expect(r.resolved).toEqual([]);
        }
        expect((await store.getTicket(id)).ticket).toMatchObject({ held: true, status: "open" });
        await store.applyAction(id, { type: "unhold", actor: "alice" });
        await cycle({ alpha: { store_down: [ok("1")], high_latency: [] } });
        expect((await store.getTicket(id)).ticket.status).toBe("resolved");
      },
      timeout,
    );

    it(
      "applies people's transitions, refuses invalid ones and writes nothing for them",
      async () => {
        const { cycle, store, now } = await fresh();
        const [ticket] = (await cycle({ alpha: { store_down: [down("1")], high_latency: [] } })).opened;
        const id = ticket?.id ?? 0;
        const acked = await store.applyAction(id, { type: "acknowledge", actor: "alice" });
        expect(acked).toMatchObject({
          status: "acknowledged",
          acknowledgedBy: "alice",
          acknowledgedAt: now(),
        });
        const diagnosed = await store.applyAction(
          id,
          { type: "diagnose", actor: "bob", diagnosis: "disk full" },
          now() + 5,
        );
        expect(diagnosed).toMatchObject({
          status: "diagnosed",
          diagnosis: "disk full",
          updatedAt: now() + 5,
        });
        const resolved = await store.applyAction(id, {
          type: "resolve",
          actor: "bob",
          comment: "cleaned up",
        });
        expect(resolved).toMatchObject({ status: "resolved", resolvedBy: "bob" });
        const before = await store.getTicket(id);
        await expect(store.applyAction(id, { type: "acknowledge", actor: "alice" })).rejects.toBeInstanceOf(
          TransitionError,
        );
        expect(await store.getTicket(id)).toEqual(before);
        await expect(
          store.applyAction(99_999, { type: "acknowledge", actor: "alice" }),
        ).rejects.toBeInstanceOf(TicketNotFoundError);
        await expect(store.getTicket(99_999)).rejects.toBeInstanceOf(TicketNotFoundError);
        expect(before.events.map((e) => e.kind)).toEqual(["opened", "acknowledged", "diagnosed", "resolved"]);
        expect(before.events.map((e) => e.actor)).toEqual(["monitor", "alice", "bob", "bob"]);
      },
      timeout,
    );

    it(
      "filters listings and pages through them with the cursor, newest first",
      async () => {
        const { cycle, store, all } = await fresh();
        const severe = (n: number) => Array.from({ length: n }, (_, i) => down(String(i)));
        await cycle({
          alpha: { store_down: severe(4), high_latency: [] },
          beta: { store_down: severe(3), high_latency: [] },
        });
        const tickets = await all();
        expect(tickets).toHaveLength(7);
        expect(tickets.map((t) => t.id)).toEqual([...tickets.map((t) => t.id)].sort((a, b) => b - a));
        const firstId = tickets.at(-1)?.id ?? 0;
        await store.applyAction(firstId, { type: "hold", actor: "alice" });
        await store.applyAction(firstId + 1, { type: "resolve", actor: "alice" });
        expect((await store.listTickets({ subject: "beta" })).tickets).toHaveLength(3);
        expect((await store.listTickets({ invariant: "high_latency" })).tickets).toHaveLength(0);
        expect((await store.listTickets({ severity: ["warning"] })).tickets).toHaveLength(0);
        expect((await store.listTickets({ severity: ["critical"] })).tickets).toHaveLength(6);
        expect((await store.listTickets({ held: true })).tickets.map((t) => t.id)).toEqual([firstId]);
        expect((await store.listTickets({ silenced: true })).tickets).toEqual([]);
        expect((await store.listTickets({ status: ["resolved"] })).tickets.map((t) => t.id)).toEqual([
          firstId + 1,
        ]);
        expect((await store.listTickets({})).tickets).toHaveLength(6);
        expect((await store.listTickets({ includeResolved: true })).tickets).toHaveLength(7);
        expect(
          (await store.listTickets({ since: START + 2 * CYCLE_MS, includeResolved: true })).tickets,
        ).toEqual([]);
        expect((await store.listTickets({ until: START, includeResolved: true })).tickets).toEqual([]);
        const seen: number[] = [];
        let before: number | undefined;
        for (let page = 0; page < 10; page++) {
          const result = await store.listTickets({
            includeResolved: true,
            limit: 2,
            ...(before === undefined ? {} : { before }),
          });
          seen.push(...result.tickets.map((t) => t.id));
          if (result.nextCursor === null) break;
          before = result.nextCursor;
        }
        expect(seen).toEqual(tickets.map((t) => t.id));
        await expect(store.listTickets({ limit: 1001 })).rejects.toThrow(
          /limit must be a whole number from 1 to 1000/,
        );
      },
      timeout,
    );

    it(
      "searches key and message case-insensitively (ASCII letters), with % and _ as plain text",
      async () => {
        const { cycle, store } = await fresh();
        const named = (entity: string, message: string): EntityResult => ({
          entity,
          outcome: "violated",
          message,
          values: {},
        });
        await cycle({
          Alpha: {
            store_down: [named("1", "Store 1 is Down"), named("2", "disk 100% full"), named("3", "a_b")],
            high_latency: [],
          },
        });
        const keys = async (search: string) =>
          (await store.listTickets({ search })).tickets.map((t) => t.key).sort();
        expect(await keys("STORE 1")).toEqual(["Alpha/store_down/1"]);
        expect(await keys("alpha/")).toHaveLength(3);
        expect(await keys("100%")).toEqual(["Alpha/store_down/2"]);
        expect(await keys("%")).toEqual(["Alpha/store_down/2"]);
        expect(await keys("a_b")).toEqual(["Alpha/store_down/3"]);
        expect(await keys("_")).toEqual(["Alpha/store_down/1", "Alpha/store_down/2", "Alpha/store_down/3"]);
        expect(await keys("nothing like it")).toEqual([]);
        await expect(store.listTickets({ search: "x".repeat(201) })).rejects.toThrow(/at most 200/);
      },
      timeout,
    );

    it(
      "keeps history append-only and feeds every event once, in id order, with its ticket",
      async () => {
        const { cycle, store, all } = await fresh();
        await cycle({ alpha: { store_down: [down("1"), down("2")], high_latency: [] } });
        const [a, b] = (await all()).map((t) => t.id).reverse();
        await store.applyAction(a ?? 0, { type: "acknowledge", actor: "alice" });
        await cycle({ alpha: { store_down: [ok("1"), down("2")], high_latency: [] } });
        await store.applyAction(b ?? 0, { type: "diagnose", actor: "bob", diagnosis: "network" });
        const history: TicketEvent[] = [];
        for (const ticket of await all()) history.push(...(await store.getTicket(ticket.id)).events);
        history.sort((x, y) => x.id - y.id);
        const feed = await store.listEventsAfter(0, 1000);
        expect(feed.map((item) => item.event)).toEqual(history);
        for (const item of feed)
          expect(item.ticket).toEqual((await store.getTicket(item.event.ticketId)).ticket);
        const paged: number[] = [];
        let after = 0;
        for (;;) {
          const page = await store.listEventsAfter(after, 2);
          if (page.length === 0) break;
          paged.push(...page.map((item) => item.event.id));
          after = page.at(-1)?.event.id ?? after;
        }
        expect(paged).toEqual(history.map((e) => e.id));
        expect(await store.listEventsAfter(history.at(-1)?.id ?? 0, 10)).toEqual([]);
        await expect(store.listEventsAfter(0, 0)).rejects.toThrow(/limit/);
        await expect(store.listEventsAfter(0, 1001)).rejects.toThrow(/limit/);
        await expect(store.listEventsAfter(-1, 10)).rejects.toThrow(/afterId/);
      },
      timeout,
    );

    it(
      "remembers each subject's identity and its key states between cycles",
      async () => {
        const { cycle, store } = await fresh();
        await cycle(
          { alpha: { store_down: [], high_latency: [down("1")] } },
          { alpha: { identity: "cluster-a" } },
        );
        let seen: CycleSnapshot | undefined;
        await store
          .recordCycle(["alpha"], (snapshot) => {
            seen = snapshot;
            throw new Error("only looking");
          })
          .catch(() => undefined);
        expect(seen?.identities.get("alpha")).toMatchObject({ subject: "alpha", identity: "cluster-a" });
        expect(seen?.states.get("alpha/high_latency/1")).toMatchObject({
          pendingSince: START + CYCLE_MS,
          failures: 0,
        });
        expect(seen?.openTickets.size).toBe(0);
      },
      timeout,
    );

    it(
      "delivers notifications through the outbox: new channels start at the end, one pending event per key",
      async () => {
        const { cycle, store, now } = await fresh();
        await cycle({ alpha: { store_down: [down("1")], high_latency: [] } });
        await store.openChannel("hook", now());
        expect(await store.nextNotifications("hook", undefined, now(), 10)).toEqual([]);
        await cycle({ alpha: { store_down: [ok("1"), down("2")], high_latency: [] } });
        await cycle({ alpha: { store_down: [down("1"), ok("2")], high_latency: [] } });
        const filter: NotificationFilter = { kinds: ["opened", "resolved"] };
        const due = await store.nextNotifications("hook", filter, now(), 10);
        expect(due.map((n) => `${n.ticket.key} ${n.event.kind}`)).toEqual([
          "alpha/store_down/1 resolved",
          "alpha/store_down/2 opened",
        ]);
        const retry: AttemptOutcome = { outcome: "retry", reason: "HTTP 503", nextAttemptAt: now() + 60_000 };
        await store.recordAttempt("hook", due[0]?.event.id ?? 0, retry, now());
        await store.recordAttempt("hook", due[1]?.event.id ?? 0, { outcome: "delivered" }, now());
        const next = await store.nextNotifications("hook", filter, now(), 10);
        expect(next.map((n) => `${n.ticket.key} ${n.event.kind}`)).toEqual(["alpha/store_down/2 resolved"]);
        const [status] = await store.notificationStatus();
        expect(status).toMatchObject({
          channel: "hook",
          pending: 3,
          failed: 0,
          lastSuccessAt: now(),
          lastError: "HTTP 503",
        });
        await expect(store.nextNotifications("nope", undefined, now(), 1)).rejects.toThrow(
          "Notification channel nope is not open",
        );
        expect((await store.unresolvedTickets()).map((t) => t.key)).toEqual(["alpha/store_down/1"]);
      },
      timeout,
    );

    it(
      "hands out only the notifications of the subjects asked for, keeping the others pending",
      async () => {
        const { cycle, store, now } = await fresh();
        await store.openChannel("hook", now());
        await cycle({
          alpha: { store_down: [down("1")], high_latency: [] },
          beta: { store_down: [down("1")], high_latency: [] },
        });
        const keys = async (subjects?: readonly string[]) =>
          (await store.nextNotifications("hook", undefined, now(), 10, subjects)).map((n) => n.ticket.key);
        expect(await keys(["beta"])).toEqual(["beta/store_down/1"]);
        expect(await keys([])).toEqual([]);
        expect(await keys()).toEqual(["alpha/store_down/1", "beta/store_down/1"]);
      },
      timeout,
    );

    if (options.leases) {
      leaseTests(async () => {
        const world = await fresh();
        if (!isLeaseStore(world.store)) throw new Error(`${options.name} does not implement LeaseStore`);
        return { store: world.store, now: world.now, advance: world.advance };
      }, timeout);
    }

    it(
      "stores silences, lists the current ones and expires them",
      async () => {
        const { store, now } = await fresh();
        const draft: SilenceDraft = {
          matchers: [{ name: "subject", value: "alpha", regex: false }],
          startsAt: now(),
          endsAt: now() + 3_600_000,
          createdBy: "alice",
          comment: "upgrade",
        };
        const silence = await store.addSilence(draft, now());
        expect(silence).toMatchObject({ createdBy: "alice", expiredAt: null, matchers: draft.matchers });
        expect((await store.activeSilences(now())).map((s) => s.id)).toEqual([silence.id]);
        const expired = await store.expireSilence(silence.id, "bob", now() + 1000);
        expect(expired).toMatchObject({ expiredAt: now() + 1000, expiredBy: "bob" });
        expect(await store.activeSilences(now() + 2000)).toEqual([]);
        expect(await store.listSilences({ now: now() + 2000 })).toEqual([]);
        expect((await store.listSilences({ now: now() + 2000, all: true })).map((s) => s.id)).toEqual([
          silence.id,
        ]);
        await expect(store.expireSilence(99_999, "bob", now())).rejects.toThrow();
      },
      timeout,
    );

    it(
      "resolves orphaned tickets, keeps held ones open, and drops their key states",
      async () => {
        const { cycle, store } = await fresh();
        await cycle({
          alpha: { store_down: [down("1")], high_latency: [] },
          beta: { store_down: [down("1"), down("2")], high_latency: [] },
        });
        const beta = (await store.listTickets({ subject: "beta" })).tickets;
        await store.applyAction(beta[0]?.id ?? 0, { type: "hold", actor: "alice" });
        const result = await store.resolveOrphans(
          new Map([["alpha", new Set(["store_down", "high_latency"])]]),
        );
        expect(result.resolved.map((t) => t.key)).toEqual(["beta/store_down/1"]);
        expect(result.held.map((t) => t.key)).toEqual(["beta/store_down/2"]);
        const detail = await store.getTicket(result.resolved[0]?.id ?? 0);
        expect(detail.events.at(-1)).toMatchObject({
          kind: "resolved",
          actor: "monitor",
          comment: "removed from configuration",
        });
        expect((await store.listTickets({ subject: "alpha" })).tickets).toHaveLength(1);
      },
      timeout,
    );

    it(
      "takes and refuses the same page sizes as the memory store, with the same message",
      async () => {
        const { store } = await fresh();
        const memory = createMemoryTicketStore();
        const outcome = (s: TicketStore, limit: number | undefined) =>
          s.listTickets(limit === undefined ? {} : { limit }).then(
            (page) => `ok ${page.tickets.length}`,
            (error: Error) => `${error.name}: ${error.message}`,
          );
        for (const limit of [undefined, 1, 50, 1000, 1001, 0, -1, 1.5, Number.NaN]) {
          expect(await outcome(store, limit), `limit ${limit}`).toEqual(await outcome(memory, limit));
        }
      },
      timeout,
    );

    for (const [seed, withHealth] of [
      [1, false],
      [4, true],
    ] as const) {
      it(
        `matches the memory store under the real planner (seed ${seed}${withHealth ? ", sources and identities" : ""})`,
        async () => {
          const { store, now, advance } = await fresh();
          const memory = createMemoryTicketStore({ now });
          const subjects = ["alpha", "beta"];
          const world = new TestWorld(subjects, 6, 0.12, seed, withHealth);
          const random = seeded(seed * 7919);
          const cycles = options.parityCycles ?? 160;
          for (let step = 0; step < cycles; step++) {
            const at = advance(CYCLE_MS);
            const plan = realPlan(`cycle-${step}`, at, world.next(), world.health);
            expect(await store.recordCycle(subjects, plan), `cycle ${step}`).toEqual(
              await memory.recordCycle(subjects, plan),
            );
            if (random() < 0.25) {
              const open = (await memory.listTickets({ limit: 1000 })).tickets;
              const target = open[Math.floor(random() * open.length)];
              if (target) {
                const action = randomAction(random);
                const want = await memory
                  .applyAction(target.id, action, at + 1000)
                  .catch((e: Error) => e.name);
                const got = await store.applyAction(target.id, action, at + 1000).catch((e: Error) => e.name);
                expect(got, `${action.type} on ${target.id} at cycle ${step}`).toEqual(want);
              }
            }
          }
          const list = (s: TicketStore) => s.listTickets({ includeResolved: true, limit: 1000 });
          expect(await list(store)).toEqual(await list(memory));
          expect(await store.listEventsAfter(0, 1000)).toEqual(await memory.listEventsAfter(0, 1000));
          if (options.recentCycles) {
            expect(await options.recentCycles(store, 1000)).toEqual([...memory.cycles()].reverse());
          }
          expect((await list(store)).tickets.length).toBeGreaterThan(10);
        },
        timeout,
      );
    }

    it(
      "keeps the notification outbox in step with the memory store",
      async () => {
        const { store, now, advance } = await fresh();
        const memory = createMemoryTicketStore({ now });
        const both: ConformingStore[] = [memory, store];
        const subjects = ["alpha", "beta"];
        const world = new TestWorld(subjects, 5, 0.15, 11);
        const random = seeded(31);
        const channels = [
          { name: "all", openAt: 0 },
          {
            name: "critical",
            openAt: 20,
            filter: { severities: ["critical"], kinds: ["opened", "resolved"] } as NotificationFilter,
          },
        ];
        for (let step = 0; step < 80; step++) {
          const at = advance(CYCLE_MS);
          const plan = realPlan(`cycle-${step}`, at, world.next());
          for (const s of both) await s.recordCycle(subjects, plan);
          for (const channel of channels) {
            if (step === channel.openAt) for (const s of both) await s.openChannel(channel.name, at);
            if (step < channel.openAt) continue;
            const limit = 1 + Math.floor(random() * 5);
            const want = await memory.nextNotifications(channel.name, channel.filter, at + 2, limit);
            expect(
              await store.nextNotifications(channel.name, channel.filter, at + 2, limit),
              `${channel.name} ${step}`,
            ).toEqual(want);
            for (const pending of want) {
              const r = random();
              const outcome: AttemptOutcome =
                r < 0.6
                  ? { outcome: "delivered" }
                  : r < 0.9
                    ? { outcome: "retry", reason: "HTTP 503", nextAttemptAt: at + CYCLE_MS }
                    : { outcome: "failed", reason: "HTTP 400" };
              for (const s of both) await s.recordAttempt(channel.name, pending.event.id, outcome, at + 3);
            }
          }
          expect(await store.notificationStatus(), `status ${step}`).toEqual(
            await memory.notificationStatus(),
          );
        }
        expect(await store.unresolvedTickets()).toEqual(await memory.unresolvedTickets());
      },
      timeout,
    );
  });
}

function randomAction(random: () => number): TicketAction {
  const actor = random() < 0.5 ? "alice" : "bob";
  switch (Math.floor(random() * 5)) {
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
