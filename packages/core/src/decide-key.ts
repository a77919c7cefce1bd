import { formatDuration } from "./duration.ts";
import { type FlapOptions, type FlapState, onsetsInWindow, recordFlapState } from "./flapping.ts";
import type { ViolationKeyParts } from "./key.ts";
import type { Severity } from "./severity.ts";
import type { KeyState, TicketDraft } from "./store.ts";
import type { Runbook, Values } from "./subject.ts";
import { type EventDraft, MONITOR_ACTOR, type Ticket } from "./ticket.ts";
import type { TicketChange, TicketPatch } from "./transitions.ts";

/** What one key evaluated to this cycle, with the severity a violation would carry. */
export type KeyOutcome =
  | {
      readonly outcome: "ok";
      /** The entity left for good: an open, unheld ticket resolves at once with this text. */
      readonly gone?: string;
      /** Why the key counts as ok when it was not evaluated as such (e.g. absent from the results). */
      readonly reason?: string;
    }
  | {
      readonly outcome: "violated";
      readonly message: string;
      readonly values: Values;
      readonly severity: Severity;
      /** The invariant's runbook hint, stored on the ticket and refreshed on each occurrence. */
      readonly runbook?: Runbook;
    }
  | { readonly outcome: "unknown"; readonly reason: string };

/** Everything the decision for one key needs. */
export interface KeyInput {
  readonly parts: ViolationKeyParts & { readonly key: string };
  /** The key's stored state; undefined is the same as "always ok". */
  readonly state: KeyState | undefined;
  /** The key's unresolved ticket, if any. */
  readonly ticket: Ticket | undefined;
  readonly outcome: KeyOutcome;
  /** Grace period and clear window of the key's invariant. */
  readonly forMs: number;
  readonly clearMs: number;
  readonly now: number;
  /**
   * When the cycle began observing (at or before `now`): grace periods and clear windows start and
   * are measured at it, so they count in whole cycles as a rule evaluated at fixed times does,
   * whatever the reads took. @default now
   */
  readonly observedAt?: number;
  /** The cycle id: batch key of a ticket opened now. */
  readonly batchKey: string;
  readonly flap: FlapOptions;
}

/** What to write for one key. */
export interface KeyDecision {
  /** The key's state after this cycle (compare with {@link isEmptyState} to drop the row). */
  readonly state: KeyState;
  readonly open: TicketDraft | null;
  readonly change: TicketChange | null;
}

/** The state of a key never seen violated: equivalent to having no row at all. */
export function emptyState(parts: KeyInput["parts"], now: number): KeyState {
  return {
    key: parts.key,
    subject: parts.subject,
    invariant: parts.invariant,
    entity: parts.entity,
    pendingSince: null,
    clearSince: null,
    history: "",
    onsets: [],
    flapping: false,
    failures: 0,
    updatedAt: now,
  };
}

/**
 * Decides one key for one cycle (monitor-semantics rules 1-5): `unknown` changes nothing but restarts
 * a running clear window; `violated` starts or keeps the pending clock and opens a ticket past the
 * grace period, or records a recurrence on the open one; `ok` stops the pending clock and resolves the
 * open ticket once the clear window has passed, unless it is held or the key is flapping. An `ok` with
 * `gone` resolves an unheld ticket at once, flapping or not, and forgets the key's history. Every
 * resolve carries its reason as the event's comment. Pure.
 */
export function decideKey(input: KeyInput): KeyDecision {
  const { outcome, ticket, now } = input;
  const base = input.state ? rebaseState(input.state, now) : emptyState(input.parts, now);
  if (outcome.outcome === "unknown") {
    if (base.clearSince === null) return { state: base, open: null, change: null };
    return { state: { ...base, clearSince: null, updatedAt: now }, open: null, change: null };
  }

  if (outcome.outcome === "ok" && outcome.gone !== undefined && !ticket?.held) {
    const state = emptyState(input.parts, now);
    return { state, open: null, change: ticket ? gone(ticket, outcome.gone, now) : null };
  }

  const flap = recordFlapState(base, outcome.outcome, now, input.flap);
  const at = Math.min(input.observedAt ?? now, now);
  if (outcome.outcome === "violated") {
    const pendingSince = base.pendingSince ?? at;
    const state = nextState(base, flap, pendingSince, null, now);
    if (ticket) return { state, open: null, change: recurrence(ticket, outcome, flap.flapping, now) };
    if (at - pendingSince < input.forMs) return { state, open: null, change: null };
    return { state, open: draft(input, outcome, pendingSince, flap.flapping), change: null };
  }

  if (!ticket) {
    return {
      state: nextState(base, flap, null, null, now),
      open: null,
      change: null,
    };
  }
  const clearSince = base.clearSince ?? at;
  const resolves = at - clearSince >= input.clearMs && !ticket.held && !flap.flapping;
  const events: EventDraft[] = [];
  const patch: { -readonly [K in keyof TicketPatch]: TicketPatch[K] } = {};
  if (ticket.flapping !== flap.flapping) {
    patch.flapping = flap.flapping;
    events.push(flapEvent(flap.flapping, now));
  }
  if (resolves) {
    const reason = outcome.reason ?? clearReason(at - clearSince, input.clearMs);
    Object.assign(patch, { status: "resolved", resolvedAt: now, resolvedBy: MONITOR_ACTOR });
    events.push(monitorEvent("resolved", now, ticket.status, "resolved", reason));
  }
  const state = nextState(base, flap, null, resolves ? null : clearSince, now);
  const change = events.length ? { id: ticket.id, patch: { ...patch, updatedAt: now }, events } : null;
  return { state, open: null, change };
}

