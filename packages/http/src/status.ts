import type { Severity, TicketStatus } from "@operator/core";

/** One subject as `GET /status` shows it. Times are epoch ms. */
export interface SubjectStatus {
  readonly name: string;
  /** The subject's kind (`tikv`, `etcd`); null when the server does not know it. */
  readonly kind: string | null;
  /** When the last cycle that read this subject ended; null when none is known. */
  readonly lastCycleAt: number | null;
  /** When the next cycle is due; null when no loop runs here (or none is scheduled). */
  readonly nextCycleAt: number | null;
  /** Results of the last cycle that could not be evaluated: the key (or subject/invariant) and why. */
  readonly unknown: readonly { readonly key: string; readonly reason: string }[];
}

/** Ticket counts for `GET /status`. */
export interface TicketCounts {
  /** Every ticket, by status (every status present, zeros included). */
  readonly byStatus: Readonly<Record<TicketStatus, number>>;
  /** Unresolved tickets, by severity (every severity present, zeros included). */
  readonly bySeverity: Readonly<Record<Severity, number>>;
}

/**
 * Where `GET /status` comes from. The daemon fills it from its running loop; `operator serve`, which
 * runs no loop, from what the database remembers (the cycle log), with null where it cannot know.
 */
export interface StatusProvider {
  subjects(): Promise<readonly SubjectStatus[]>;
  counts(): Promise<TicketCounts>;
}
