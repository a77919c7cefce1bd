import { ConfigError } from "./errors.ts";
import type { SubjectIdentity } from "./identity.ts";
import type { LeaseFence } from "./leases.ts";
import type { ConfiguredInvariants, OrphanResolution } from "./orphans.ts";
import type { Severity } from "./severity.ts";
import type { Silence } from "./silence.ts";
import type { Runbook, Values } from "./subject.ts";
import type { EventDraft, Ticket, TicketDetail, TicketEvent, TicketStatus } from "./ticket.ts";
import type { TicketAction, TicketChange } from "./transitions.ts";

/**
 * What the monitor remembers about one violation key between cycles. A key with no state is
 * equivalent to "always ok": stores keep rows only for keys that need them.
 */
export interface KeyState {
  readonly key: string;
  readonly subject: string;
  readonly invariant: string;
  readonly entity: string;
  /** Start of the current uninterrupted violation (`unknown` does not interrupt it; `ok` does). */
  readonly pendingSince: number | null;
  /** Start of the current uninterrupted `ok` run while a ticket is open. */
  readonly clearSince: number | null;
  /** The last evaluated states, oldest first, `o` (ok) or `v` (violated); at most 21. */
  readonly history: string;
  /** Times (epoch ms) the key went from ok to violated, newest last, within the flap window. */
  readonly onsets: readonly number[];
  /** Whether the key is currently considered flapping. */
  readonly flapping: boolean;
  /** Consecutive failed reads (used by `subject_unreachable` and `source_unreachable`). */
  readonly failures: number;
  readonly updatedAt: number;
}

/** A ticket to create. The store assigns `id`, and sets `previousTicketId` to the key's latest ticket. */
export interface TicketDraft {
  readonly key: string;
  readonly subject: string;
  readonly invariant: string;
  readonly entity: string;
  readonly severity: Severity;
  readonly message: string;
  readonly flapping: boolean;
  /** An active silence covers the key when the ticket opens. @default false */
  readonly silenced?: boolean;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  readonly occurrenceCount: number;
  readonly batchKey: string;
  readonly values: Values;
  /** The invariant's runbook hint. @default null */
  readonly runbook?: Runbook | null;
  readonly createdAt: number;
  /** Events to append once the ticket has an id (at least `opened`). */
  readonly events: readonly EventDraft[];
}

/** What the store holds for some subjects at the start of a cycle, read inside the cycle's transaction. */
export interface CycleSnapshot {
  /** Key states by violation key. */
  readonly states: ReadonlyMap<string, KeyState>;
  /** Unresolved tickets by violation key (at most one per key). */
  readonly openTickets: ReadonlyMap<string, Ticket>;
  /** The stored identity of each subject that has one, by subject name. */
  readonly identities: ReadonlyMap<string, SubjectIdentity>;
  /**
   * Silences that may be in effect during the cycle (those not ended a day before the store's clock);
   * the plan keeps those active at its own time. Absent: no silences.
   */
  readonly silences?: readonly Silence[];
}

/** One line of the cycle log. */
export interface CycleLogEntry {
  /** The cycle id, also the batch key of the tickets it opened. */
  readonly id: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly invariants: number;
  readonly violations: number;
  readonly unknown: number;
  readonly opened: number;
  readonly resolved: number;
  /** Subjects that could not be read, with why. */
  readonly failures: Readonly<Record<string, string>>;
}

/** Everything one cycle writes, decided by the monitor from a {@link CycleSnapshot}. */
export interface CyclePlan {
  readonly upsertStates: readonly KeyState[];
  readonly deleteStates: readonly string[];
  readonly open: readonly TicketDraft[];
  readonly change: readonly TicketChange[];
  /** Subject identities to store (insert or replace, by subject). */
  readonly identities: readonly SubjectIdentity[];
  readonly log: CycleLogEntry;
}

/** What a cycle wrote. */
export interface CycleResult {
  readonly opened: readonly Ticket[];
  readonly resolved: readonly Ticket[];
  readonly changed: number;
}

