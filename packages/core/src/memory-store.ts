import { TicketNotFoundError } from "./errors.ts";
import type { SubjectIdentity } from "./identity.ts";
import { fencedOut, LeaseLostError, type LeaseStore } from "./leases.ts";
import { createMemoryLeases } from "./memory-leases.ts";
import { createMemoryOutbox } from "./memory-outbox.ts";
import { createMemorySilences } from "./memory-silences.ts";
import type { NotificationStore } from "./notification-store.ts";
import { orphanResolution, planOrphans } from "./orphans.ts";
import { ticketPageSize } from "./page-size.ts";
import { SILENCE_SNAPSHOT_WINDOW_MS, type SilenceStore } from "./silence.ts";
import {
  asciiLower,
  type CycleLogEntry,
  type CyclePlan,
  type CycleResult,
  type CycleSnapshot,
  checkFeedRead,
  type KeyState,
  type TicketFilter,
  type TicketPage,
  type TicketStore,
  ticketFromDraft,
  ticketSearchText,
} from "./store.ts";
import type { EventDraft, Ticket, TicketDetail, TicketEvent } from "./ticket.ts";
import { planAction, type TicketAction, type TicketChange } from "./transitions.ts";

/** Options of {@link createMemoryTicketStore}. */
export interface MemoryTicketStoreOptions {
  /** Clock for `applyAction` without an explicit time. @default Date.now */
  readonly now?: () => number;
}

/** A {@link TicketStore} in memory, with read access to what the monitor keeps between cycles. */
export interface MemoryTicketStore extends TicketStore, NotificationStore, SilenceStore, LeaseStore {
  /** Every key state row, sorted by key. */
  states(): readonly KeyState[];
  /** Every cycle written, oldest first. */
  cycles(): readonly CycleLogEntry[];
  /** The stored identity of every subject that has one, sorted by subject. */
  identities(): readonly SubjectIdentity[];
}

/**
 * A complete {@link TicketStore} in memory, for unit tests and plugin authors: one unresolved ticket
 * per key, `previousTicketId`, filters, pagination newest first, and an append-only event log. Each
 * `recordCycle` is all-or-nothing. Leases (`LeaseStore`) run on the store's clock.
 */
