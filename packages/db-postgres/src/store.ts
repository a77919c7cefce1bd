import {
  type AttemptOutcome,
  type ChannelStatus,
  type ConfiguredInvariants,
  type CycleLogEntry,
  type CyclePlan,
  type CycleResult,
  type CycleSnapshot,
  isSeverity,
  type LeaseStore,
  type NotificationFilter,
  type NotificationStore,
  type OrphanResolution,
  type PendingNotification,
  type RecordCycleOptions,
  SEVERITIES,
  type Severity,
  type Silence,
  type SilenceDraft,
  type SilenceListOptions,
  type SilenceStore,
  SnapshotCache,
  type SubjectLease,
  TICKET_STATUSES,
  type Ticket,
  type TicketAction,
  type TicketDetail,
  type TicketFeedItem,
  type TicketFilter,
  type TicketPage,
  type TicketStatus,
  type TicketStore,
} from "@operator/core";
import { drizzle } from "drizzle-orm/postgres-js";
import type { Sql } from "postgres";
import { applyActionInTransaction, resolveOrphansInTransaction } from "./actions.ts";
import { type CycleContext, recordCycleInTransaction } from "./cycle.ts";
import { PostgresReadOnlyError, PostgresStoreError, toStoreError } from "./errors.ts";
import * as leases from "./leases.ts";
import * as outbox from "./outbox.ts";
import { type Db, getTicket, listEventsAfter, listTickets } from "./queries.ts";
import { type CycleLogRow, cycleLogFromRow } from "./rows.ts";
import * as silences from "./silences.ts";

/**
 * The PostgreSQL ticket store: core's `TicketStore`, `NotificationStore`, `SilenceStore` and
 * `LeaseStore` (so several monitor replicas can share it), and more.
 */
export interface PostgresTicketStore extends TicketStore, NotificationStore, SilenceStore, LeaseStore {
  /** The database as it may be shown: `postgres://user@host:port/db`, never the password. */
  readonly target: string;
  /** Ends the connections (waiting up to 5 s for queries in flight); later calls fail. Safe to call twice. */
  close(): Promise<void>;
  /** Unresolved tickets per severity (every severity present, zeros included), for the daemon's metrics. */
  openTicketCounts(): Promise<Record<Severity, number>>;
  /** The latest cycle log entries, newest first. */
  recentCycles(limit: number): Promise<CycleLogEntry[]>;
  /** Every ticket by status, unresolved tickets by severity (zeros included), for a status page. */
  ticketCounts(): Promise<TicketCounts>;
  /** The subjects the database knows of: with key states, an identity, or an unresolved ticket. */
  knownSubjects(): Promise<string[]>;
}

/** Ticket counts: every ticket by status, unresolved tickets by severity. */
export interface TicketCounts {
  readonly byStatus: Record<TicketStatus, number>;
  readonly bySeverity: Record<Severity, number>;
}

/** Settings of an open store that its methods need. */
export interface StoreContext extends CycleContext {
  readonly readonly: boolean;
}

/** Wraps a connected, migrated pool as a {@link PostgresTicketStore}. */
export function createStore(sql: Sql, ctx: StoreContext): PostgresTicketStore {
  return new Store(sql, ctx);
}

// --- Internal helpers ---

class Store implements PostgresTicketStore {
  readonly target: string;
  readonly #sql: Sql;
  readonly #db: Db;
  readonly #ctx: StoreContext;
  /** Key states, unresolved tickets and identities between cycles (see `SnapshotCache`). */
  readonly #cache = new SnapshotCache();
  #closed = false;

  constructor(sql: Sql, ctx: StoreContext) {
    this.target = ctx.target;
    this.#sql = sql;
    this.#db = drizzle({ client: sql });
    this.#ctx = ctx;
  }

