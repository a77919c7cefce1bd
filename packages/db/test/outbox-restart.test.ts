import { createDispatcher, type Dispatcher } from "@operator/core";
import { type ReceivedRequest, startTestReceiver, type TestReceiver } from "@operator/core/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openTicketStore, type SqliteTicketStore } from "../src/index.ts";
import { hookNotifier } from "./helpers/hook-notifier.ts";
import { cycle, testClock } from "./helpers/store.ts";
import { tempDbPath } from "./helpers/temp.ts";

const running: Dispatcher[] = [];
let receiver: TestReceiver;

beforeAll(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  for (const dispatcher of running.splice(0)) await dispatcher.stop();
  receiver.clear();
});
afterAll(async () => {
  await receiver.close();
});

function dispatcherOn(store: SqliteTicketStore, url = receiver.url): Dispatcher {
  const dispatcher = createDispatcher({
    store,
    notifiers: [hookNotifier(url)],
    pollIntervalMs: 10,
    backoff: { initialMs: 10, maxMs: 30 },
  });
  running.push(dispatcher);
  return dispatcher;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const body = (request: ReceivedRequest) =>
  JSON.parse(request.body) as { key: string; eventId: number; kind: string; attempt: number };

describe("the outbox on SQLite", () => {
  it("a restarted dispatcher on the same file resumes pending deliveries with their attempt counts and ids", async () => {
    const path = tempDbPath();
    const clock = testClock();
    const first = openTicketStore(path, { now: clock.now });
    receiver.respond({ status: 503 });
    const before = dispatcherOn(first);
    await before.start();
    await cycle(first, clock, ["s/down/1", "s/down/2", "s/down/3"]);
    await cycle(first, clock, [], ["s/down/1"]);
    before.wake();
    await until(() => receiver.requests.length >= 6);
    await before.stop();
    first.close();
    const tried = new Set(receiver.requests.map((r) => r.headers["idempotency-key"]));
    expect([...tried].sort()).toEqual(["hook:1", "hook:2", "hook:3"]);

    receiver.clear();
    receiver.respond({ status: 200 });
    const second = openTicketStore(path, { now: clock.now });
    const after = dispatcherOn(second);
    await after.start();
    await until(
      async () => (await second.notificationStatus())[0]?.pending === 0 && receiver.requests.length >= 4,
    );
    const delivered = receiver.requests.map(body);
    expect(delivered.map((d) => d.eventId).sort()).toEqual([1, 2, 3, 4]);
    expect(delivered.find((d) => d.eventId === 1)?.attempt, "attempts survive the restart").toBeGreaterThan(
      1,
    );
    const ofKey1 = delivered.filter((d) => d.key === "s/down/1").map((d) => d.kind);
    expect(ofKey1).toEqual(["opened", "resolved"]);
    const status = (await second.notificationStatus())[0];
    expect(status).toMatchObject({ channel: "hook", pending: 0, failed: 0, lastError: "HTTP 503" });
    expect(status?.lastSuccessAt).not.toBeNull();
    second.close();
  });

  it("400 is failed for good: recorded with its reason, never retried, and the key goes on", async () => {
    const clock = testClock();
    const store = openTicketStore(tempDbPath(), { now: clock.now });
    receiver.respond((request) =>
      body(request).kind === "opened" ? { status: 400, body: "bad" } : { status: 200 },
    );
    const dispatcher = dispatcherOn(store);
    await dispatcher.start();
    await cycle(store, clock, ["s/down/1"]);
    await cycle(store, clock, [], ["s/down/1"]);
    dispatcher.wake();
    await until(() => receiver.requests.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.requests.map((r) => body(r).kind)).toEqual(["opened", "resolved"]);
    expect((await store.notificationStatus())[0]).toMatchObject({
      pending: 0,
      failed: 1,
      lastError: "HTTP 400",
    });
    store.close();
  });

  it("a new channel starts at the end of the history: old events are not replayed", async () => {
    const clock = testClock();
    const store = openTicketStore(tempDbPath(), { now: clock.now });
    await cycle(store, clock, ["s/down/old"]);
    receiver.respond({ status: 200 });
    const dispatcher = dispatcherOn(store);
    await dispatcher.start();
    await cycle(store, clock, ["s/down/new"]);
    dispatcher.wake();
    await until(() => receiver.requests.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.requests.map((r) => body(r).key)).toEqual(["s/down/new"]);
    store.close();
  });
});