/** Filters for listing tickets. Unset fields do not filter. */
export interface TicketFilter {
  /** Only these statuses. Without it (and without `includeResolved`), unresolved tickets only. */
  readonly status?: readonly TicketStatus[];
  /** Include resolved tickets when `status` is not given. @default false */
  readonly includeResolved?: boolean;
  readonly severity?: readonly Severity[];
  readonly subject?: string;
  readonly invariant?: string;
  readonly held?: boolean;
  /** Only silenced (true) or not silenced (false) tickets. */
  readonly silenced?: boolean;
  /**
   * Only tickets whose key or message contains this text, ignoring case (ASCII letters; at most
   * {@link MAX_TICKET_SEARCH_LENGTH} characters). Empty: no filter.
   */
  readonly search?: string;
  /** Only tickets last seen at or after this time (epoch ms). */
  readonly since?: number;
  /** Only tickets first seen at or before this time (epoch ms). */
  readonly until?: number;
  /** Page size. @default 50 */
  readonly limit?: number;
  /** Cursor: only tickets with a smaller id than this (from {@link TicketPage.nextCursor}). */
  readonly before?: number;
}

/** One page of tickets, newest first. */
export interface TicketPage {
  readonly tickets: readonly Ticket[];
  /** Pass as `before` for the next page; null on the last page. */
  readonly nextCursor: number | null;
}

/** One committed ticket event with its ticket as it stands now. */
export interface TicketFeedItem {
  readonly event: TicketEvent;
  readonly ticket: Ticket;
}

/** The largest `limit` of {@link TicketStore.listEventsAfter}. */
export const MAX_FEED_PAGE = 1000;

/**
 * The page size of an event feed read: a whole number from 1 to {@link MAX_FEED_PAGE}, and an `afterId`
 * that is a whole number, 0 or more; anything else is refused. Every store calls it.
 */
export function checkFeedRead(afterId: number, limit: number): void {
  if (!Number.isSafeInteger(afterId) || afterId < 0) {
    throw new ConfigError(
      `Invalid event feed read: afterId must be a whole number, 0 or more, got ${afterId}`,
    );
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_FEED_PAGE) {
    throw new ConfigError(
      `Invalid event feed read: limit must be a whole number from 1 to ${MAX_FEED_PAGE}, got ${limit}`,
    );
  }
}

/** The longest text a ticket search (`TicketFilter.search`) accepts. */
export const MAX_TICKET_SEARCH_LENGTH = 200;

/**
 * The text a store searches for from `TicketFilter.search`: ASCII letters lowered (as SQLite's
 * `lower()` does), undefined when empty or absent. Refuses a text longer than
 * {@link MAX_TICKET_SEARCH_LENGTH} with a `ConfigError`. Every store calls it, so they agree.
 */
export function ticketSearchText(search: string | undefined): string | undefined {
  if (search === undefined || search === "") return undefined;
  if (search.length > MAX_TICKET_SEARCH_LENGTH) {
    throw new ConfigError(
      `Invalid ticket filter: search must be at most ${MAX_TICKET_SEARCH_LENGTH} characters, got ${search.length}`,
    );
  }
  return asciiLower(search);
}

/** `text` with the ASCII letters A-Z lowered and everything else kept. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** Options of `TicketStore.recordCycle`. */
export interface RecordCycleOptions {
  /** The leases the cycle's writes require, when replicas share the store. */
  readonly fence?: LeaseFence;
}

/**
 * The port the monitor writes through. `@operator/db` implements it on SQLite;
 * `createMemoryTicketStore()` implements it in memory for tests and plugin authors.
 */
