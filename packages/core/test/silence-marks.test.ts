import { afterEach, describe, expect, it } from "vitest";
import { cycleId } from "../src/cycle-id.ts";
import { createDispatcher, type Dispatcher } from "../src/dispatcher.ts";
import { checkEvaluation } from "../src/evaluation.ts";
import { DEFAULT_FLAP_OPTIONS } from "../src/flapping.ts";
import { createMemoryTicketStore, type MemoryTicketStore } from "../src/memory-store.ts";
import type { Notification, Notifier } from "../src/notifier.ts";
import { planCycle } from "../src/plan-cycle.ts";
import { DEFAULT_SETTINGS } from "../src/settings.ts";
import { parseSilenceMatcher, withholdSilenced } from "../src/silence.ts";
import type { EntityResult } from "../src/subject.ts";
import { statusOf, until } from "./outbox-helpers.ts";

const running: Dispatcher[] = [];
afterEach(async () => {
  for (const dispatcher of running.splice(0)) await dispatcher.stop();
});

const violated = (entity: string): EntityResult => ({
  entity,
  outcome: "violated",
  message: `${entity} is down`,
  values: {},
});
const ok = (entity: string): EntityResult => ({ entity, outcome: "ok" });

/** A memory store on a manual clock, cycles through the real planner, and a recording dispatcher. */
async function world() {
  let now = Date.UTC(2026, 3, 1);
  let sequence = 0;
  const store: MemoryTicketStore = createMemoryTicketStore({ now: () => now });
  const sent: Notification[] = [];
  const notifier: Notifier = {
    name: "hook",
    type: "test",
    async deliver(notification) {
      sent.push(notification);
      return { outcome: "delivered" };
    },
  };
  const dispatcher = createDispatcher({
    store,
    notifiers: [notifier],
    withhold: withholdSilenced,
    pollIntervalMs: 10,
    now: () => now,
  });
  running.push(dispatcher);
  await dispatcher.start();

  return {
    store,
    sent,
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
    async cycle(results: readonly EntityResult[]) {
      const id = cycleId(now, ++sequence);
      const subjects = [
        {
          name: "db",
          failure: null,
          invariants: [{ name: "store_down", settings: DEFAULT_SETTINGS, outcome: checkEvaluation(results) }],
        },
      ];
      await store.recordCycle(["db"], (snapshot) =>
        planCycle(
          { id, startedAt: now, now, subjects, unreachableAfter: 3, flap: DEFAULT_FLAP_OPTIONS },
          snapshot,
        ),
      );
    },
    silence(matchers: readonly string[], forMs: number) {
      return store.addSilence(
        {
          matchers: matchers.map(parseSilenceMatcher),
          startsAt: now,
          endsAt: now + forMs,
          createdBy: "alice",
          comment: "upgrade",
        },
        now,
      );
    },
    /** Waits until the dispatcher has settled every event written so far. */
    async drain() {
      dispatcher.wake();
      await until(async () => {
        const status = await statusOf(store, "hook");
        return status.pending === 0 && status.unexamined === 0;
      });
    },
    async history(entity: string) {
      const ticket = (await store.listTickets({ includeResolved: true })).tickets.find(
        (t) => t.entity === entity,
      );
      if (!ticket) throw new Error(`no ticket for ${entity}`);
      const detail = await store.getTicket(ticket.id);
      return { ticket: detail.ticket, kinds: detail.events.map((e) => e.kind) };
    },
  };
}

describe("silences withhold notifications, never tickets (rule 15)", () => {
  it("a ticket that opens and resolves under a silence is recorded, marked, and notifies nothing", async () => {
    const w = await world();
    await w.silence(["subject=db", "entity=~store-1"], 60_000);
    await w.cycle([violated("store-1"), violated("store-2")]);
    w.advance(10_000);
    await w.cycle([ok("store-1"), violated("store-2")]);
    await w.drain();

    const silenced = await w.history("store-1");
    expect(silenced.ticket).toMatchObject({ status: "resolved", silenced: true });
    expect(silenced.kinds).toEqual(["opened", "silenced", "resolved"]);
    const loud = await w.history("store-2");
    expect(loud.ticket.silenced).toBe(false);
    expect(loud.kinds).toEqual(["opened"]);
    expect(w.sent.map((n) => `${n.ticket.entity}:${n.event.kind}`)).toEqual(["store-2:opened"]);
  });

  it("a silence that ends while its ticket is open notifies it then, once, with its state", async () => {
    const w = await world();
    const silence = await w.silence(["entity=store-1"], 60_000);
    await w.cycle([violated("store-1")]);
    w.advance(10_000);
    await w.cycle([violated("store-1")]);
    await w.drain();
    expect(w.sent).toEqual([]);

    await w.store.expireSilence(silence.id, "bob", w.now());
    w.advance(10_000);
    await w.cycle([violated("store-1")]);
    w.advance(10_000);
    await w.cycle([violated("store-1")]);
    await w.drain();
    expect(w.sent.map((n) => n.event.kind)).toEqual(["unsilenced"]);
    expect(w.sent[0]?.ticket).toMatchObject({ status: "open", silenced: false, entity: "store-1" });

    w.advance(10_000);
    await w.cycle([ok("store-1")]);
    await w.drain();
    expect(w.sent.map((n) => n.event.kind)).toEqual(["unsilenced", "resolved"]);
    expect((await w.history("store-1")).kinds).toEqual(["opened", "silenced", "unsilenced", "resolved"]);
  });

  it("a silence that starts over an open ticket marks it and withholds what follows; its end by time unmarks it", async () => {
    const w = await world();
    await w.cycle([violated("store-1")]);
    await w.drain();
    expect(w.sent.map((n) => n.event.kind)).toEqual(["opened"]);

    await w.silence(["severity=warning"], 30_000);
    w.advance(10_000);
    await w.cycle([violated("store-1")]);
    const open = await w.history("store-1");
    expect(open.ticket.silenced).toBe(true);
    expect(open.kinds).toEqual(["opened", "silenced"]);
    expect((await w.store.listTickets({ silenced: true })).tickets.map((t) => t.entity)).toEqual(["store-1"]);
    expect((await w.store.listTickets({ silenced: false })).tickets).toEqual([]);

    w.advance(30_000);
    await w.cycle([violated("store-1")]);
    await w.drain();
    expect(w.sent.map((n) => n.event.kind)).toEqual(["opened", "unsilenced"]);
    expect((await w.store.listTickets({ silenced: false })).tickets.map((t) => t.entity)).toEqual([
      "store-1",
    ]);
  });

  it("a silence on another key, or one not started yet, changes nothing", async () => {
    const w = await world();
    await w.silence(["entity=store-9"], 60_000);
    await w.store.addSilence(
      {
        matchers: [parseSilenceMatcher("entity=store-1")],
        startsAt: w.now() + 60_000,
        endsAt: w.now() + 120_000,
        createdBy: "alice",
        comment: "later",
      },
      w.now(),
    );
    await w.cycle([violated("store-1")]);
    await w.drain();
    expect((await w.history("store-1")).ticket.silenced).toBe(false);
    expect(w.sent.map((n) => n.event.kind)).toEqual(["opened"]);
  });
});
