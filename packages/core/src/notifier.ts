import type { Severity } from "./severity.ts";
import type { Ticket, TicketEvent, TicketEventKind } from "./ticket.ts";

/** One ticket event to deliver to one channel. */
export interface Notification {
  /**
   * The idempotency id: the same on every retry of this event to this channel, different for every
   * other event or channel (`<channel>:<event id>`). Receivers deduplicate on it.
   */
  readonly id: string;
  /** The channel's name (its `Notifier.name`). */
  readonly channel: string;
  /** The event from the ticket's history: what changed, when, by whom, with its reason. */
  readonly event: TicketEvent;
  /** The ticket as stored when the notification is sent (latest message, status, severity, runbook). */
  readonly ticket: Ticket;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
}

/** What a channel answers for one delivery. */
export type DeliveryResult =
  | { readonly outcome: "delivered" }
  /** A passing failure (timeout, 5xx, 408, 429): try again later, after `retryAfterMs` if given. */
  | { readonly outcome: "retry"; readonly reason: string; readonly retryAfterMs?: number }
  /** The receiver refused it for good (4xx other than 408/429): never retried. */
  | { readonly outcome: "failed"; readonly reason: string };

/** What a delivery is given: a signal aborted at its deadline or at shutdown. */
export interface DeliveryContext {
  readonly signal: AbortSignal;
  /** Epoch ms by which the delivery must be done. */
  readonly deadline: number;
}

/** Which notifications a channel wants. Unset fields do not filter. */
export interface NotificationFilter {
  readonly severities?: readonly Severity[];
  readonly subjects?: readonly string[];
  readonly invariants?: readonly string[];
  readonly kinds?: readonly TicketEventKind[];
}

/**
 * One notification channel (Alertmanager, a webhook, Slack, PagerDuty...). Built by a plugin's
 * {@link NotifierFactory}; the dispatcher calls it, records each answer, and retries per its answer.
 * Required: `name`, `type`, `deliver`.
 */
export interface Notifier {
  /** The channel's name, unique among channels: used in delivery state, metrics and status. */
  readonly name: string;
  /** What kind of channel it is (`alertmanager`, `webhook`). */
  readonly type: string;
  /** The notifications this channel wants; all when absent. */
  readonly filter?: NotificationFilter;
  /** Delivers one notification. Must not throw for expected failures: answer `retry` or `failed`. */
  deliver(notification: Notification, context: DeliveryContext): Promise<DeliveryResult>;
  /**
   * For receivers that forget alerts unless they are repeated (Alertmanager): how often to call
   * {@link Notifier.resend} with every unresolved ticket the channel's filter accepts.
   */
  readonly resendIntervalMs?: number;
  /** Re-sends the state of every unresolved ticket; see {@link Notifier.resendIntervalMs}. */
  resend?(tickets: readonly Ticket[], context: DeliveryContext): Promise<DeliveryResult>;
  /** Releases connections or timers. Called once when the daemon stops. */
  dispose?(): void | Promise<void>;
}

/** What a notifier plugin's package exports by default: options in, notifier out. */
export type NotifierFactory<Options = never> = (options: Options) => Notifier;
