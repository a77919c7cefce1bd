import type { Runbook, Severity, Ticket, TicketDraft } from "@operator/core";
import { openTicketStore } from "@operator/db";

/** One ticket to seed: a key's parts, severity and message. */
export interface SeedTicket {
  readonly subject: string;
  readonly invariant: string;
  readonly entity: string;
  readonly severity: Severity;
  readonly message: string;
  /** The invariant's runbook hint stored on the ticket. */
  readonly runbook?: Runbook;
}

/**
 * Creates a database at `path` through `@operator/db`'s own API and opens the given tickets in one
 * recorded cycle (batch `seed-1`), at time `at`. Returns the tickets as stored.
 */
export async function seedTickets(
  path: string,
  seeds: readonly SeedTicket[],
  at = Date.UTC(2026, 0, 2, 3, 4, 5),
): Promise<Ticket[]> {
  const store = openTicketStore(path, { now: () => at });
  try {
    const subjects = [...new Set(seeds.map((s) => s.subject))];
    const result = await store.recordCycle(subjects, () => ({
      upsertStates: [],
      deleteStates: [],
      identities: [],
      open: seeds.map(
        (seed): TicketDraft => ({
          key: `${seed.subject}/${seed.invariant}/${seed.entity}`,
          subject: seed.subject,
          invariant: seed.invariant,
          entity: seed.entity,
          severity: seed.severity,
          message: seed.message,
          flapping: false,
          firstSeenAt: at,
          lastSeenAt: at,
          occurrenceCount: 1,
          batchKey: "seed-1",
          values: { seeded: true, entity: seed.entity },
          ...(seed.runbook ? { runbook: seed.runbook } : {}),
          createdAt: at,
          events: [{ at, actor: "monitor", kind: "opened", from: null, to: "open", comment: null }],
        }),
      ),
      change: [],
      log: {
        id: "seed-1",
        startedAt: at,
        finishedAt: at,
        invariants: seeds.length,
        violations: seeds.length,
        unknown: 0,
        opened: seeds.length,
        resolved: 0,
        failures: {},
      },
    }));
    return [...result.opened];
  } finally {
    store.close();
  }
}

/** Every ticket row and event of a database, for before/after comparisons. */
export async function dumpDatabase(path: string): Promise<unknown> {
  const store = openTicketStore(path, { readonly: true });
  try {
    const { tickets } = await store.listTickets({ includeResolved: true, limit: 1000 });
    return Promise.all(tickets.map((t) => store.getTicket(t.id)));
  } finally {
    store.close();
  }
}
