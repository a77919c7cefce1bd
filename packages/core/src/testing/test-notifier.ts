import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DeliveryContext, DeliveryResult, Notification, Notifier } from "../notifier.ts";
import { TICKET_EVENT_KINDS, TICKET_STATUSES } from "../ticket.ts";
import { sampleNotification } from "./sample-notification.ts";
import { type ReceivedRequest, refusedUrl, startTestReceiver, type TestReceiver } from "./test-receiver.ts";

/** Options of {@link testNotifier}. */
export interface TestNotifierOptions {
  /** Title of the test block. @default the notifier's type */
  readonly name?: string;
  /** Builds the notifier under test, sending to `url` (a local receiver, or one that refuses). */
  readonly create: (url: string) => Notifier | Promise<Notifier>;
  /**
   * Reads the idempotency id from a request the receiver got (a header such as `Idempotency-Key`,
   * or a body field; for a format without one, what identifies the event in the body). It must be
   * the same on every retry of one event and differ between events of different tickets.
   */
  readonly idempotencyId: (request: ReceivedRequest) => string | undefined;
  /** How soon `deliver` must settle after its deadline or its signal's abort. @default 2_000 */
  readonly abortWithinMs?: number;
  /** Per-test timeout. @default 30_000 */
  readonly timeoutMs?: number;
  /** Registers the plugin's own tests inside the same block, with the receiver. */
  readonly additionalTests?: (context: TestNotifierContext) => void;
}

/** What {@link TestNotifierOptions.additionalTests} gets. */
export interface TestNotifierContext {
  /** The suite's receiver (answers 200 and is cleared before each test). */
  receiver(): TestReceiver;
  /** A notifier under test sending to the receiver (disposed after the suite). */
  notifier(): Promise<Notifier>;
}

/**
 * Registers the notifier-plugin conformance suite with vitest, against a local HTTP receiver the suite
 * starts and switches: name and type; `delivered` on 2xx; `retry` on 5xx, 408, 429, a refused connection
 * and a receiver that never answers (by the deadline, and at once when the signal aborts); `failed` on
 * other 4xx; never a throw; the same idempotency id on a retry and another one for another event; and
 * `resend` when the notifier declares it.
 *
 * @example
 * testNotifier({
 *   create: (url) => webhookNotifier({ url }),
 *   idempotencyId: (request) => request.headers["idempotency-key"],
 * });
 */
