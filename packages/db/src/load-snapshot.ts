import type { LoadedSnapshot, SnapshotCache } from "@operator/core";
import { identityFromRow, keyStateFromRow, ticketFromRow } from "./rows.ts";
import type { Statements } from "./statements.ts";

/**
 * The snapshot of `subjects`, reading only what `cache` does not hold. The cache is valid while no
 * other connection has committed: `PRAGMA data_version` (read inside the cycle's write transaction)
 * changes exactly then. The store also drops the cache after any failed cycle and after a person's
 * action on this connection.
 */
export function loadSnapshot(
  s: Statements,
  cache: SnapshotCache,
  subjects: readonly string[],
): LoadedSnapshot {
  const missing = cache.missing(s.dataVersion.get() as number, subjects);
  if (missing.length > 0) {
    const json = JSON.stringify(missing);
    cache.fill(missing, {
      states: s.statesOfSubjects.all(json).map(keyStateFromRow),
      identities: s.identitiesOfSubjects.all(json).map(identityFromRow),
      tickets: s.openTicketsOfSubjects
        .all(json)
        .map((row) => ({ ticket: ticketFromRow(row), lastValuesJson: row.last_values })),
    });
  }
  return cache.snapshot(subjects);
}
