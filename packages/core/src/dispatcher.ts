import { deliverWithDeadline } from "./deliver-with-deadline.ts";
import type { Leadership } from "./leadership.ts";
import { type Logger, silentLogger } from "./logger.ts";
import {
  type AttemptOutcome,
  acceptsTicket,
  type NotificationStore,
  notificationId,
  type PendingNotification,
} from "./notification-store.ts";
import type { DeliveryResult, Notification, Notifier } from "./notifier.ts";
import { type BackoffOptions, retryDelay } from "./retry-delay.ts";
import type { Ticket } from "./ticket.ts";

/** Options of {@link createDispatcher}. */
export interface DispatcherOptions {
  readonly store: NotificationStore;
  /** The channels; names must be unique. */
  readonly notifiers: readonly Notifier[];
  /** Longest a single delivery (or re-send) may take. @default 10_000 */
  readonly timeoutMs?: number;
  readonly backoff?: BackoffOptions;
  /** How often an idle channel looks for new events (see also {@link Dispatcher.wake}). @default 1_000 */
  readonly pollIntervalMs?: number;
  /** Deliveries a channel runs at once (each for a different ticket key). @default 4 */
  readonly concurrency?: number;
  /** Notifications a channel reads from the outbox at once (one per ticket key). @default 100 */
  readonly batchSize?: number;
  /** How long `stop()` waits for deliveries in flight before abandoning them. @default 5_000 */
  readonly stopTimeoutMs?: number;
  /**
   * Returns a reason to withhold a notification (a silence), or undefined to send it. A withheld
   * notification is recorded as settled without being sent.
   */
  readonly withhold?: (notification: Notification) => string | undefined;
  /**
   * When replicas share the store: only notifications (and re-sends) of tickets whose subject this
   * replica leads are sent; the rest wait for their subject's leader.
   */
  readonly leadership?: Pick<Leadership, "led" | "leads">;
  /** Called after every attempt (for metrics: outcome counters and a latency histogram). */
  readonly onAttempt?: (attempt: AttemptReport) => void;
  readonly logger?: Logger;
  /** Wall clock. @default Date.now */
  readonly now?: () => number;
  /** Random source of the backoff jitter. @default Math.random */
  readonly random?: () => number;
}

/** One attempt, as reported to {@link DispatcherOptions.onAttempt}. */
export interface AttemptReport {
  readonly channel: string;
  readonly notificationId: string;
  readonly attempt: number;
  readonly outcome: AttemptOutcome["outcome"];
  /** Time the receiver took (0 when withheld). */
  readonly latencyMs: number;
  readonly reason?: string;
  /** From the event's time to delivery, for delivered notifications. */
  readonly ageMs?: number;
}

/** Counters of one channel since the dispatcher started. */
export interface ChannelCounters {
  readonly delivered: number;
  readonly retried: number;
  readonly failed: number;
  readonly withheld: number;
  readonly resends: number;
  readonly resendErrors: number;
  /** Deliveries running now. */
  readonly inFlight: number;
}

/** Delivers the outbox to every channel, independently of the monitor loop. */
export interface Dispatcher {
  /** Starts one worker per channel (and its re-send timer). Resolves once every channel is registered. */
  start(): Promise<void>;
  /**
   * Stops taking new work, waits for deliveries in flight (at most `stopTimeoutMs`, then abandons
   * them: they stay pending and are sent again on the next start), and stops the workers.
   */
  stop(): Promise<void>;
  /** Makes idle channels look for new events now (e.g. after a cycle wrote some). */
  wake(): void;
  /** Counters per channel name. */
  counters(): Readonly<Record<string, ChannelCounters>>;
}

