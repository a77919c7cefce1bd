/** How bad a broken invariant is. */
export type Severity = "critical" | "warning" | "info";

/** Where a ticket is in its life. */
export type TicketStatus = "open" | "acknowledged" | "diagnosed" | "resolved";

/** What to check first when the ticket's invariant breaks. */
export interface RunbookJson {
  readonly hint: string;
  readonly url?: string;
}

/** A ticket as the API lists it (the `tickets list --json` shape); times are ISO 8601 strings. */
export interface TicketJson {
  readonly id: number;
  readonly key: string;
  readonly subject: string;
  readonly invariant: string;
  readonly entity: string;
  readonly severity: Severity;
  readonly status: TicketStatus;
  readonly held: boolean;
  readonly flapping: boolean;
  readonly silenced: boolean;
  readonly message: string;
  readonly occurrenceCount: number;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly diagnosis: string | null;
  readonly batchKey: string;
  readonly previousTicketId: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly runbook?: RunbookJson;
}

/** One change to a ticket. */
export interface EventJson {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly kind: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly comment: string | null;
}

/** A ticket with its values and its history, oldest event first (`tickets show --json`). */
export interface TicketDetailJson extends TicketJson {
  readonly firstValues: Readonly<Record<string, unknown>>;
  readonly lastValues: Readonly<Record<string, unknown>>;
  readonly events: readonly EventJson[];
}

/** A result of the last cycle that could not be evaluated. */
export interface UnknownJson {
  readonly key: string;
  readonly reason: string;
}

/** One monitored subject as `/api/v1/status` reports it. */
export interface SubjectStatusJson {
  readonly name: string;
  readonly kind: string;
  readonly lastCycleAt: number | null;
  readonly nextCycleAt: number | null;
  readonly unknown: readonly UnknownJson[];
}

/** The monitor's state (`/api/v1/status`). */
export interface StatusJson {
  readonly subjects: readonly SubjectStatusJson[];
  readonly counts: {
    readonly byStatus: Readonly<Record<string, number>>;
    readonly bySeverity: Readonly<Record<string, number>>;
  };
  readonly generatedAt: number;
}

/** One committed ticket event from the live feed, with the ticket as it stands now. */
export interface FeedItem {
  readonly event: EventJson;
  readonly ticket: TicketJson;
}

/** The actions a person can take on a ticket. */
export type TicketAction = "ack" | "diagnose" | "resolve" | "hold" | "unhold";
