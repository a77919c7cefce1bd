import type { KeyState, SubjectIdentity, Ticket } from "@operator/core";
import { identityFromRow, keyStateFromRow, ticketFromRow } from "./rows.ts";
import type { Statements } from "./statements.ts";

/** A cycle's view of the stored state, plus the stored JSON of each open ticket's latest values. */
export interface LoadedSnapshot {
  readonly states: Map<string, KeyState>;
  readonly openTickets: Map<string, Ticket>;
  readonly lastValuesJson: Map<number, string>;
  readonly identities: Map<string, SubjectIdentity>;
}

/** What a committed cycle wrote, for {@link SnapshotCache.applyCommitted}. */
export interface CommittedWrites {
  readonly upserted: readonly KeyState[];
  readonly deleted: readonly string[];
  readonly identities: readonly SubjectIdentity[];
  /** Tickets as they are after the cycle (resolved ones included), with their latest values' JSON. */
  readonly tickets: readonly { readonly ticket: Ticket; readonly lastValuesJson: string | undefined }[];
}

/**
 * Keeps each subject's key states and unresolved tickets between cycles, so a steady cycle reads
 * nothing. It is valid only while no other connection has committed: `PRAGMA data_version` (read
 * inside the cycle's write transaction) changes exactly then, and the whole cache is dropped. The
 * store also drops it after any failed cycle and after a person's action on this connection.
 */
export class SnapshotCache {
  #version: number | undefined;
  readonly #subjects = new Map<string, LoadedSnapshot>();

  /** The snapshot of `subjects`, loading those not cached in one query per table. */
  load(s: Statements, subjects: readonly string[]): LoadedSnapshot {
    const version = s.dataVersion.get();
    if (version !== this.#version) {
      this.#subjects.clear();
      this.#version = version;
    }
    const missing = [...new Set(subjects)].filter((subject) => !this.#subjects.has(subject));
    if (missing.length > 0) this.#loadSubjects(s, missing);
    if (subjects.length === 1) return copy(this.#subjects.get(subjects[0] as string) as LoadedSnapshot);
    const merged: LoadedSnapshot = {
      states: new Map(),
      openTickets: new Map(),
      lastValuesJson: new Map(),
      identities: new Map(),
    };
    for (const subject of subjects) {
      const entry = this.#subjects.get(subject) as LoadedSnapshot;
      for (const [k, v] of entry.states) merged.states.set(k, v);
      for (const [k, v] of entry.openTickets) merged.openTickets.set(k, v);
      for (const [k, v] of entry.lastValuesJson) merged.lastValuesJson.set(k, v);
      for (const [k, v] of entry.identities) merged.identities.set(k, v);
    }
    return merged;
  }

  /** Records a committed cycle's writes in the cached subjects. */
  applyCommitted(writes: CommittedWrites): void {
    for (const key of writes.deleted) this.#subjects.get(subjectOf(key))?.states.delete(key);
    for (const state of writes.upserted) this.#subjects.get(state.subject)?.states.set(state.key, state);
    for (const identity of writes.identities) {
      this.#subjects.get(identity.subject)?.identities.set(identity.subject, identity);
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

  /** Forgets everything; the next cycle reads from the database. */
  invalidate(): void {
    this.#subjects.clear();
    this.#version = undefined;
  }

  #loadSubjects(s: Statements, subjects: readonly string[]): void {
    for (const subject of subjects) {
      this.#subjects.set(subject, {
        states: new Map(),
        openTickets: new Map(),
        lastValuesJson: new Map(),
        identities: new Map(),
      });
    }
    const json = JSON.stringify(subjects);
    for (const row of s.statesOfSubjects.all(json)) {
      this.#subjects.get(row.subject)?.states.set(row.key, keyStateFromRow(row));
    }
    for (const row of s.identitiesOfSubjects.all(json)) {
      this.#subjects.get(row.subject)?.identities.set(row.subject, identityFromRow(row));
    }
    for (const row of s.openTicketsOfSubjects.all(json)) {
      const entry = this.#subjects.get(row.subject);
      entry?.openTickets.set(row.key, ticketFromRow(row));
      entry?.lastValuesJson.set(row.id, row.last_values);
    }
  }
}

// --- Internal helpers ---

function copy(entry: LoadedSnapshot): LoadedSnapshot {
  return {
    states: new Map(entry.states),
    openTickets: new Map(entry.openTickets),
    lastValuesJson: new Map(entry.lastValuesJson),
    identities: new Map(entry.identities),
  };
}

function subjectOf(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? key : key.slice(0, slash);
}
