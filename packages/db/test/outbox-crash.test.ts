import { type ReceivedRequest, startTestReceiver, type TestReceiver } from "@operator/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTicketStore, type SqliteTicketStore } from "../src/index.ts";
import { startDispatcherProcess } from "./helpers/dispatcher-process.ts";
import { seeded } from "./helpers/real-planner.ts";
import { cycle, testClock } from "./helpers/store.ts";
import { tempDbPath } from "./helpers/temp.ts";

const KILLS = 20;
const CONCURRENCY = 4;

/** Waits until `check` holds (polling), or fails after `timeoutMs`. */
async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("the outbox survives SIGKILL of the dispatcher", () => {
  let receiver: TestReceiver;
  let store: SqliteTicketStore;
  const path = tempDbPath();

  beforeAll(async () => {
    receiver = await startTestReceiver();
    store = openTicketStore(path, { busyTimeoutMs: 20_000 });
  });
  afterAll(async () => {
    store.close();
    await receiver.close();
  });

  it(`${KILLS} kills while events are delivered: every event arrives, duplicates only for deliveries in flight at a kill`, async () => {
    const random = seeded(99);
    const answers: [ReceivedRequest, number][] = [];
    receiver.respond((request) => {
      const status = random() < 0.1 ? 503 : 200;
      answers.push([request, status]);
      return { status, delayMs: Math.floor(random() * 40) };
    });
    const clock = testClock();
    await store.openChannel("hook", clock.now());
    let round = 0;
    const writeEvents = async () => {
      const keys = Array.from({ length: 6 }, (_, i) => `crash/store_down/${round}-${i}`);
      const previous = Array.from({ length: 6 }, (_, i) => `crash/store_down/${round - 1}-${i}`);
      const opened = await cycle(store, clock, keys, round > 0 ? previous.slice(0, 3) : []);
      for (const ticket of opened.opened.slice(0, 3)) {
        await store.applyAction(ticket.id, { type: "acknowledge", actor: "alice" }, clock.now());
      }
      round++;
    };
    const delivered = () => receiver.requests;
    const kills: string[] = [];
    const firstSuccessAt = new Map<string, number>();
    const pendingAtKill: number[] = [];

    for (let k = 0; k < KILLS; k++) {
      await writeEvents();
      const worker = startDispatcherProcess(path, receiver.url, CONCURRENCY);
      await worker.ready;
      await writeEvents();
      const before = delivered().length;
      await until(() => delivered().length >= before + 3 + Math.floor(random() * 6), "deliveries");
      kills.push(String(worker.child.pid));
      worker.child.kill("SIGKILL");
      expect((await worker.exited).signal).toBe("SIGKILL");
      pendingAtKill.push((await store.notificationStatus())[0]?.pending ?? 0);
    }

    const events = await allEventIds(store);
    const last = startDispatcherProcess(path, receiver.url, CONCURRENCY);
    await last.ready;
    await until(
      async () => {
        const status = (await store.notificationStatus())[0];
        return status?.pending === 0 && status.cursor === events.at(-1)?.id;
      },
      "the outbox to drain",
      120_000,
    );
    last.child.kill("SIGTERM");
    expect((await last.exited).code).toBe(0);

    expect(pendingAtKill.filter((p) => p > 0).length, "kills landed while events were being delivered").toBe(
      KILLS,
    );
    const arrivals = new Map<string, number[]>();
    const successes = new Map<string, string[]>();
    for (const [request, status] of answers) {
      const id = request.headers["idempotency-key"] as string;
      arrivals.set(id, [...(arrivals.get(id) ?? []), request.at]);
      if (status === 200 && !firstSuccessAt.has(id)) firstSuccessAt.set(id, request.at);
      const sender = request.headers["x-dispatcher-pid"] as string;
      if (status === 200) successes.set(id, [...(successes.get(id) ?? []), sender]);
    }
    for (const event of events)
      expect(successes.has(`hook:${event.id}`), `event ${event.id} delivered`).toBe(true);

    // In order per key: an event is first sent after the key's earlier event was first answered 200.
    const byKey = new Map<string, number[]>();
    for (const event of events) byKey.set(event.key, [...(byKey.get(event.key) ?? []), event.id]);
    for (const [key, ids] of byKey) {
      for (let i = 1; i < ids.length; i++) {
        const earlier = firstSuccessAt.get(`hook:${ids[i - 1]}`) ?? Number.POSITIVE_INFINITY;
        const later = Math.min(...(arrivals.get(`hook:${ids[i]}`) ?? []));
        expect(later, `${key}: event ${ids[i]} after event ${ids[i - 1]}`).toBeGreaterThanOrEqual(earlier);
      }
    }

    // A second 200 for an id is a delivery in flight at a kill: the process that sent the one before
    // was SIGKILLed, and each killed process leaves at most its in-flight deliveries to send again.
    let duplicates = 0;
    const againPerKill = new Map<string, number>();
    for (const [id, senders] of successes) {
      for (let i = 1; i < senders.length; i++) {
        const before = senders[i - 1] as string;
        expect(kills.includes(before), `${id} delivered twice, the first time by a process not killed`).toBe(
          true,
        );
        expect(senders[i], `${id} delivered twice by one process`).not.toBe(before);
        againPerKill.set(before, (againPerKill.get(before) ?? 0) + 1);
        duplicates++;
      }
    }
    for (const [pid, again] of againPerKill) {
      expect(again, `sent again after the kill of ${pid}`).toBeLessThanOrEqual(CONCURRENCY);
    }
    expect(duplicates).toBeLessThanOrEqual(KILLS * CONCURRENCY);
    expect((await store.notificationStatus())[0]?.failed).toBe(0);
    const ok = answers.filter(([, status]) => status === 200).length;
    console.info(
      `${events.length} events, ${answers.length} requests, ${ok} answered 200, ${duplicates} sent again after ${KILLS} kills`,
    );
  }, 600_000);
});

/** Every event written after the channel opened (the crash test opens it on an empty file). */
async function allEventIds(store: SqliteTicketStore): Promise<{ id: number; key: string }[]> {
  const tickets = (await store.listTickets({ includeResolved: true, limit: 1000 })).tickets;
  const events: { id: number; key: string }[] = [];
  for (const ticket of tickets) {
    for (const event of (await store.getTicket(ticket.id)).events)
      events.push({ id: event.id, key: ticket.key });
  }
  return events.sort((a, b) => a.id - b.id);
}
