import type { Severity, TicketAction, TicketJson, TicketStatus } from "./types.ts";

/** The list filters, as the URL and the filter form hold them. */
export interface Filters {
  /** `unresolved` (the default), one status, or `all`. */
  readonly status: "unresolved" | "all" | TicketStatus;
  readonly subject: string;
  readonly invariant: string;
  readonly severity: "" | Severity;
  readonly held: "" | "yes" | "no";
  readonly silenced: "" | "yes" | "no";
  /** Case-insensitive search over key and message. */
  readonly q: string;
}

/** No filter but the default: unresolved tickets. */
export const DEFAULT_FILTERS: Filters = {
  status: "unresolved",
  subject: "",
  invariant: "",
  severity: "",
  held: "",
  silenced: "",
  q: "",
};

/** Tickets fetched per page of the list. */
export const PAGE_SIZE = 100;

const STATUS_CHOICES: readonly string[] = [
  "unresolved",
  "all",
  "open",
  "acknowledged",
  "diagnosed",
  "resolved",
];
const SEVERITY_CHOICES: readonly string[] = ["", "critical", "warning", "info"];
const YES_NO: readonly string[] = ["", "yes", "no"];

/** Filters read from a query string (`?status=all&q=disk`); unknown or bad values fall back to the default. */
export function filtersFromQuery(search: string): Filters {
  const params = new URLSearchParams(search);
  const pick = <T extends string>(name: string, choices: readonly string[], fallback: T): T => {
    const value = params.get(name);
    return value !== null && choices.includes(value) ? (value as T) : fallback;
  };
  const text = (name: string) => (params.get(name) ?? "").slice(0, 200);
  return {
    status: pick("status", STATUS_CHOICES, DEFAULT_FILTERS.status),
    subject: text("subject"),
    invariant: text("invariant"),
    severity: pick("severity", SEVERITY_CHOICES, ""),
    held: pick("held", YES_NO, ""),
    silenced: pick("silenced", YES_NO, ""),
    q: text("q"),
  };
}

/** The query string of `filters` for the page's own URL (defaults left out): `?status=all`, or ``. */
export function filtersToQuery(filters: Filters): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters) as [keyof Filters, string][]) {
    if (value !== DEFAULT_FILTERS[name]) params.set(name, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The `GET /api/v1/tickets` URL for `filters`, one page of `limit`, from `cursor`. */
export function ticketsUrl(filters: Filters, cursor: string | null, limit = PAGE_SIZE): string {
  const params = new URLSearchParams();
  params.set("status", filters.status);
  if (filters.subject) params.set("subject", filters.subject);
  if (filters.invariant) params.set("invariant", filters.invariant);
  if (filters.severity) params.set("severity", filters.severity);
  if (filters.held) params.set("held", filters.held === "yes" ? "true" : "false");
  if (filters.silenced) params.set("silenced", filters.silenced === "yes" ? "true" : "false");
  if (filters.q.trim()) params.set("q", filters.q.trim());
  params.set("limit", String(limit));
  if (cursor !== null) params.set("cursor", cursor);
  return `/api/v1/tickets?${params}`;
}

/** True when `ticket` belongs in a list filtered by `filters` (used for live updates). */
export function matchesFilters(ticket: TicketJson, filters: Filters): boolean {
  if (filters.status === "unresolved" && ticket.status === "resolved") return false;
  if (filters.status !== "unresolved" && filters.status !== "all" && ticket.status !== filters.status)
    return false;
  if (filters.subject && ticket.subject !== filters.subject) return false;
  if (filters.invariant && ticket.invariant !== filters.invariant) return false;
  if (filters.severity && ticket.severity !== filters.severity) return false;
  if (filters.held && ticket.held !== (filters.held === "yes")) return false;
  if (filters.silenced && ticket.silenced !== (filters.silenced === "yes")) return false;
  const q = filters.q.trim().toLowerCase();
  if (q && !ticket.key.toLowerCase().includes(q) && !ticket.message.toLowerCase().includes(q)) return false;
  return true;
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, warning: 1, info: 2 };

/** The list's order: unresolved first, then by severity (critical first), then the most recently seen. */
export function compareTickets(a: TicketJson, b: TicketJson): number {
  const resolved = Number(a.status === "resolved") - Number(b.status === "resolved");
  if (resolved !== 0) return resolved;
  const severity = SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
  if (severity !== 0) return severity;
  const seen = Date.parse(b.lastSeenAt) - Date.parse(a.lastSeenAt);
  return seen !== 0 ? seen : b.id - a.id;
}

/**
 * `list` with `ticket` put in (replacing the one with its id) or taken out when it no longer
 * matches `filters`; the result is sorted with {@link compareTickets}.
 */
export function upsertTicket(
  list: readonly TicketJson[],
  ticket: TicketJson,
  filters: Filters,
): TicketJson[] {
  const others = list.filter((t) => t.id !== ticket.id);
  if (matchesFilters(ticket, filters)) others.push(ticket);
  return others.sort(compareTickets);
}

/** The actions a ticket allows now, in the order the page shows them. */
export function availableActions(ticket: TicketJson): TicketAction[] {
  if (ticket.status === "resolved") return [];
  const actions: TicketAction[] = [];
  if (ticket.status === "open") actions.push("ack");
  actions.push("diagnose", "resolve", ticket.held ? "unhold" : "hold");
  return actions;
}

/** Words for an action: the button, the confirmation and the announcement afterwards. */
export const ACTION_WORDS: Readonly<
  Record<TicketAction, { readonly label: string; readonly done: string; readonly explain: string }>
> = {
  ack: {
    label: "Acknowledge",
    done: "acknowledged",
    explain: "Tells everyone that someone is on it. The monitor still resolves it when it clears.",
  },
  diagnose: {
    label: "Diagnose",
    done: "diagnosed",
    explain: "Records what you found. The diagnosis is stored on the ticket and shown in its history.",
  },
  resolve: {
    label: "Resolve",
    done: "resolved",
    explain: "Closes the ticket now and clears any hold. If the problem is still there, a new ticket opens.",
  },
  hold: {
    label: "Hold",
    done: "held",
    explain: "Keeps the ticket open: the monitor will not resolve it, even when the problem clears.",
  },
  unhold: {
    label: "Unhold",
    done: "released",
    explain: "Lets the monitor resolve the ticket again on its next clear cycle.",
  },
};
