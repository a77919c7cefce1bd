import type { TicketJson } from "../page/types.ts";

/** A ticket in the list shape, with `overrides` applied. */
export function ticket(overrides: Partial<TicketJson> = {}): TicketJson {
  return {
    id: 1,
    key: "prod/store_down/4",
    subject: "prod",
    invariant: "store_down",
    entity: "4",
    severity: "critical",
    status: "open",
    held: false,
    flapping: false,
    silenced: false,
    message: "Store 4 is Disconnected",
    occurrenceCount: 1,
    firstSeenAt: "2026-01-02T03:04:05.000Z",
    lastSeenAt: "2026-01-02T03:04:05.000Z",
    resolvedAt: null,
    resolvedBy: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    diagnosis: null,
    batchKey: "c1",
    previousTicketId: null,
    createdAt: "2026-01-02T03:04:05.000Z",
    updatedAt: "2026-01-02T03:04:05.000Z",
    ...overrides,
  };
}
