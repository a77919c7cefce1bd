/**
 * A cycle id: the cycle's start as ISO-8601 UTC plus a per-process sequence number, e.g.
 * `2026-01-31T12:00:00.000Z-000042`. Ids sort by time as plain strings and double as the batch key of
 * the tickets a cycle opens.
 */
export function cycleId(startedAt: number, sequence: number): string {
  return `${new Date(startedAt).toISOString()}-${String(sequence).padStart(6, "0")}`;
}
