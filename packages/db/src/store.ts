import {
  type CycleLogEntry,
  type CyclePlan,
  type CycleResult,
  type CycleSnapshot,
  isSeverity,
  SEVERITIES,
  type Severity,
  type Ticket,
  type TicketAction,
  type TicketDetail,
  type TicketFilter,
  type TicketPage,
  type TicketStore,
} from "@operator/core";
import type BetterSqlite3 from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { applyActionInTransaction } from "./actions.ts";
import { type CycleContext, recordCycleInTransaction } from "./cycle.ts";
import { DatabaseError } from "./errors.ts";
import { getTicket, listTickets } from "./queries.ts";
import { cycleLogFromRow } from "./rows.ts";
import { SnapshotCache } from "./snapshot-cache.ts";
import { toDatabaseError } from "./sqlite-errors.ts";
import { prepareStatements, type Statements } from "./statements.ts";

/** The SQLite ticket store: core's `TicketStore` plus what the daemon and the CLI need. */
export interface SqliteTicketStore extends TicketStore {
  /** The database file, as an absolute path. */
  readonly path: string;
  /** Closes the connection; later calls fail. Safe to call twice. */
  close(): void;
  /** Unresolved tickets per severity (every severity present, zeros included), for the daemon's metrics. */
  openTicketCounts(): Record<Severity, number>;
  /** The latest cycle log entries, newest first. */
  recentCycles(limit: number): CycleLogEntry[];
}

/** Settings of an open connection that the store's methods need. */
export interface StoreContext extends CycleContext {
  readonly busyTimeoutMs: number;
  readonly readonly: boolean;
}

/** Wraps an open, migrated connection as a {@link SqliteTicketStore}. */
export function createStore(sqlite: BetterSqlite3.Database, ctx: StoreContext): SqliteTicketStore {
  return new Store(sqlite, ctx);
}

// --- Internal helpers ---

class Store implements SqliteTicketStore {
  readonly path: string;
  readonly #sqlite: BetterSqlite3.Database;
  readonly #db: BetterSQLite3Database;
  readonly #s: Statements;
  readonly #ctx: StoreContext;
  readonly #cache = new SnapshotCache();

  constructor(sqlite: BetterSqlite3.Database, ctx: StoreContext) {
    this.path = ctx.path;
    this.#sqlite = sqlite;
    this.#ctx = ctx;
    this.#db = drizzle({ client: sqlite });
    this.#s = prepareStatements(sqlite);
  }

  async recordCycle(
    subjects: readonly string[],
    plan: (snapshot: CycleSnapshot) => CyclePlan,
  ): Promise<CycleResult> {
    return this.#guard(() => {
      try {
        const outcome = this.#sqlite
          .transaction(() => recordCycleInTransaction(this.#s, this.#cache, this.#ctx, subjects, plan))
          .immediate();
        this.#cache.applyCommitted(outcome.writes);
        return outcome.result;
      } catch (error) {
        this.#cache.invalidate();
        throw error;
      }
    });
  }

  async listTickets(filter?: TicketFilter): Promise<TicketPage> {
    return this.#guard(() => listTickets(this.#db, filter));
  }

  async getTicket(id: number): Promise<TicketDetail> {
    return this.#guard(() => getTicket(this.#db, id));
  }

  async applyAction(id: number, action: TicketAction, now?: number): Promise<Ticket> {
    const at = now ?? this.#ctx.now();
    return this.#guard(() => {
      this.#cache.invalidate();
      return this.#sqlite.transaction(() => applyActionInTransaction(this.#s, id, action, at)).immediate();
    });
  }

  openTicketCounts(): Record<Severity, number> {
    return this.#guard(() => {
      const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
      for (const row of this.#s.openCounts.all()) {
        if (isSeverity(row.severity)) counts[row.severity] = row.count;
      }
      return counts;
    });
  }

  recentCycles(limit: number): CycleLogEntry[] {
    return this.#guard(() => this.#s.recentCycles.all(limit).map(cycleLogFromRow));
  }

  close(): void {
    if (this.#sqlite.open) this.#sqlite.close();
  }

  #guard<T>(fn: () => T): T {
    if (!this.#sqlite.open) throw new DatabaseError(this.path, `Database ${this.path} is closed`);
    try {
      return fn();
    } catch (error) {
      throw toDatabaseError(this.path, error, this.#ctx.busyTimeoutMs);
    }
  }
}