  recordCycle(
    subjects: readonly string[],
    plan: (snapshot: CycleSnapshot) => CyclePlan,
    options: RecordCycleOptions = {},
  ): Promise<CycleResult> {
    return this.#write(async (sql) => {
      try {
        const outcome = await sql.begin((tx) =>
          recordCycleInTransaction(tx, this.#ctx, this.#cache, subjects, plan, options.fence),
        );
        this.#cache.applyCommitted(outcome.writes, outcome.version);
        return outcome.result;
      } catch (error) {
        this.#cache.invalidate();
        throw error;
      }
    });
  }

  claimLeases(holder: string, subjects: readonly string[], ttlMs: number): Promise<readonly SubjectLease[]> {
    return this.#write((sql) => leases.claimLeases(sql, this.#leaseNow(), holder, subjects, ttlMs));
  }

  releaseLeases(holder: string, subjects: readonly string[]): Promise<void> {
    return this.#write((sql) => leases.releaseLeases(sql, this.#leaseNow(), holder, subjects));
  }

  listLeases(): Promise<readonly SubjectLease[]> {
    return this.#read(() => leases.listLeases(this.#sql));
  }

  listTickets(filter?: TicketFilter): Promise<TicketPage> {
    return this.#read(() => listTickets(this.#db, filter));
  }

  getTicket(id: number): Promise<TicketDetail> {
    return this.#read(() => getTicket(this.#db, id));
  }

  listEventsAfter(afterId: number, limit: number): Promise<readonly TicketFeedItem[]> {
    return this.#read(() => listEventsAfter(this.#db, afterId, limit));
  }

  applyAction(id: number, action: TicketAction, now?: number): Promise<Ticket> {
    const at = now ?? this.#ctx.now();
    return this.#write((sql) => sql.begin((tx) => applyActionInTransaction(tx, id, action, at)));
  }

  resolveOrphans(configured: ConfiguredInvariants, now?: number): Promise<OrphanResolution> {
    const at = now ?? this.#ctx.now();
    return this.#write((sql) =>
      sql.begin((tx) => resolveOrphansInTransaction(tx, configured, at, this.#leaseNow())),
    );
  }

  openChannel(channel: string, now: number): Promise<void> {
    return this.#write((sql) => outbox.openChannel(sql, channel, now));
  }

  nextNotifications(
    channel: string,
    filter: NotificationFilter | undefined,
    now: number,
    limit: number,
    subjects?: readonly string[],
  ): Promise<readonly PendingNotification[]> {
    return this.#write((sql) => outbox.nextNotifications(sql, channel, filter, now, limit, subjects));
  }

  recordAttempt(channel: string, eventId: number, result: AttemptOutcome, now: number): Promise<void> {
    return this.#write((sql) => outbox.recordAttempt(sql, channel, eventId, result, now));
  }

  notificationStatus(): Promise<readonly ChannelStatus[]> {
    return this.#read(() => outbox.notificationStatus(this.#sql));
  }

  unresolvedTickets(): Promise<readonly Ticket[]> {
    return this.#read(() => outbox.unresolvedTickets(this.#sql));
  }

  addSilence(draft: SilenceDraft, now: number): Promise<Silence> {
    return this.#write((sql) => silences.addSilence(sql, draft, now));
  }

  listSilences(options: SilenceListOptions): Promise<readonly Silence[]> {
    return this.#read(() => silences.listSilences(this.#sql, options.all ?? false, options.now));
  }

  expireSilence(id: number, by: string, now: number): Promise<Silence> {
    return this.#write((sql) => silences.expireSilence(sql, id, by, now));
  }

  activeSilences(at: number): Promise<readonly Silence[]> {
    return this.#read(() => silences.activeSilences(this.#sql, at));
  }

  openTicketCounts(): Promise<Record<Severity, number>> {
    return this.#read(async () => {
      const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
      const rows = await this.#sql<{ severity: string; count: number }[]>`
        SELECT severity, count(*) AS count FROM tickets WHERE status <> 'resolved' GROUP BY severity`;
      for (const row of rows) if (isSeverity(row.severity)) counts[row.severity] = row.count;
      return counts;
    });
  }

  ticketCounts(): Promise<TicketCounts> {
    return this.#read(async () => {
      const byStatus = Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0])) as Record<TicketStatus, number>;
      const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
      const rows = await this.#sql<{ status: string; severity: string; count: number }[]>`
        SELECT status, severity, count(*)::int AS count FROM tickets GROUP BY status, severity`;
      for (const row of rows) {
        if (row.status in byStatus) byStatus[row.status as TicketStatus] += row.count;
        if (row.status !== "resolved" && isSeverity(row.severity)) bySeverity[row.severity] += row.count;
      }
      return { byStatus, bySeverity };
    });
  }

  knownSubjects(): Promise<string[]> {
    return this.#read(async () => {
      const rows = await this.#sql<{ subject: string }[]>`
        SELECT subject FROM key_states
        UNION SELECT subject FROM subject_identities
        UNION SELECT subject FROM tickets WHERE status <> 'resolved'
        ORDER BY 1`;
      return rows.map((row) => row.subject);
    });
  }

  recentCycles(limit: number): Promise<CycleLogEntry[]> {
    return this.#read(async () => {
      const rows = await this.#sql<CycleLogRow[]>`SELECT * FROM cycle_log ORDER BY seq DESC LIMIT ${limit}`;
      return rows.map(cycleLogFromRow);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sql.end({ timeout: 5 });
  }

  #leaseNow(): number | null {
    return this.#ctx.leaseNow?.() ?? null;
  }

  #write<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.#ctx.readonly) return Promise.reject(new PostgresReadOnlyError(this.target));
    return this.#read(() => fn(this.#sql));
  }

  async #read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new PostgresStoreError(this.target, `Database ${this.target} is closed`);
    try {
      return await fn();
    } catch (error) {
      throw toStoreError(this.target, error);
    }
  }
}