/**
 * Creates the dispatcher: one worker per channel, each with its own timers, so a slow or hanging
 * channel never delays another channel or a monitor cycle. Per ticket key, events go out in order,
 * one at a time; each delivery has a deadline; passing failures are retried with exponential backoff
 * and full jitter; `failed` answers are recorded and never retried. Delivery is at least once: an
 * attempt is recorded only after the receiver answered, so one in flight at a crash is sent again.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const names = new Set<string>();
  for (const notifier of options.notifiers) {
    if (names.has(notifier.name)) throw new Error(`Two notification channels are named ${notifier.name}`);
    names.add(notifier.name);
  }
  const workers = options.notifiers.map((notifier) => new ChannelWorker(notifier, options));
  let started = false;
  return {
    async start() {
      if (started) return;
      started = true;
      await Promise.all(workers.map((w) => w.start()));
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      started = false;
    },
    wake() {
      for (const worker of workers) worker.wake();
    },
    counters: () => Object.fromEntries(workers.map((w) => [w.name, w.snapshot()])),
  };
}

// --- Internal helpers ---

class ChannelWorker {
  readonly name: string;
  readonly #notifier: Notifier;
  readonly #options: DispatcherOptions;
  readonly #now: () => number;
  readonly #logger: Logger;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #resendTimer: ReturnType<typeof setTimeout> | undefined;
  #resending: Promise<void> | undefined;
  #wakeUp: (() => void) | undefined;
  /** Set by `stop()`: take no new work. */
  #closing = false;
  #counters = { delivered: 0, retried: 0, failed: 0, withheld: 0, resends: 0, resendErrors: 0, inFlight: 0 };

  constructor(notifier: Notifier, options: DispatcherOptions) {
    this.name = notifier.name;
    this.#notifier = notifier;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    this.#stop = new AbortController();
    await this.#options.store.openChannel(this.name, this.#now());
    this.#loop = this.#run();
    this.#scheduleResend();
  }

  async stop(): Promise<void> {
    const stopTimeout = this.#options.stopTimeoutMs ?? 5_000;
    clearTimeout(this.#resendTimer);
    const draining = Promise.all([this.#loop, this.#resending]);
    this.#closing = true;
    this.wake();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([draining, new Promise((resolve) => (timer = setTimeout(resolve, stopTimeout)))]);
    clearTimeout(timer);
    this.#stop.abort();
    await draining;
    this.#closing = false;
  }

  wake(): void {
    this.#wakeUp?.();
  }

  snapshot() {
    return { ...this.#counters };
  }

  async #run(): Promise<void> {
    const { store } = this.#options;
    const limit = this.#options.batchSize ?? 100;
    const concurrency = Math.max(1, this.#options.concurrency ?? 4);
    while (!this.#closing) {
      let batch: readonly PendingNotification[] = [];
      const scope = this.#options.leadership?.led();
      try {
        if (scope === undefined || scope.length > 0) {
          batch = await store.nextNotifications(this.name, this.#notifier.filter, this.#now(), limit, scope);
        }
      } catch (error) {
        this.#logger.warn(`Notifications to ${this.name}: cannot read the outbox: ${describe(error)}`);
        batch = [];
      }
      if (batch.length === 0) {
        await this.#idle();
        continue;
      }
      let next = 0;
      let stalled = false;
      const lane = async () => {
        for (let pending = batch[next++]; pending !== undefined && !this.#closing; pending = batch[next++]) {
          if (!this.#leads(pending.ticket.subject)) continue;
          const recorded = await this.#deliver(pending).catch((error: unknown) => {
            this.#logger.error(`Notifications to ${this.name}: ${describe(error)}`);
            return false;
          });
          if (!recorded) stalled = true;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, lane));
      // An attempt that could not be recorded is still due: pause rather than resend it at once.
      if (stalled && !this.#closing) await this.#idle();
      // Give timers and I/O (the monitor's cycles) their turn even when every answer came at once.
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Delivers one notification and records the answer; false when nothing could be recorded. */
  async #deliver(pending: PendingNotification): Promise<boolean> {
    const notification: Notification = {
      id: notificationId(this.name, pending.event.id),
      channel: this.name,
      event: pending.event,
      ticket: pending.ticket,
      attempt: pending.attempts + 1,
    };
    let withheld: string | undefined;
    try {
      withheld = this.#options.withhold?.(notification);
    } catch (error) {
      return this.#record(notification, this.#retry(notification, `withhold failed: ${describe(error)}`), 0);
    }
    if (withheld !== undefined) {
      return this.#record(notification, { outcome: "withheld", reason: withheld }, 0);
    }
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    this.#counters.inFlight++;
    const started = performance.now();
    let result: DeliveryResult;
    try {
      result = await deliverWithDeadline(
        (context) => this.#notifier.deliver(notification, context),
        timeoutMs,
        this.#stop.signal,
        this.#now,
      );
    } finally {
      this.#counters.inFlight--;
    }
    const latencyMs = performance.now() - started;
    if (this.#stop.signal.aborted && result.outcome === "retry") return true;
    const outcome: AttemptOutcome =
      result.outcome === "retry" ? this.#retry(notification, result.reason, result.retryAfterMs) : result;
    return this.#record(notification, outcome, latencyMs);
  }

  #retry(notification: Notification, reason: string, retryAfterMs?: number): AttemptOutcome {
    const delay = retryDelay(notification.attempt, retryAfterMs, this.#options.backoff, this.#options.random);
    return { outcome: "retry", reason, nextAttemptAt: this.#now() + delay };
  }

  async #record(notification: Notification, outcome: AttemptOutcome, latencyMs: number): Promise<boolean> {
    const now = this.#now();
    try {
      await this.#options.store.recordAttempt(this.name, notification.event.id, outcome, now);
    } catch (error) {
      this.#logger.warn(
        `Notifications to ${this.name}: cannot record ${notification.id}: ${describe(error)}; it will be sent again`,
      );
      return false;
    }
    const key = outcome.outcome === "retry" ? "retried" : outcome.outcome;
    this.#counters[key]++;
    if (outcome.outcome === "failed") {
      this.#logger.warn(`Notification ${notification.id} failed for good: ${outcome.reason}`);
    }
    this.#options.onAttempt?.({
      channel: this.name,
      notificationId: notification.id,
      attempt: notification.attempt,
      outcome: outcome.outcome,
      latencyMs,
      ...(outcome.outcome === "delivered"
        ? { ageMs: now - notification.event.at }
        : { reason: outcome.reason }),
    });
    return true;
  }

  /** Whether this replica may notify for `subject` now (always without leadership). */
  #leads(subject: string): boolean {
    return this.#options.leadership?.leads(subject) ?? true;
  }

  #idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#options.pollIntervalMs ?? 1_000);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wakeUp = undefined;
        resolve();
      }
      this.#wakeUp = done;
    });
  }

  #scheduleResend(): void {
    const every = this.#notifier.resendIntervalMs;
    if (this.#notifier.resend === undefined || every === undefined || !(every > 0)) return;
    this.#resendTimer = setTimeout(() => {
      this.#resending = this.#resend().finally(() => {
        this.#resending = undefined;
        if (!this.#closing && !this.#stop.signal.aborted) this.#scheduleResend();
      });
    }, every);
  }

  async #resend(): Promise<void> {
    const resend = this.#notifier.resend?.bind(this.#notifier);
    if (resend === undefined || this.#options.leadership?.led().length === 0) return;
    let tickets: readonly Ticket[];
    try {
      tickets = (await this.#options.store.unresolvedTickets()).filter(
        (t) => !t.silenced && acceptsTicket(this.#notifier.filter, t) && this.#leads(t.subject),
      );
    } catch (error) {
      this.#logger.warn(`Re-send to ${this.name}: cannot read open tickets: ${describe(error)}`);
      return;
    }
    const result = await deliverWithDeadline(
      (context) => resend(tickets, context),
      this.#options.timeoutMs ?? 10_000,
      this.#stop.signal,
      this.#now,
    );
    this.#counters.resends++;
    if (result.outcome !== "delivered") {
      this.#counters.resendErrors++;
      this.#logger.warn(`Re-send to ${this.name}: ${result.reason}`);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
