import { RESERVED_INVARIANTS } from "./check-subject.ts";
import type { CycleTicketEvent } from "./cycle-events.ts";
import type { KeyState } from "./store.ts";
import type { Subject } from "./subject.ts";
import { MONITOR_ACTOR, type Ticket } from "./ticket.ts";
import type { TicketChange } from "./transitions.ts";

/** The comment on the `resolved` event of a ticket whose subject or invariant left the configuration. */
export const ORPHAN_REASON = "removed from configuration";

/**
 * What the configuration watches: for each configured subject, the names of the invariants that
 * can still produce tickets (its enabled invariants plus the monitor's own keys:
 * `subject_unreachable`, `source_unreachable`, `identity_changed`).
 */
export type ConfiguredInvariants = ReadonlyMap<string, ReadonlySet<string>>;

/** The {@link ConfiguredInvariants} of some subjects: enabled invariants and the reserved ones. */
export function configuredInvariants(subjects: readonly Subject[]): ConfiguredInvariants {
  const out = new Map<string, ReadonlySet<string>>();
  for (const subject of subjects) {
    const names = new Set<string>(RESERVED_INVARIANTS);
    for (const invariant of subject.invariants) if (invariant.defaults.enabled) names.add(invariant.name);
    out.set(subject.name, names);
  }
  return out;
}

/** True when a key of `subject`/`invariant` can no longer be produced under `configured`. */
export function isOrphaned(configured: ConfiguredInvariants, subject: string, invariant: string): boolean {
  return configured.get(subject)?.has(invariant) !== true;
}

/** What `TicketStore.resolveOrphans` did. */
export interface OrphanResolution {
  /** Orphaned tickets it resolved (as stored afterwards), with the reason {@link ORPHAN_REASON}. */
  readonly resolved: readonly Ticket[];
  /**
   * Orphaned tickets left open because a person holds them (people outrank automation): they count
   * as open until a person resolves or unholds them.
   */
  readonly held: readonly Ticket[];
  /** The `resolved` events written, one per resolved ticket, for the ticket log. */
  readonly events: readonly CycleTicketEvent[];
  /** Key states dropped because their key is orphaned (pending clocks, flap histories, failure counts). */
  readonly droppedStates: number;
}

/** The writes of an orphan resolution, decided from the unresolved tickets and the key states. */
export interface OrphanPlan {
  /** One change per orphaned ticket that is not held: resolve it by the monitor with the reason. */
  readonly change: readonly TicketChange[];
  /** Orphaned tickets that stay open because they are held. */
  readonly held: readonly Ticket[];
  /** Keys whose state is dropped. */
  readonly deleteStates: readonly string[];
}

/**
 * Decides which unresolved tickets and key states are orphaned under `configured`. Pure; both ticket
 * stores apply the result in one transaction. Held tickets are not resolved (monitor-semantics rule
 * 7); their key state is dropped like every orphaned key's. A subject not in `configured` but in
 * `leased` (a live lease: another replica watches it) has no orphans.
 */
export function planOrphans(
  unresolved: Iterable<Ticket>,
  states: Iterable<KeyState>,
  configured: ConfiguredInvariants,
  now: number,
  leased: ReadonlySet<string> = new Set(),
): OrphanPlan {
  const orphaned = (subject: string, invariant: string) =>
    isOrphaned(configured, subject, invariant) && (configured.has(subject) || !leased.has(subject));
  const change: TicketChange[] = [];
  const held: Ticket[] = [];
  for (const ticket of unresolved) {
    if (ticket.status === "resolved" || !orphaned(ticket.subject, ticket.invariant)) continue;
    if (ticket.held) {
      held.push(ticket);
      continue;
    }
    change.push({
      id: ticket.id,
      patch: { status: "resolved", resolvedAt: now, resolvedBy: MONITOR_ACTOR, updatedAt: now },
      events: [
        {
          at: now,
          actor: MONITOR_ACTOR,
          kind: "resolved",
          from: ticket.status,
          to: "resolved",
          comment: ORPHAN_REASON,
        },
      ],
    });
  }
  const deleteStates: string[] = [];
  for (const state of states) {
    if (orphaned(state.subject, state.invariant)) deleteStates.push(state.key);
  }
  change.sort((a, b) => a.id - b.id);
  held.sort((a, b) => a.id - b.id);
  deleteStates.sort();
  return { change, held, deleteStates };
}

/** The result of an applied {@link OrphanPlan}, given the resolved tickets as stored afterwards. */
export function orphanResolution(plan: OrphanPlan, resolved: readonly Ticket[]): OrphanResolution {
  const byId = new Map(resolved.map((ticket) => [ticket.id, ticket]));
  const events: CycleTicketEvent[] = [];
  for (const change of plan.change) {
    const ticket = byId.get(change.id);
    if (ticket === undefined) continue;
    for (const e of change.events) {
      events.push({
        ticketId: ticket.id,
        key: ticket.key,
        kind: e.kind,
        from: e.from,
        to: e.to,
        comment: e.comment,
        at: e.at,
        severity: ticket.severity,
        message: ticket.message,
      });
    }
  }
  return { resolved, held: plan.held, events, droppedStates: plan.deleteStates.length };
}