export interface TicketStore {
  /**
   * Runs one cycle atomically: reads the snapshot of `subjects`, calls `plan` with it (synchronously),
   * and writes the plan, all in one transaction. If `plan` throws, nothing is written.
   * Must create at most one unresolved ticket per key even if a plan asks for two. A store that
   * implements `LeaseStore` checks `options.fence` inside that transaction and refuses the whole cycle
   * with a `LeaseLostError` when the fence does not hold (see `LeaseStore`).
   */
  recordCycle(
    subjects: readonly string[],
    plan: (snapshot: CycleSnapshot) => CyclePlan,
    options?: RecordCycleOptions,
  ): Promise<CycleResult>;
  /** Tickets matching `filter`, newest first. */
  listTickets(filter?: TicketFilter): Promise<TicketPage>;
  /** One ticket with its events. Throws `TicketNotFoundError`. */
  getTicket(id: number): Promise<TicketDetail>;
  /**
   * Events with an id greater than `afterId`, oldest first, at most `limit` (1-1000), each with its
   * ticket as it stands now. Event ids increase in commit order, so a reader that passes the last id
   * it saw never misses or repeats an event. Refuses other arguments with a `ConfigError`.
   */
  listEventsAfter(afterId: number, limit: number): Promise<readonly TicketFeedItem[]>;
  /**
   * Applies a person's action atomically (validated by `planAction`). Throws `TicketNotFoundError`
   * or `TransitionError`; on a throw nothing is written.
   */
  applyAction(id: number, action: TicketAction, now?: number): Promise<Ticket>;
  /**
   * Resolves orphaned tickets, in one transaction: every unresolved ticket whose subject is not in
   * `configured`, or whose invariant that subject no longer has (removed or disabled), gets a
   * `resolved` event by `monitor` with the comment `removed from configuration` (see `planOrphans`).
   * Held tickets stay open and are returned in `held`. The key states of orphaned keys are dropped;
   * no other row is touched. A subject that is not in `configured` but has a live lease (see
   * `LeaseStore`) is watched by another replica: its tickets are not orphans.
   */
  resolveOrphans(configured: ConfiguredInvariants, now?: number): Promise<OrphanResolution>;
}

/**
 * The ticket a store creates from a draft: open, not held, with the id the store gave it and the key's
 * previous ticket. `values` replaces the draft's values where a store keeps a normalised copy.
 */
export function ticketFromDraft(
  draft: TicketDraft,
  id: number,
  previousTicketId: number | null,
  values: Values = draft.values,
): Ticket {
  return {
    id,
    key: draft.key,
    subject: draft.subject,
    invariant: draft.invariant,
    entity: draft.entity,
    severity: draft.severity,
    status: "open",
    held: false,
    flapping: draft.flapping,
    silenced: draft.silenced ?? false,
    message: draft.message,
    firstSeenAt: draft.firstSeenAt,
    lastSeenAt: draft.lastSeenAt,
    occurrenceCount: draft.occurrenceCount,
    batchKey: draft.batchKey,
    previousTicketId,
    firstValues: values,
    lastValues: values,
    runbook: draft.runbook ?? null,
    diagnosis: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    createdAt: draft.createdAt,
    updatedAt: draft.createdAt,
  };
}

/**
 * The values of a draft as a store reads them back from `json` (their `JSON.stringify`): the draft's
 * own object when that reads back as it is (a plain object of strings, booleans, nulls and finite
 * numbers other than -0, as invariants report), else `json` parsed. For {@link ticketFromDraft}: a
 * cycle opening thousands of tickets parses none of what it just wrote.
 */
export function storedValues(values: Values, json: string): Values {
  return readsBackAsIs(values) ? values : (JSON.parse(json) as Values);
}

function readsBackAsIs(values: Values): boolean {
  const prototype = Object.getPrototypeOf(values);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key in values) {
    const value = values[key];
    if (typeof value === "string" || typeof value === "boolean" || value === null) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || Object.is(value, -0)) return false;
  }
  return true;
}

/**
 * The one event every draft carries, when there are several drafts and each carries exactly that
 * single event (the usual `opened` by the monitor): a store can then write all of them with one
 * set-based insert, in ticket order.
 */
export function sharedOpeningEvent(drafts: readonly TicketDraft[]): EventDraft | undefined {
  const first = drafts[0]?.events[0];
  if (first === undefined || drafts.length < 2) return undefined;
  for (const draft of drafts) {
    const [e, more] = draft.events;
    if (e === undefined || more !== undefined) return undefined;
    if (e.at !== first.at || e.actor !== first.actor || e.kind !== first.kind) return undefined;
    if (e.from !== first.from || e.to !== first.to || e.comment !== first.comment) return undefined;
  }
  return first;
}
