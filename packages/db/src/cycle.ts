import {
  type CommittedWrites,
  type CyclePlan,
  type CycleResult,
  type CycleSnapshot,
  checkMonitorPatch,
  type EventDraft,
  SILENCE_SNAPSHOT_WINDOW_MS,
  type SnapshotCache,
  sharedOpeningEvent,
  storedValues,
  type Ticket,
  TicketNotFoundError,
  ticketFromDraft,
} from "@operator/core";
import { DuplicateOpenTicketError } from "./errors.ts";
import { loadSnapshot } from "./load-snapshot.ts";
import { patchParams } from "./patch-sql.ts";
import { RecurrenceBatch } from "./recurrence-batch.ts";
import { mergeTicket, ticketFromRow } from "./rows.ts";
import { silenceFromRow } from "./silences.ts";
import type { Statements } from "./statements.ts";

/** How long the cycle log is kept. */
export interface CycleLogRetention {
  /** Keep at most this many rows. @default 50000 */
  readonly maxRows?: number;
  /** Drop rows that started longer ago than this. @default 30 days */
  readonly maxAgeMs?: number;
}

/** What {@link recordCycleInTransaction} needs besides the statements. */
export interface CycleContext {
  readonly path: string;
  readonly now: () => number;
  readonly retention: Required<CycleLogRetention>;
}

/** A cycle's result plus what it wrote, for the snapshot cache once the transaction has committed. */
export interface CycleOutcome {
  readonly result: CycleResult;
  readonly writes: CommittedWrites;
}

/**
 * The body of one cycle; the caller runs it inside `BEGIN IMMEDIATE`. Takes the snapshot (from the
 * cache, or two queries), lets `plan` decide, checks the plan against what is stored, and writes it
 * with prepared statements. Any throw leaves the caller to roll everything back.
 */
export function recordCycleInTransaction(
  s: Statements,
  cache: SnapshotCache,
  ctx: CycleContext,
  subjects: readonly string[],
  plan: (snapshot: CycleSnapshot) => CyclePlan,
): CycleOutcome {
  const loaded = loadSnapshot(s, cache, subjects);
  const decided = plan({
    states: loaded.states,
    openTickets: loaded.openTickets,
    identities: loaded.identities,
    silences: silencesAround(s, ctx.now()),
  });
  const now = ctx.now();

  const byId = new Map<number, Ticket>();
  for (const ticket of loaded.openTickets.values()) byId.set(ticket.id, ticket);
  const written: { ticket: Ticket; lastValuesJson: string | undefined }[] = [];
  const resolved: Ticket[] = [];
  const resolvedKeys = new Set<string>();
  const batch = new RecurrenceBatch(s);
  for (const change of decided.change) {
    const before = byId.get(change.id) ?? loadTicket(s, change.id);
    const patch = checkMonitorPatch(before, change.patch, now);
    const stored = loaded.lastValuesJson.get(change.id);
    const params = patchParams(change.id, patch, { ticket: before, lastValuesJson: stored });
    if (batch.has(change.id)) batch.flush();
    if (!batch.offer(params, before)) s.patcher.run(params);
    insertEvents(s, change.id, change.events);
    const after = mergeTicket(before, patch);
    const lastValuesJson = (params.lastValues as string | undefined) ?? stored;
    written.push({ ticket: after, lastValuesJson });
    byId.set(after.id, after);
    if (lastValuesJson !== stored && lastValuesJson !== undefined) {
      loaded.lastValuesJson.set(after.id, lastValuesJson);
    }
    if (after.status === "resolved") {
      resolved.push(after);
      resolvedKeys.add(after.key);
    }
  }

  batch.flush();

  for (const key of decided.deleteStates) s.deleteState.run(key);
  for (const state of decided.upsertStates) {
    s.upsertState.run(
      state.key,
      state.subject,
      state.invariant,
      state.entity,
      state.pendingSince,
      state.clearSince,
      state.history,
      JSON.stringify(state.onsets),
      state.flapping ? 1 : 0,
      state.failures,
      state.updatedAt,
    );
  }

  for (const i of decided.identities) s.upsertIdentity.run(i.subject, i.identity, i.pending, i.updatedAt);

  const opened = insertOpened(s, ctx.path, decided, loaded.openTickets, resolvedKeys);
  for (const { ticket, valuesJson } of opened) written.push({ ticket, lastValuesJson: valuesJson });

  writeLog(s, ctx, decided, now);
  return {
    result: { opened: opened.map((o) => o.ticket), resolved, changed: decided.change.length },
    writes: {
      upserted: decided.upsertStates,
      deleted: decided.deleteStates,
      identities: decided.identities,
      tickets: written,
    },
  };
}

