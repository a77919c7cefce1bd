import { afterEach, describe, expect, it } from "vitest";
import { createDispatcher, type Dispatcher, type DispatcherOptions } from "../src/dispatcher.ts";
import { createMemoryTicketStore, type MemoryTicketStore } from "../src/memory-store.ts";
import type { DeliveryContext, DeliveryResult, Notification, Notifier } from "../src/notifier.ts";
import { openTickets, statusOf, until } from "./outbox-helpers.ts";

const T0 = Date.UTC(2026, 0, 31, 12);
const running: Dispatcher[] = [];

afterEach(async () => {
  for (const dispatcher of running.splice(0)) await dispatcher.stop();
});

function start(options: DispatcherOptions): Dispatcher {
  const dispatcher = createDispatcher({
    pollIntervalMs: 10,
    backoff: { initialMs: 20, maxMs: 40 },
    ...options,
  });
  running.push(dispatcher);
  return dispatcher;
}

/** A notifier that records every attempt and answers with `answer` (delivered by default). */
function recorder(
  name: string,
  answer: (n: Notification, context: DeliveryContext) => DeliveryResult | Promise<DeliveryResult> = () => ({
    outcome: "delivered",
  }),
  extra: Partial<Notifier> = {},
) {
  const attempts: { id: string; key: string; kind: string; attempt: number; at: number; outcome?: string }[] =
    [];
  const notifier: Notifier = {
    name,
    type: "test",
    async deliver(notification, context) {
      const entry = {
        id: notification.id,
        key: notification.ticket.key,
        kind: notification.event.kind,
        attempt: notification.attempt,
        at: Date.now(),
      };
      attempts.push(entry);
      const result = await answer(notification, context);
      Object.assign(entry, { outcome: result.outcome });
      return result;
    },
    ...extra,
  };
  const delivered = () => attempts.filter((a) => a.outcome === "delivered");
  return { notifier, attempts, delivered };
}

/** Opens tickets for `entities` and acknowledges then holds each (three events per key). */
async function threeEventsPerKey(store: MemoryTicketStore, entities: readonly string[]) {
  const tickets = await openTickets(store, entities, T0);
  for (const ticket of tickets) {
    await store.applyAction(ticket.id, { type: "acknowledge", actor: "alice" }, T0 + 1);
    await store.applyAction(ticket.id, { type: "hold", actor: "alice" }, T0 + 2);
  }
  return tickets;
}

