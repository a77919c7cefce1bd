import { SEVERITIES, type Severity, TICKET_STATUSES, type TicketStatus } from "@operator/core";
import type BetterSqlite3 from "better-sqlite3";

/** Ticket counts: every ticket by status, unresolved tickets by severity (zeros included). */
export interface TicketCounts {
  readonly byStatus: Record<TicketStatus, number>;
  readonly bySeverity: Record<Severity, number>;
}

/** Reads for a status page: ticket counts and the subjects the database knows of. */
export class StatusQueries {
  readonly #counts: BetterSqlite3.Statement<[], { status: string; severity: string; count: number }>;
  readonly #subjects: BetterSqlite3.Statement<[], string>;

  constructor(sqlite: BetterSqlite3.Database) {
    this.#counts = sqlite.prepare(
      "SELECT status, severity, count(*) AS count FROM tickets GROUP BY status, severity",
    );
    this.#subjects = sqlite
      .prepare<[], string>(`
        SELECT subject FROM key_states
        UNION SELECT subject FROM subject_identities
        UNION SELECT subject FROM tickets WHERE status <> 'resolved'
        ORDER BY 1`)
      .pluck();
  }

  counts(): TicketCounts {
    const byStatus = Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0])) as Record<TicketStatus, number>;
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    for (const row of this.#counts.all()) {
      if (row.status in byStatus) byStatus[row.status as TicketStatus] += row.count;
      if (row.status !== "resolved" && row.severity in bySeverity)
        bySeverity[row.severity as Severity] += row.count;
    }
    return { byStatus, bySeverity };
  }

  subjects(): string[] {
    return this.#subjects.all();
  }
}
