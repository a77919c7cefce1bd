import { renameSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type AttemptOutcome,
  type ChannelStatus,
  type ConfiguredInvariants,
  type CycleLogEntry,
  type CyclePlan,
  type CycleResult,
  type CycleSnapshot,
  isSeverity,
  type NotificationFilter,
  type NotificationStore,
  type OrphanResolution,
  type PendingNotification,
  SEVERITIES,
  type Severity,
  type Silence,
  type SilenceDraft,
  type SilenceListOptions,
  type SilenceStore,
  SnapshotCache,
  type Ticket,
  type TicketAction,
  type TicketDetail,
  type TicketFeedItem,
  type TicketFilter,
  type TicketPage,
  type TicketStore,
} from "@operator/core";
import type BetterSqlite3 from "better-sqlite3";
import { applyActionInTransaction } from "./actions.ts";
import { type CycleContext, recordCycleInTransaction } from "./cycle.ts";
import { DatabaseError, DatabaseLockedError, DatabaseReplacedError } from "./errors.ts";
import { EventFeed } from "./feed.ts";
import { GroupCommit } from "./group-commit.ts";
import { resolveOrphansInTransaction } from "./orphans.ts";
import { Outbox, type RecordedAttempt } from "./outbox.ts";
import { TicketQueries } from "./queries.ts";
import { cycleLogFromRow } from "./rows.ts";
import { Silences } from "./silences.ts";
import { toDatabaseError } from "./sqlite-errors.ts";
import { prepareStatements, type Statements } from "./statements.ts";
import { StatusQueries, type TicketCounts } from "./ticket-counts.ts";

/** The SQLite ticket store: core's `TicketStore` plus what the daemon and the CLI need. */
export interface SqliteTicketStore extends TicketStore, NotificationStore, SilenceStore {
  /** The database file, as an absolute path. */
  readonly path: string;
  /** Closes the connection; later calls fail. Safe to call twice. */
  close(): void;
  /** Unresolved tickets per severity (every severity present, zeros included), for the daemon's metrics. */
  openTicketCounts(): Record<Severity, number>;
  /** The latest cycle log entries, newest first. */
  recentCycles(limit: number): CycleLogEntry[];
  /** Every ticket by status, and unresolved tickets by severity (zeros included), for a status page. */
  ticketCounts(): Promise<TicketCounts>;
  /** Subjects the database knows (key states, identities, unresolved tickets), sorted. */
  knownSubjects(): Promise<string[]>;
}

/** The device and inode of an open database file, to notice when its path names another file. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

/** Settings of an open connection that the store's methods need. */
export interface StoreContext extends CycleContext {
  /** How long a write (or read) keeps retrying while another process holds the lock, in total. */
  readonly busyTimeoutMs: number;
  readonly readonly: boolean;
  /** The opened file; writes are refused once `path` names another file or none. */
  readonly identity?: FileIdentity;
  /** Called when a write finds the file deleted or replaced, before the error is thrown. */
  readonly onReplaced?: (error: DatabaseReplacedError) => void;
  /** Runs once after the connection is closed (e.g. to remove a private copy). */
  readonly onClose?: () => void;
}

/** Pause between two attempts at a locked database: doubling from 5 ms up to this. */
const MAX_RETRY_PAUSE_MS = 100;

/** Wraps an open, migrated connection as a {@link SqliteTicketStore}. */
export function createStore(sqlite: BetterSqlite3.Database, ctx: StoreContext): SqliteTicketStore {
  return new Store(sqlite, ctx);
}

// --- Internal helpers ---

class Store implements SqliteTicketStore {
  readonly path: string;
  readonly #sqlite: BetterSqlite3.Database;
  readonly #queries: TicketQueries;
  readonly #s: Statements;
  readonly #ctx: StoreContext;
  readonly #cache = new SnapshotCache();
  readonly #outbox: Outbox;
  readonly #attempts: GroupCommit<RecordedAttempt>;
  readonly #silences: Silences;
  readonly #feed: EventFeed;
  readonly #status: StatusQueries;
  #replacedHow: "deleted" | "replaced" | undefined;