export function testNotifier(options: TestNotifierOptions): void {
  const abortWithinMs = options.abortWithinMs ?? 2_000;
  const timeout = options.timeoutMs ?? 30_000;
  const created: Notifier[] = [];
  let receiver: TestReceiver | undefined;
  const theReceiver = (): TestReceiver => {
    if (!receiver) throw new Error("the receiver is not started yet");
    return receiver;
  };
  const make = async (url?: string): Promise<Notifier> => {
    const notifier = await options.create(url ?? theReceiver().url);
    created.push(notifier);
    return notifier;
  };
  const context = (ms = timeout / 2): DeliveryContext => ({
    signal: AbortSignal.timeout(ms),
    deadline: Date.now() + ms,
  });
  const deliver = async (notifier: Notifier, notification?: Notification): Promise<DeliveryResult> =>
    notifier.deliver(notification ?? sampleNotification({ channel: notifier.name }), context());

  describe(`${options.name ?? "notifier"}: notifier conformance`, () => {
    beforeAll(async () => {
      receiver = await startTestReceiver();
    });
    beforeEach(() => {
      theReceiver().clear();
      theReceiver().respond({ status: 200 });
    });
    afterAll(async () => {
      for (const notifier of created.splice(0)) await notifier.dispose?.();
      await receiver?.close();
    });

    it("has a name and a type, a well-formed filter, and resend with its interval together", async () => {
      const notifier = await make();
      expect(typeof notifier.name).toBe("string");
      expect(notifier.name.length).toBeGreaterThan(0);
      expect(typeof notifier.type).toBe("string");
      expect(notifier.type.length).toBeGreaterThan(0);
      expect(typeof notifier.deliver).toBe("function");
      expect(notifier.resend === undefined, "resend and resendIntervalMs go together").toBe(
        notifier.resendIntervalMs === undefined,
      );
      if (notifier.resendIntervalMs !== undefined) expect(notifier.resendIntervalMs).toBeGreaterThan(0);
      for (const list of Object.values(notifier.filter ?? {})) expect(Array.isArray(list)).toBe(true);
    });

    it.each([200, 201, 202, 204])(
      "answers delivered when the receiver answers %i",
      async (status) => {
        const notifier = await make();
        theReceiver().respond({ status });
        expect(await deliver(notifier)).toEqual({ outcome: "delivered" });
        expect(theReceiver().requests.length).toBeGreaterThan(0);
      },
      timeout,
    );

    it.each([500, 502, 503, 408, 429])(
      "answers retry when the receiver answers %i",
      async (status) => {
        const notifier = await make();
        theReceiver().respond({ status, body: "busy" });
        const result = await deliver(notifier);
        expect(result.outcome).toBe("retry");
        expect(typeof (result as { reason: unknown }).reason).toBe("string");
      },
      timeout,
    );

    it(
      "honours Retry-After (seconds) when it gives retryAfterMs",
      async () => {
        const notifier = await make();
        theReceiver().respond({ status: 429, headers: { "retry-after": "7" } });
        const result = await deliver(notifier);
        expect(result.outcome).toBe("retry");
        if (result.outcome === "retry" && result.retryAfterMs !== undefined) {
          expect(result.retryAfterMs).toBe(7_000);
        }
      },
      timeout,
    );

    it.each([400, 401, 403, 404, 413, 422])(
      "answers failed for good on %i",
      async (status) => {
        const notifier = await make();
        theReceiver().respond({ status, body: '{"error":"no"}' });
        const result = await deliver(notifier);
        expect(result.outcome).toBe("failed");
        expect(typeof (result as { reason: unknown }).reason).toBe("string");
      },
      timeout,
    );

    it(
      "answers retry when the connection is refused",
      async () => {
        const notifier = await make(await refusedUrl());
        expect((await deliver(notifier)).outcome).toBe("retry");
      },
      timeout,
    );

    it(
      "answers retry by its deadline when the receiver never answers",
      async () => {
        const notifier = await make();
        theReceiver().respond({ hang: true });
        const deadlineMs = 300;
        const started = Date.now();
        const result = await notifier.deliver(sampleNotification({ channel: notifier.name }), {
          signal: AbortSignal.timeout(deadlineMs),
          deadline: started + deadlineMs,
        });
        expect(result.outcome).toBe("retry");
        expect(Date.now() - started).toBeLessThan(deadlineMs + abortWithinMs);
      },
      timeout,
    );

    it(
      "settles soon after its signal aborts, before the deadline",
      async () => {
        const notifier = await make();
        theReceiver().respond({ hang: true });
        const controller = new AbortController();
        const started = Date.now();
        const pending = notifier.deliver(sampleNotification({ channel: notifier.name }), {
          signal: controller.signal,
          deadline: started + 10 * 60_000,
        });
        setTimeout(() => controller.abort(new Error("shutting down")), 100);
        const result = await pending;
        expect(result.outcome).toBe("retry");
        expect(Date.now() - started).toBeLessThan(100 + abortWithinMs);
      },
      timeout,
    );

    it(
      "sends the same idempotency id on a retry and another id for another event",
      async () => {
        const notifier = await make();
        const first = sampleNotification({ channel: notifier.name, attempt: 1 });
        theReceiver().respond({ status: 503 });
        expect((await deliver(notifier, first)).outcome).toBe("retry");
        theReceiver().respond({ status: 200 });
        expect((await deliver(notifier, { ...first, attempt: 2 })).outcome).toBe("delivered");
        const other = sampleNotification({
          channel: notifier.name,
          ticket: { id: 8, key: "tikv/store_down/2", entity: "2" },
          event: { id: 43, ticketId: 8 },
        });
        expect((await deliver(notifier, other)).outcome).toBe("delivered");
        const ids = theReceiver().requests.map((request) => options.idempotencyId(request));
        expect(ids.length).toBeGreaterThanOrEqual(3);
        const [retried, again, another] = [ids[0], ids.at(-2), ids.at(-1)];
        expect(retried, "an idempotency id in the request").toBeTruthy();
        expect(again).toBe(retried);
        expect(another).toBeTruthy();
        expect(another).not.toBe(retried);
      },
      timeout,
    );

    it(
      "answers for every kind of event and every status without throwing",
      async () => {
        const notifier = await make();
        for (const [i, kind] of TICKET_EVENT_KINDS.entries()) {
          const status = kind === "resolved" ? "resolved" : (TICKET_STATUSES[i % 3] ?? "open");
          const notification = sampleNotification({
            channel: notifier.name,
            event: { id: 100 + i, kind, comment: kind === "resolved" ? "store 1 is Up again" : null },
            ticket: {
              status,
              ...(status === "resolved" ? { resolvedAt: Date.now(), resolvedBy: "monitor" } : {}),
            },
          });
          expect((await deliver(notifier, notification)).outcome, kind).toBe("delivered");
        }
      },
      timeout,
    );

    it(
      "re-sends unresolved tickets when it declares resend",
      async (test) => {
        const notifier = await make();
        if (notifier.resend === undefined) {
          test.skip();
          return;
        }
        const tickets = [sampleNotification().ticket];
        expect((await notifier.resend(tickets, context())).outcome).toBe("delivered");
        expect(theReceiver().requests.length).toBeGreaterThan(0);
        theReceiver().respond({ status: 503 });
        expect((await notifier.resend(tickets, context())).outcome).toBe("retry");
        theReceiver().respond({ hang: true });
        const started = Date.now();
        const result = await notifier.resend(tickets, {
          signal: AbortSignal.timeout(300),
          deadline: started + 300,
        });
        expect(result.outcome).toBe("retry");
        expect(Date.now() - started).toBeLessThan(300 + abortWithinMs);
      },
      timeout,
    );

    options.additionalTests?.({ receiver: theReceiver, notifier: () => make() });
  });
}
