import type { SubjectIdentity } from "./identity.ts";
import type { KeyState } from "./store.ts";
import type { Ticket } from "./ticket.ts";

/** A cycle's view of what a store holds for some subjects, plus the stored JSON of each open ticket's latest values. */
export interface LoadedSnapshot {
  readonly states: Map<string, KeyState>;
  readonly openTickets: Map<string, Ticket>;
  readonly lastValuesJson: Map<number, string>;
  readonly identities: Map<string, SubjectIdentity>;
}

/** A ticket as a cycle left it (resolved ones included), with its latest values' JSON as stored. */
export interface WrittenTicket {
  readonly ticket: Ticket;
  readonly lastValuesJson: string | undefined;
}

/** What a committed cycle wrote, for {@link SnapshotCache.applyCommitted}. */
export interface CommittedWrites {
  readonly upserted: readonly KeyState[];
  readonly deleted: readonly string[];
  readonly identities: readonly SubjectIdentity[];
  readonly tickets: readonly WrittenTicket[];
}

/** What a store read for some subjects, for {@link SnapshotCache.fill}. */
export interface SnapshotRows {
  readonly states: Iterable<KeyState>;
  readonly identities: Iterable<SubjectIdentity>;
  readonly tickets: Iterable<WrittenTicket>;
}

/**
 * For ticket store adapters: keeps each subject's key states, unresolved tickets and identity
 * between cycles, so a steady cycle reads none of them. The store names a change marker it reads
 * inside the cycle's write transaction (SQLite's `PRAGMA data_version`, a version that triggers
 * move on PostgreSQL); when the marker is not the one the cache holds, everything cached is
 * dropped and read again. The store must call {@link invalidate} after any failed cycle.
 */
export class SnapshotCache {
  #version: string | number | undefined;
  readonly #subjects = new Map<string, LoadedSnapshot>();

  /** The subjects to read before {@link snapshot}: all of them when `version` is not the cached one. */
  missing(version: string | number, subjects: readonly string[]): string[] {
    if (version !== this.#version) {
      this.#subjects.clear();
      this.#version = version;
    }
    return [...new Set(subjects)].filter((subject) => !this.#subjects.has(subject));
  }

  /** Caches what was read for `subjects`; a subject nothing was read for is cached empty. */
  fill(subjects: readonly string[], rows: SnapshotRows): void {
    for (const subject of subjects) this.#subjects.set(subject, empty());
    for (const state of rows.states) this.#subjects.get(state.subject)?.states.set(state.key, state);
    for (const identity of rows.identities) {
      this.#subjects.get(identity.subject)?.identities.set(identity.subject, identity);
    }
    for (const { ticket, lastValuesJson } of rows.tickets) {
      const entry = this.#subjects.get(ticket.subject);
      entry?.openTickets.set(ticket.key, ticket);
      if (lastValuesJson !== undefined) entry?.lastValuesJson.set(ticket.id, lastValuesJson);
    }
  }

  /** A copy of the cached snapshot of `subjects`, which {@link missing} and {@link fill} made complete. */
  snapshot(subjects: readonly string[]): LoadedSnapshot {
    const merged = empty();
    for (const subject of subjects) {
      const entry = this.#subjects.get(subject);
      if (entry === undefined) throw new Error(`Subject ${subject} is not cached`);
      for (const [k, v] of entry.states) merged.states.set(k, v);
      for (const [k, v] of entry.openTickets) merged.openTickets.set(k, v);
      for (const [k, v] of entry.lastValuesJson) merged.lastValuesJson.set(k, v);
      for (const [k, v] of entry.identities) merged.identities.set(k, v);
    }
    return merged;
  }

  /**
   * Records a committed cycle's writes in the cached subjects, as copies holding exactly the stored
   * fields (what a reload would return). `version` is the marker after the commit, when the cycle's
   * own writes move it.
   */
  applyCommitted(writes: CommittedWrites, version?: string | number): void {
    if (version !== undefined) this.#version = version;
    for (const key of writes.deleted) this.#subjects.get(subjectOf(key))?.states.delete(key);
    for (const state of writes.upserted) {
      this.#subjects.get(state.subject)?.states.set(state.key, storedState(state));
    }
    for (const i of writes.identities) {
      const stored = { subject: i.subject, identity: i.identity, pending: i.pending, updatedAt: i.updatedAt };
      this.#subjects.get(i.subject)?.identities.set(i.subject, stored);
    }
    for (const { ticket, lastValuesJson } of writes.tickets) {
      const entry = this.#subjects.get(ticket.subject);
      if (entry === undefined) continue;
      if (ticket.status === "resolved") {
        entry.openTickets.delete(ticket.key);
        entry.lastValuesJson.delete(ticket.id);
      } else {
        entry.openTickets.set(ticket.key, ticket);
        if (lastValuesJson !== undefined) entry.lastValuesJson.set(ticket.id, lastValuesJson);
      }
    }
  }

  /** Forgets everything; the next cycle reads from the store. */
  invalidate(): void {
    this.#subjects.clear();
    this.#version = undefined;
  }
}

// --- Internal helpers ---

function empty(): LoadedSnapshot {
  return { states: new Map(), openTickets: new Map(), lastValuesJson: new Map(), identities: new Map() };
}

function storedState(state: KeyState): KeyState {
  return {
    key: state.key,
    subject: state.subject,
    invariant: state.invariant,
    entity: state.entity,
    pendingSince: state.pendingSince,
    clearSince: state.clearSince,
    history: state.history,
    onsets: [...state.onsets],
    flapping: state.flapping,
    failures: state.failures,
    updatedAt: state.updatedAt,
  };
}

function subjectOf(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? key : key.slice(0, slash);
}
