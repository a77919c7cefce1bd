import {
  type CyclePlan,
  type CycleSnapshot,
  type KeyState,
  MONITOR_ACTOR,
  parseViolationKey,
  type Severity,
  type TicketChange,
  type TicketDraft,
} from "@operator/core";

/** What one test cycle saw: keys violated (with a value) and keys evaluated ok. */
export interface TestObservation {
  readonly cycleId: string;
  readonly at: number;
  readonly violated: ReadonlyMap<string, number>;
  readonly ok: readonly string[];
  readonly severity?: Severity;
}

/**
 * A deliberately simple planner for store tests (no grace period, no flapping): a violated key
 * opens a ticket or recurs on its open one; an ok key resolves its ticket unless held.
 */
export function simplePlan(obs: TestObservation): (snapshot: CycleSnapshot) => CyclePlan {
  return (snapshot) => {
    const open: TicketDraft[] = [];
    const change: TicketChange[] = [];
    const upsertStates: KeyState[] = [];
    let resolved = 0;
    for (const [key, value] of obs.violated) {
      const parts = parseViolationKey(key);
      const prior = snapshot.states.get(key);
      upsertStates.push({
        key,
        ...parts,
        pendingSince: prior?.pendingSince ?? obs.at,
        clearSince: null,
        history: `${prior?.history ?? ""}v`.slice(-21),
        onsets: prior?.onsets ?? [obs.at],
        flapping: false,
        failures: 0,
        updatedAt: obs.at,
      });
      const ticket = snapshot.openTickets.get(key);
      const message = `${key} is violated (value ${value})`;
      if (ticket) {
        change.push({
          id: ticket.id,
          patch: {
            lastSeenAt: obs.at,
            occurrenceCount: ticket.occurrenceCount + 1,
            message,
            lastValues: { value },
            updatedAt: obs.at,
          },
          events: [],
        });
      } else {
        open.push({
          key,
          ...parts,
          severity: obs.severity ?? "warning",
          message,
          flapping: false,
          firstSeenAt: obs.at,
          lastSeenAt: obs.at,
          occurrenceCount: 1,
          batchKey: obs.cycleId,
          values: { value },
          createdAt: obs.at,
          events: [
            { at: obs.at, actor: MONITOR_ACTOR, kind: "opened", from: null, to: "open", comment: null },
          ],
        });
      }
    }
    const deleteStates: string[] = [];
    for (const key of obs.ok) {
      const ticket = snapshot.openTickets.get(key);
      if (ticket && !ticket.held) {
        resolved++;
        change.push({
          id: ticket.id,
          patch: { status: "resolved", resolvedAt: obs.at, resolvedBy: MONITOR_ACTOR, updatedAt: obs.at },
          events: [
            {
              at: obs.at,
              actor: MONITOR_ACTOR,
              kind: "resolved",
              from: ticket.status,
              to: "resolved",
              comment: null,
            },
          ],
        });
      }
      if (snapshot.states.has(key) && !(ticket?.held ?? false)) deleteStates.push(key);
    }
    return {
      upsertStates,
      deleteStates,
      open,
      change,
      identities: [],
      log: {
        id: obs.cycleId,
        startedAt: obs.at,
        finishedAt: obs.at + 1,
        invariants: 1,
        violations: obs.violated.size,
        unknown: 0,
        opened: open.length,
        resolved,
        failures: {},
      },
    };
  };
}