export function createMemoryTicketStore(options: MemoryTicketStoreOptions = {}): MemoryTicketStore {
  const clock = options.now ?? Date.now;
  const tickets = new Map<number, Ticket>();
  const events: TicketEvent[] = [];
  const states = new Map<string, KeyState>();
  const cycles: CycleLogEntry[] = [];
  const identities = new Map<string, SubjectIdentity>();
  const openByKey = new Map<string, number>();
  const latestByKey = new Map<string, number>();
  let nextTicketId = 1;
  let nextEventId = 1;

  const append = (ticketId: number, drafts: readonly EventDraft[]) => {
    for (const draft of drafts) events.push(Object.freeze({ ...draft, id: nextEventId++, ticketId }));
  };
  const applyChange = (change: TicketChange): Ticket => {
    const ticket = tickets.get(change.id);
    if (!ticket) throw new TicketNotFoundError(change.id);
    const next = Object.freeze({ ...ticket, ...change.patch });
    tickets.set(ticket.id, next);
    if (next.status === "resolved" && openByKey.get(next.key) === next.id) openByKey.delete(next.key);
    append(ticket.id, change.events);
    return next;
  };

  const silenceStore = createMemorySilences();
  const leases = createMemoryLeases(clock);

  function snapshot(subjects: readonly string[]): CycleSnapshot {
    const wanted = new Set(subjects);
    return {
      states: new Map([...states].filter(([, state]) => wanted.has(state.subject))),
      openTickets: new Map(
        [...openByKey.values()]
          .map((id) => tickets.get(id) as Ticket)
          .filter((ticket) => wanted.has(ticket.subject))
          .map((ticket) => [ticket.key, ticket]),
      ),
      identities: new Map([...identities].filter(([subject]) => wanted.has(subject))),
      silences: silenceStore.notEndedBy(clock() - SILENCE_SNAPSHOT_WINDOW_MS),
    };
  }

  function write(plan: CyclePlan): CycleResult {
    for (const change of plan.change) {
      if (!tickets.has(change.id)) throw new TicketNotFoundError(change.id);
    }
    const resolved: Ticket[] = [];
    for (const change of plan.change) {
      const before = tickets.get(change.id) as Ticket;
      const after = applyChange(change);
      if (before.status !== "resolved" && after.status === "resolved") resolved.push(after);
    }
    const opened: Ticket[] = [];
    for (const draft of plan.open) {
      if (openByKey.has(draft.key)) continue;
      const ticket = Object.freeze(
        ticketFromDraft(draft, nextTicketId++, latestByKey.get(draft.key) ?? null),
      );
      tickets.set(ticket.id, ticket);
      openByKey.set(ticket.key, ticket.id);
      latestByKey.set(ticket.key, ticket.id);
      append(ticket.id, draft.events);
      opened.push(ticket);
    }
    for (const key of plan.deleteStates) states.delete(key);
    for (const state of plan.upsertStates)
      states.set(state.key, Object.freeze({ ...state, onsets: [...state.onsets] }));
    for (const identity of plan.identities) identities.set(identity.subject, Object.freeze({ ...identity }));
    cycles.push(Object.freeze({ ...plan.log }));
    return { opened, resolved, changed: plan.change.length };
  }

  const outbox = createMemoryOutbox({
    events: () => events,
    ticket: (id) => tickets.get(id),
    tickets: () => tickets.values(),
  });

  return {
    ...outbox,
    addSilence: silenceStore.addSilence,
    listSilences: silenceStore.listSilences,
    expireSilence: silenceStore.expireSilence,
    activeSilences: silenceStore.activeSilences,
    claimLeases: leases.claimLeases,
    releaseLeases: leases.releaseLeases,
    listLeases: leases.listLeases,
    async recordCycle(subjects, plan, options = {}) {
      const lost = fencedOut(options.fence, subjects, leases.bySubject, clock());
      if (lost.length > 0) throw new LeaseLostError(lost);
      return write(plan(snapshot(subjects)));
    },

    async listTickets(filter = {}) {
      const limit = ticketPageSize(filter.limit);
      const search = ticketSearchText(filter.search);
      const matching = [...tickets.values()]
        .filter((ticket) => matches(ticket, filter, search))
        .sort((a, b) => b.id - a.id);
      const page = matching.slice(0, limit);
      const last = page.at(-1);
      return {
        tickets: page,
        nextCursor: matching.length > limit && last ? last.id : null,
      } satisfies TicketPage;
    },

    async listEventsAfter(afterId, limit) {
      checkFeedRead(afterId, limit);
      let low = 0;
      let high = events.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if ((events[mid] as TicketEvent).id <= afterId) low = mid + 1;
        else high = mid;
      }
      return events
        .slice(low, low + limit)
        .map((event) => ({ event, ticket: tickets.get(event.ticketId) as Ticket }));
    },

    async getTicket(id) {
      const ticket = tickets.get(id);
      if (!ticket) throw new TicketNotFoundError(id);
      return { ticket, events: events.filter((event) => event.ticketId === id) } satisfies TicketDetail;
    },

    async applyAction(id, action: TicketAction, now = clock()) {
      const ticket = tickets.get(id);
      if (!ticket) throw new TicketNotFoundError(id);
      return applyChange(planAction(ticket, action, now));
    },

    async resolveOrphans(configured, now = clock()) {
      const unresolved = [...openByKey.values()].map((id) => tickets.get(id) as Ticket);
      const plan = planOrphans(unresolved, states.values(), configured, now, leases.liveSubjects(now));
      const resolved = plan.change.map(applyChange);
      for (const key of plan.deleteStates) states.delete(key);
      return orphanResolution(plan, resolved);
    },

    states: () => [...states.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    cycles: () => [...cycles],
    identities: () => [...identities.values()].sort((a, b) => (a.subject < b.subject ? -1 : 1)),
  };
}

function matches(ticket: Ticket, filter: TicketFilter, search: string | undefined): boolean {
  if (filter.status) {
    if (!filter.status.includes(ticket.status)) return false;
  } else if (!filter.includeResolved && ticket.status === "resolved") {
    return false;
  }
  if (filter.severity && !filter.severity.includes(ticket.severity)) return false;
  if (filter.subject !== undefined && ticket.subject !== filter.subject) return false;
  if (filter.invariant !== undefined && ticket.invariant !== filter.invariant) return false;
  if (filter.held !== undefined && ticket.held !== filter.held) return false;
  if (filter.silenced !== undefined && ticket.silenced !== filter.silenced) return false;
  if (filter.since !== undefined && ticket.lastSeenAt < filter.since) return false;
  if (filter.until !== undefined && ticket.firstSeenAt > filter.until) return false;
  if (filter.before !== undefined && ticket.id >= filter.before) return false;
  if (
    search !== undefined &&
    !asciiLower(ticket.key).includes(search) &&
    !asciiLower(ticket.message).includes(search)
  ) {
    return false;
  }
  return true;
}