// --- Internal helpers ---

function loadTicket(s: Statements, id: number): Ticket {
  const row = s.ticketById.get(id);
  if (row === undefined) throw new TicketNotFoundError(id);
  return ticketFromRow(row);
}

function insertEvents(s: Statements, ticketId: number, events: readonly EventDraft[]): void {
  for (const e of events) {
    s.insertEvent.run(ticketId, e.at, e.actor, e.kind, e.from ?? null, e.to ?? null, e.comment ?? null);
  }
}

function insertOpened(
  s: Statements,
  path: string,
  plan: CyclePlan,
  openTickets: ReadonlyMap<string, Ticket>,
  resolvedKeys: ReadonlySet<string>,
): { ticket: Ticket; valuesJson: string }[] {
  if (plan.open.length === 0) return [];
  const keys = new Set<string>();
  for (const draft of plan.open) {
    if (keys.has(draft.key) || (openTickets.has(draft.key) && !resolvedKeys.has(draft.key))) {
      throw new DuplicateOpenTicketError(path, draft.key);
    }
    keys.add(draft.key);
  }
  const previous = new Map<string, number>();
  for (const row of s.latestTicketIds.all(JSON.stringify([...keys]))) previous.set(row.key, row.id);
  const shared = sharedOpeningEvent(plan.open);
  const ids: number[] = [];
  const opened = plan.open.map((draft) => {
    const valuesJson = JSON.stringify(draft.values);
    const previousTicketId = previous.get(draft.key) ?? null;
    let id: number;
    try {
      const info = s.insertTicket.run(
        draft.key,
        draft.subject,
        draft.invariant,
        draft.entity,
        draft.severity,
        draft.flapping ? 1 : 0,
        draft.silenced === true ? 1 : 0,
        draft.message,
        draft.firstSeenAt,
        draft.lastSeenAt,
        draft.occurrenceCount,
        draft.batchKey,
        previousTicketId,
        valuesJson,
        valuesJson,
        draft.runbook ? JSON.stringify(draft.runbook) : null,
        draft.createdAt,
        draft.createdAt,
      );
      id = Number(info.lastInsertRowid);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "SQLITE_CONSTRAINT_UNIQUE") throw error;
      throw new DuplicateOpenTicketError(path, draft.key, { cause: error });
    }
    if (shared) ids.push(id);
    else insertEvents(s, id, draft.events);
    const ticket = ticketFromDraft(draft, id, previousTicketId, storedValues(draft.values, valuesJson));
    return { ticket, valuesJson };
  });
  if (shared) {
    const e = shared;
    s.insertSameEvent.run(
      e.at,
      e.actor,
      e.kind,
      e.from ?? null,
      e.to ?? null,
      e.comment ?? null,
      JSON.stringify(ids),
    );
  }
  return opened;
}

/** Silences not ended a day before `now` (the plan keeps those active at its own time). */
function silencesAround(s: Statements, now: number) {
  const since = now - SILENCE_SNAPSHOT_WINDOW_MS;
  return s.silencesNotEnded.all(since, since).map(silenceFromRow);
}

function writeLog(s: Statements, ctx: CycleContext, plan: CyclePlan, now: number): void {
  const log = plan.log;
  const info = s.insertCycleLog.run(
    log.id,
    log.startedAt,
    log.finishedAt,
    log.invariants,
    log.violations,
    log.unknown,
    log.opened,
    log.resolved,
    JSON.stringify(log.failures),
  );
  const seq = Number(info.lastInsertRowid);
  if (seq > ctx.retention.maxRows) s.pruneCycleLogRows.run(seq - ctx.retention.maxRows);
  s.pruneCycleLogAge.run(now - ctx.retention.maxAgeMs);
}