describe("dispatcher", () => {
  it("with leadership, sends only the notifications of the subjects this replica leads", async () => {
    const store = createMemoryTicketStore();
    const { notifier, delivered } = recorder("hook");
    const led = new Set(["beta"]);
    const leadership = { led: () => [...led], leads: (subject: string) => led.has(subject) };
    const dispatcher = start({ store, notifiers: [notifier], leadership });
    await dispatcher.start();
    await openTickets(store, ["1"], T0, { subject: "alpha" });
    await openTickets(store, ["1"], T0, { subject: "beta" });
    dispatcher.wake();
    await until(() => delivered().length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(delivered().map((a) => a.key)).toEqual(["beta/store_down/1"]);
    expect((await statusOf(store, "hook"))?.pending).toBe(1);
    led.add("alpha");
    dispatcher.wake();
    await until(() => delivered().length === 2);
    expect(delivered().map((a) => a.key)).toEqual(["beta/store_down/1", "alpha/store_down/1"]);
  });

  it("delivers in event order per key; a key whose first event keeps failing waits, other keys go on", async () => {
    const store = createMemoryTicketStore();
    let failuresLeft = 4;
    const { notifier, attempts, delivered } = recorder("hook", (n) =>
      n.ticket.entity === "a" && failuresLeft-- > 0
        ? { outcome: "retry", reason: "HTTP 503" }
        : { outcome: "delivered" },
    );
    const dispatcher = start({ store, notifiers: [notifier] });
    await dispatcher.start();
    await threeEventsPerKey(store, ["a", "b"]);
    dispatcher.wake();
    await until(() => delivered().length === 6);

    for (const key of ["tikv/store_down/a", "tikv/store_down/b"]) {
      expect(
        delivered()
          .filter((d) => d.key === key)
          .map((d) => d.kind),
      ).toEqual(["opened", "acknowledged", "held"]);
    }
    const firstOfA = attempts.findIndex((a) => a.key.endsWith("/a") && a.outcome === "delivered");
    const lastOfB = attempts.findLastIndex((a) => a.key.endsWith("/b"));
    expect(lastOfB, "key b was not held back by key a").toBeLessThan(firstOfA);
    const aAttempts = attempts.filter((a) => a.key.endsWith("/a"));
    expect(aAttempts.slice(0, 5).map((a) => [a.kind, a.attempt])).toEqual([
      ["opened", 1],
      ["opened", 2],
      ["opened", 3],
      ["opened", 4],
      ["opened", 5],
    ]);
    expect(new Set(aAttempts.slice(0, 5).map((a) => a.id)).size, "one idempotency id across retries").toBe(1);
    expect(dispatcher.counters().hook).toMatchObject({ delivered: 6, retried: 4, failed: 0 });
    expect(await statusOf(store, "hook")).toMatchObject({
      pending: 0,
      oldestPendingAt: null,
      lastError: "HTTP 503",
    });
  });

  it("records failed for good once, never retries it, and goes on with the key's next event", async () => {
    const store = createMemoryTicketStore();
    const { notifier, attempts, delivered } = recorder("hook", (n) =>
      n.event.kind === "opened"
        ? { outcome: "failed", reason: "HTTP 400: bad payload" }
        : { outcome: "delivered" },
    );
    const dispatcher = start({ store, notifiers: [notifier] });
    await dispatcher.start();
    await threeEventsPerKey(store, ["a"]);
    dispatcher.wake();
    await until(() => delivered().length === 2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(attempts.filter((a) => a.kind === "opened")).toHaveLength(1);
    expect(await statusOf(store, "hook")).toMatchObject({
      pending: 0,
      failed: 1,
      lastError: "HTTP 400: bad payload",
    });
    expect(dispatcher.counters().hook).toMatchObject({ failed: 1, delivered: 2, retried: 0 });
  });

  it("waits retryAfterMs before the next attempt instead of its backoff", async () => {
    const store = createMemoryTicketStore();
    let first = true;
    const { notifier, attempts, delivered } = recorder("hook", () => {
      if (!first) return { outcome: "delivered" };
      first = false;
      return { outcome: "retry", reason: "HTTP 429", retryAfterMs: 400 };
    });
    const dispatcher = start({ store, notifiers: [notifier], backoff: { initialMs: 1, maxMs: 1 } });
    await dispatcher.start();
    await openTickets(store, ["a"], T0);
    dispatcher.wake();
    await until(() => delivered().length === 1);
    const [a1, a2] = attempts;
    expect(a2?.attempt).toBe(2);
    expect((a2?.at ?? 0) - (a1?.at ?? 0)).toBeGreaterThanOrEqual(390);
  });

  it("cuts a hanging delivery at its timeout even if the notifier ignores the signal, and other channels go on", async () => {
    const store = createMemoryTicketStore();
    const hang = recorder("hangs", () => new Promise<DeliveryResult>(() => {}));
    const fast = recorder("fast");
    const reports: { channel: string; outcome: string; latencyMs: number; reason?: string }[] = [];
    const dispatcher = start({
      store,
      notifiers: [hang.notifier, fast.notifier],
      timeoutMs: 200,
      onAttempt: (report) => reports.push(report),
    });
    await dispatcher.start();
    await threeEventsPerKey(store, ["a", "b", "c"]);
    dispatcher.wake();
    await until(() => fast.delivered().length === 9);
    expect(hang.delivered()).toHaveLength(0);
    await until(() => reports.filter((r) => r.channel === "hangs").length >= 2);
    for (const report of reports.filter((r) => r.channel === "hangs")) {
      expect(report).toMatchObject({ outcome: "retry", reason: "timed out after 200 ms" });
      expect(report.latencyMs).toBeGreaterThanOrEqual(190);
      expect(report.latencyMs).toBeLessThan(200 + 5_000);
    }
    expect((await statusOf(store, "hangs")).pending).toBe(9);
    expect((await statusOf(store, "fast")).pending).toBe(0);
  });

  it("answers a throwing notifier with a retry, and keeps going", async () => {
    const store = createMemoryTicketStore();
    let throws = 2;
    const { notifier, delivered } = recorder("hook", () => {
      if (throws-- > 0) throw new Error("socket hang up");
      return { outcome: "delivered" };
    });
    const dispatcher = start({ store, notifiers: [notifier] });
    await dispatcher.start();
    await openTickets(store, ["a"], T0);
    dispatcher.wake();
    await until(() => delivered().length === 1);
    expect(dispatcher.counters().hook).toMatchObject({ retried: 2, delivered: 1 });
  });

  it("stop waits for deliveries in flight, abandons them past its bound, and leaves the rest pending for the next start", async () => {
    const store = createMemoryTicketStore();
    const slow = recorder("hook", async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { outcome: "delivered" };
    });
    const first = start({ store, notifiers: [slow.notifier], concurrency: 2 });
    await first.start();
    await openTickets(store, ["a", "b", "c", "d", "e", "f", "g", "h"], T0);
    first.wake();
    await until(() => slow.delivered().length >= 2);
    await first.stop();
    const afterStop = slow.attempts.length;
    expect(
      slow.attempts.every((a) => a.outcome === "delivered"),
      "stop waited for those in flight",
    ).toBe(true);
    expect((await statusOf(store, "hook")).pending).toBe(8 - afterStop);
    expect(8 - afterStop).toBeGreaterThan(0);

    const hanging = recorder("hook", () => new Promise<DeliveryResult>(() => {}));
    const second = start({ store, notifiers: [hanging.notifier], stopTimeoutMs: 100, timeoutMs: 60_000 });
    await second.start();
    await until(() => hanging.attempts.length > 0);
    await second.stop();
    expect((await statusOf(store, "hook")).pending, "an abandoned delivery stays pending").toBe(
      8 - afterStop,
    );

    const third = recorder("hook");
    const resumed = start({ store, notifiers: [third.notifier] });
    await resumed.start();
    await until(() => third.delivered().length === 8 - afterStop);
    const ids = [...slow.delivered(), ...third.delivered()].map((d) => d.id);
    expect(new Set(ids).size).toBe(8);
    expect(
      third.attempts.every((a) => a.attempt === 1),
      "abandoned attempts are not counted",
    ).toBe(true);
  });

  it("withholds what the hook says (settled without sending) and sends the rest", async () => {
    const store = createMemoryTicketStore();
    const { notifier, attempts } = recorder("hook");
    const dispatcher = start({
      store,
      notifiers: [notifier],
      withhold: (n) => (n.ticket.entity === "a" ? "silenced by 1" : undefined),
    });
    await dispatcher.start();
    await threeEventsPerKey(store, ["a", "b"]);
    dispatcher.wake();
    await until(
      () => dispatcher.counters().hook?.delivered === 3 && dispatcher.counters().hook?.withheld === 3,
    );
    expect((await statusOf(store, "hook")).pending).toBe(0);
    expect(attempts.map((a) => a.key)).toEqual(Array(3).fill("tikv/store_down/b"));
    expect(dispatcher.counters().hook).toMatchObject({ withheld: 3, delivered: 3 });
  });

  it("a new channel starts at the end of the history; its filter picks kinds and severities", async () => {
    const store = createMemoryTicketStore();
    await threeEventsPerKey(store, ["old"]);
    const { notifier, delivered } = recorder("hook", undefined, {
      filter: { kinds: ["opened", "held"], severities: ["critical"] },
    });
    const dispatcher = start({ store, notifiers: [notifier] });
    await dispatcher.start();
    await threeEventsPerKey(store, ["new"]);
    await openTickets(store, ["w"], T0, { invariant: "high_latency", severity: "warning" });
    dispatcher.wake();
    await until(async () => delivered().length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(delivered().map((d) => `${d.key} ${d.kind}`)).toEqual([
      "tikv/store_down/new opened",
      "tikv/store_down/new held",
    ]);
  });

  it("re-sends every unresolved ticket its filter accepts every resendIntervalMs", async () => {
    const store = createMemoryTicketStore();
    const tickets = await openTickets(store, ["a", "b", "c"], T0);
    await openTickets(store, ["w"], T0, { invariant: "high_latency", severity: "warning" });
    await store.applyAction(tickets[2]?.id ?? 0, { type: "resolve", actor: "alice" }, T0 + 5);
    const resent: number[][] = [];
    const { notifier } = recorder("am", undefined, {
      filter: { severities: ["critical"] },
      resendIntervalMs: 50,
      async resend(list) {
        resent.push(list.map((t) => t.id));
        return { outcome: "delivered" };
      },
    });
    const dispatcher = start({ store, notifiers: [notifier] });
    await dispatcher.start();
    await until(() => resent.length >= 3);
    expect(resent[0]).toEqual([tickets[0]?.id, tickets[1]?.id]);
    expect(dispatcher.counters().am?.resends).toBeGreaterThanOrEqual(3);
  });

  it("pauses when an answer cannot be recorded instead of sending it again at once, and sends it again later", async () => {
    const memory = createMemoryTicketStore();
    let refuse = true;
    const store: MemoryTicketStore = {
      ...memory,
      recordAttempt: async (...args) => {
        if (refuse) throw new Error("disk I/O error");
        return memory.recordAttempt(...args);
      },
    };
    const { notifier, attempts, delivered } = recorder("hook");
    const dispatcher = start({ store, notifiers: [notifier], pollIntervalMs: 50 });
    await dispatcher.start();
    await openTickets(memory, ["a"], T0);
    dispatcher.wake();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(attempts.length, "one attempt per pause, not a tight loop").toBeLessThanOrEqual(10);
    expect(attempts.length).toBeGreaterThan(1);
    refuse = false;
    await until(async () => (await statusOf(memory, "hook")).pending === 0);
    expect(new Set(delivered().map((d) => d.id))).toEqual(new Set(["hook:1"]));
  });

  it("a withhold hook that throws makes a retry with backoff, not a lost notification", async () => {
    const store = createMemoryTicketStore();
    let throws = 1;
    const { notifier, delivered } = recorder("hook");
    const dispatcher = start({
      store,
      notifiers: [notifier],
      withhold: () => {
        if (throws-- > 0) throw new Error("silences unreadable");
        return undefined;
      },
    });
    await dispatcher.start();
    await openTickets(store, ["a"], T0);
    dispatcher.wake();
    await until(() => delivered().length === 1);
    expect(dispatcher.counters().hook).toMatchObject({ retried: 1, delivered: 1 });
    expect((await statusOf(store, "hook")).lastError).toBe("withhold failed: silences unreadable");
  });

  it("lets timers run while it drains a backlog whose answers all come at once", async () => {
    const store = createMemoryTicketStore();
    const { notifier } = recorder("hook");
    const dispatcher = start({ store, notifiers: [notifier], withhold: () => "silenced" });
    await dispatcher.start();
    await openTickets(
      store,
      Array.from({ length: 1_000 }, (_, i) => String(i)),
      T0,
    );
    dispatcher.wake();
    const settledWhenTimerRan = await new Promise<number>((resolve) =>
      setTimeout(() => resolve(dispatcher.counters().hook?.withheld ?? -1), 0),
    );
    expect(settledWhenTimerRan).toBeLessThan(1_000);
    await until(() => dispatcher.counters().hook?.withheld === 1_000);
  });

  it("refuses two channels with the same name", () => {
    const store = createMemoryTicketStore();
    expect(() =>
      createDispatcher({ store, notifiers: [recorder("x").notifier, recorder("x").notifier] }),
    ).toThrow("Two notification channels are named x");
  });
});