/**
 * A state written later than `now` (the wall clock stepped back since, e.g. across a restart) with
 * every stored time moved back by the difference, so a grace period, clear window or flap window
 * continues from its last write instead of waiting for the clock to catch up. Elapsed time is
 * preserved up to the key's last write.
 */
export function rebaseState(state: KeyState, now: number): KeyState {
  const shift = state.updatedAt - now;
  if (shift <= 0) return state;
  return {
    ...state,
    pendingSince: state.pendingSince === null ? null : state.pendingSince - shift,
    clearSince: state.clearSince === null ? null : state.clearSince - shift,
    onsets: state.onsets.map((at) => at - shift),
    updatedAt: now,
  };
}

/** The reason of a resolve after a clear window: how long the key has been ok. */
function clearReason(elapsedMs: number, clearMs: number): string {
  return clearMs === 0 && elapsedMs === 0 ? "evaluated ok" : `clear for ${formatDuration(elapsedMs)}`;
}

/** Resolves an open ticket whose entity left for good; its message becomes the reason. */
function gone(ticket: Ticket, reason: string, now: number): TicketChange {
  const events: EventDraft[] = [];
  const patch: { -readonly [K in keyof TicketPatch]: TicketPatch[K] } = {
    status: "resolved",
    resolvedAt: now,
    resolvedBy: MONITOR_ACTOR,
    message: reason,
    updatedAt: now,
  };
  if (ticket.flapping) {
    patch.flapping = false;
    events.push(flapEvent(false, now));
  }
  events.push(monitorEvent("resolved", now, ticket.status, "resolved", reason));
  return { id: ticket.id, patch, events };
}

/** Builds the next state field by field: object spread is slow on hot paths of some V8 builds. */
function nextState(
  base: KeyState,
  flap: FlapState,
  pendingSince: number | null,
  clearSince: number | null,
  now: number,
): KeyState {
  return {
    key: base.key,
    subject: base.subject,
    invariant: base.invariant,
    entity: base.entity,
    pendingSince,
    clearSince,
    history: flap.history,
    onsets: flap.onsets,
    flapping: flap.flapping,
    failures: base.failures,
    updatedAt: now,
  };
}

function recurrence(
  ticket: Ticket,
  outcome: Extract<KeyOutcome, { outcome: "violated" }>,
  flapping: boolean,
  now: number,
): TicketChange {
  const events: EventDraft[] = [];
  const patch: { -readonly [K in keyof TicketPatch]: TicketPatch[K] } = {
    lastSeenAt: now,
    occurrenceCount: ticket.occurrenceCount + 1,
    message: outcome.message,
    lastValues: outcome.values,
    updatedAt: now,
  };
  const runbook = outcome.runbook ?? null;
  if (!sameRunbook(ticket.runbook, runbook)) patch.runbook = runbook;
  if (outcome.severity !== ticket.severity) {
    patch.severity = outcome.severity;
    events.push(monitorEvent("severity_changed", now, ticket.severity, outcome.severity));
  }
  if (ticket.flapping !== flapping) {
    patch.flapping = flapping;
    events.push(flapEvent(flapping, now));
  }
  return { id: ticket.id, patch, events };
}

function draft(
  input: KeyInput,
  outcome: Extract<KeyOutcome, { outcome: "violated" }>,
  firstSeenAt: number,
  flapping: boolean,
): TicketDraft {
  const { now } = input;
  const events = [monitorEvent("opened", now, null, "open", outcome.message)];
  if (flapping) events.push(flapEvent(true, now));
  const { key, subject, invariant, entity } = input.parts;
  return {
    key,
    subject,
    invariant,
    entity,
    severity: outcome.severity,
    message: outcome.message,
    flapping,
    firstSeenAt,
    lastSeenAt: now,
    occurrenceCount: 1,
    batchKey: input.batchKey,
    values: outcome.values,
    runbook: outcome.runbook ?? null,
    createdAt: now,
    events,
  };
}

/** True when two runbook hints say the same (both absent counts as the same). */
export function sameRunbook(a: Runbook | null | undefined, b: Runbook | null | undefined): boolean {
  return (a?.hint ?? null) === (b?.hint ?? null) && (a?.url ?? null) === (b?.url ?? null);
}

function flapEvent(flapping: boolean, at: number): EventDraft {
  return monitorEvent(
    flapping ? "flapping_started" : "flapping_stopped",
    at,
    String(!flapping),
    String(flapping),
  );
}

function monitorEvent(
  kind: EventDraft["kind"],
  at: number,
  from: string | null,
  to: string | null,
  comment: string | null = null,
): EventDraft {
  return { at, actor: MONITOR_ACTOR, kind, from, to, comment };
}

/**
 * True when a key's state carries nothing a future cycle needs, so its row can be dropped: no clocks,
 * no violation in its history, not flapping, no recent onsets, no failures and no unresolved ticket.
 */
export function isEmptyState(state: KeyState, hasTicket: boolean, now: number, flap: FlapOptions): boolean {
  return (
    !hasTicket &&
    state.pendingSince === null &&
    state.clearSince === null &&
    !state.history.includes("v") &&
    !state.flapping &&
    state.failures === 0 &&
    onsetsInWindow(state.onsets, now, flap) === 0
  );
}