  constructor(sqlite: BetterSqlite3.Database, ctx: StoreContext) {
    this.path = ctx.path;
    this.#sqlite = sqlite;
    this.#ctx = ctx;
    this.#queries = new TicketQueries(sqlite);
    this.#s = prepareStatements(sqlite);
    this.#outbox = new Outbox(sqlite);
    this.#attempts = new GroupCommit(async (attempts) => {
      this.#assertSameFile();
      return this.#retrying(() => this.#outbox.record(attempts));
    });
    this.#silences = new Silences(sqlite);
    this.#feed = new EventFeed(sqlite);
    this.#status = new StatusQueries(sqlite);
  }

  async recordCycle(
    subjects: readonly string[],
    plan: (snapshot: CycleSnapshot) => CyclePlan,
  ): Promise<CycleResult> {
    this.#assertSameFile();
    return this.#retrying(() => {
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
    return this.#retrying(() => this.#queries.list(filter));
  }

  async getTicket(id: number): Promise<TicketDetail> {
    return this.#retrying(() => this.#queries.get(id));
  }

  async listEventsAfter(afterId: number, limit: number): Promise<readonly TicketFeedItem[]> {
    return this.#retrying(() => this.#feed.after(afterId, limit));
  }

  async applyAction(id: number, action: TicketAction, now?: number): Promise<Ticket> {
    const at = now ?? this.#ctx.now();
    this.#assertSameFile();
    return this.#retrying(() => {
      this.#cache.invalidate();
      return this.#sqlite.transaction(() => applyActionInTransaction(this.#s, id, action, at)).immediate();
    });
  }

  async resolveOrphans(configured: ConfiguredInvariants, now?: number): Promise<OrphanResolution> {
    const at = now ?? this.#ctx.now();
    this.#assertSameFile();
    return this.#retrying(() => {
      this.#cache.invalidate();
      return this.#sqlite.transaction(() => resolveOrphansInTransaction(this.#s, configured, at)).immediate();
    });
  }

  async openChannel(channel: string, now: number): Promise<void> {
    this.#assertSameFile();
    return this.#retrying(() => this.#outbox.openChannel(channel, now));
  }

  async nextNotifications(
    channel: string,
    filter: NotificationFilter | undefined,
    now: number,
    limit: number,
    subjects?: readonly string[],
  ): Promise<readonly PendingNotification[]> {
    this.#assertSameFile();
    return this.#retrying(() => this.#outbox.next(channel, filter, now, limit, subjects));
  }

  /**
   * Attempts recorded in the same turn of the event loop (a channel's lanes) share one transaction,
   * and one check that the path still names the open file.
   */
  async recordAttempt(channel: string, eventId: number, result: AttemptOutcome, now: number): Promise<void> {
    return this.#attempts.add({ channel, eventId, result, now });
  }

  async notificationStatus(): Promise<readonly ChannelStatus[]> {
    return this.#retrying(() => this.#outbox.status());
  }

  async unresolvedTickets(): Promise<readonly Ticket[]> {
    return this.#retrying(() => this.#outbox.unresolvedTickets());
  }

  async addSilence(draft: SilenceDraft, now: number): Promise<Silence> {
    this.#assertSameFile();
    return this.#retrying(() => this.#silences.add(draft, now));
  }

  async listSilences(options: SilenceListOptions): Promise<readonly Silence[]> {
    return this.#retrying(() => this.#silences.list(options.all ?? false, options.now));
  }

  async expireSilence(id: number, by: string, now: number): Promise<Silence> {
    this.#assertSameFile();
    return this.#retrying(() => this.#silences.expire(id, by, now));
  }

  async activeSilences(at: number): Promise<readonly Silence[]> {
    return this.#retrying(() => this.#silences.active(at));
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

  async ticketCounts(): Promise<TicketCounts> {
    return this.#retrying(() => this.#status.counts());
  }

  async knownSubjects(): Promise<string[]> {
    return this.#retrying(() => this.#status.subjects());
  }

  recentCycles(limit: number): CycleLogEntry[] {
    return this.#guard(() => this.#s.recentCycles.all(limit).map(cycleLogFromRow));
  }

  close(): void {
    if (!this.#sqlite.open) return;
    this.#sqlite.close();
    if (this.#replacedHow !== undefined) this.#moveOrphanedSideFiles();
    this.#ctx.onClose?.();
  }

  /**
   * After the file was deleted or replaced, the `-wal`/`-shm` beside the path still belong to the
   * connection just closed; SQLite would read them as part of whatever file is (or is next) at the
   * path. They are renamed to `<name>-wal.orphaned` / `-shm.orphaned`, kept for forensics.
   */
  #moveOrphanedSideFiles(): void {
    for (const suffix of ["-wal", "-shm"]) {
      try {
        renameSync(this.path + suffix, `${this.path}${suffix}.orphaned`);
      } catch {
        // Not there: nothing to move.
      }
    }
  }

  /**
   * Runs `fn` (one statement or transaction), and while another process holds the lock, tries again
   * after a short pause until `busyTimeoutMs` has passed since the first refusal. The connection
   * itself waits only a few milliseconds per attempt, so the event loop (and the daemon's /healthz) is
   * never blocked for long; a failed attempt has written nothing. The clock is read only once refused:
   * Node loads `perf_hooks` on the first use of `performance`, a few milliseconds a CLI command saves.
   */
  async #retrying<T>(fn: () => T): Promise<T> {
    let started: number | undefined;
    let pause = 5;
    for (;;) {
      try {
        return this.#guard(fn);
      } catch (error) {
        if (!(error instanceof DatabaseLockedError)) throw error;
        started ??= performance.now();
        const left = this.#ctx.busyTimeoutMs - (performance.now() - started);
        if (left <= 0) throw error;
        await sleep(Math.min(pause, left));
        pause = Math.min(pause * 2, MAX_RETRY_PAUSE_MS);
      }
    }
  }

  /** Throws {@link DatabaseReplacedError} when the path no longer names the file that is open. */
  #assertSameFile(): void {
    const identity = this.#ctx.identity;
    if (identity === undefined || !this.#sqlite.open) return;
    let now: FileIdentity;
    try {
      now = statSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") return;
      this.#replaced("deleted");
    }
    if (now.dev !== identity.dev || now.ino !== identity.ino) this.#replaced("replaced");
  }

  #replaced(how: "deleted" | "replaced"): never {
    this.#replacedHow ??= how;
    const error = new DatabaseReplacedError(this.path, how);
    this.#ctx.onReplaced?.(error);
    throw error;
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
