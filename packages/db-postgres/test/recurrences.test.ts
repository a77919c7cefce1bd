import type { Ticket } from "@operator/core";
import { describe, expect, it } from "vitest";
import { splitTicketWrites } from "../src/recurrences.ts";

const T0 = Date.UTC(2026, 0, 1);

function ticket(id: number, overrides: Partial<Ticket> = {}): Ticket {
  return {
    id,
    key: `s/lat/${id}`,
    subject: "s",
    invariant: "lat",
    entity: String(id),
    severity: "warning",
    status: "open",
    held: false,
    flapping: false,
    silenced: false,
    message: `latency of ${id}`,
    firstSeenAt: T0,
    lastSeenAt: T0,
    occurrenceCount: 1,
    batchKey: "b",
    previousTicketId: null,
    firstValues: { ms: 1 },
    lastValues: { ms: 1 },
    runbook: null,
    diagnosis: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

describe("splitTicketWrites", () => {
  it("groups plain recurrences by their times, writes every other change in full, and says what JSON each keeps", () => {
    const stored = new Map([1, 2, 3, 4, 5, 6].map((id) => [id, ticket(id)]));
    const json = new Map([1, 2, 3, 4, 5, 6].map((id) => [id, '{"ms":1}']));
    const bump = (id: number, at: number, extra: Partial<Ticket> = {}) =>
      ({
        ...(stored.get(id) as Ticket),
        lastSeenAt: at,
        updatedAt: at,
        occurrenceCount: 2,
        ...extra,
      }) as Ticket;
    const writes = splitTicketWrites(
      [
        bump(1, T0 + 30_000),
        bump(2, T0 + 30_000, { lastValues: { ms: 1 } }),
        bump(3, T0 + 31_000),
        bump(4, T0 + 30_000, { lastValues: { ms: 2 } }),
        bump(5, T0 + 30_000, { message: "latency of 5, worse" }),
        bump(6, T0 + 30_000, { occurrenceCount: 7 }),
        ticket(7, { status: "resolved", resolvedAt: T0, resolvedBy: "monitor" }),
      ],
      stored,
      json,
    );
    expect(writes.recurrences).toEqual([
      { lastSeenAt: T0 + 30_000, updatedAt: T0 + 30_000, ids: [1, 2] },
      { lastSeenAt: T0 + 31_000, updatedAt: T0 + 31_000, ids: [3] },
    ]);
    expect(writes.records.map((r) => [r.id, r.last_values, r.message, r.occurrence_count])).toEqual([
      [4, '{"ms":2}', "latency of 4", 2],
      [5, '{"ms":1}', "latency of 5, worse", 2],
      [6, '{"ms":1}', "latency of 6", 7],
      [7, '{"ms":1}', "latency of 7", 1],
    ]);
    expect(Object.fromEntries(writes.lastValuesJson)).toEqual({
      1: '{"ms":1}',
      2: '{"ms":1}',
      3: '{"ms":1}',
      4: '{"ms":2}',
      5: '{"ms":1}',
      6: '{"ms":1}',
      7: '{"ms":1}',
    });
  });
});
