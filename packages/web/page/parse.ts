import type {
  EventJson,
  FeedItem,
  RunbookJson,
  Severity,
  StatusJson,
  SubjectStatusJson,
  TicketDetailJson,
  TicketJson,
  TicketStatus,
  UnknownJson,
} from "./types.ts";

/**
 * Checks the shape of what the server sent before the page uses it: anything off is dropped (`null`),
 * never shown half-read. Strings are capped so one huge field cannot swamp the page.
 */

/** The longest text the page shows from one field; the rest is cut with an ellipsis. */
export const MAX_TEXT = 4000;

const SEVERITIES: readonly string[] = ["critical", "warning", "info"];
const STATUSES: readonly string[] = ["open", "acknowledged", "diagnosed", "resolved"];

/** A ticket from the list shape, or null when `value` is not one. */
export function parseTicket(value: unknown): TicketJson | null {
  if (!_isRecord(value)) return null;
  const id = value.id;
  const severity = value.severity;
  const status = value.status;
  if (!_isId(id) || typeof severity !== "string" || !SEVERITIES.includes(severity)) return null;
  if (typeof status !== "string" || !STATUSES.includes(status)) return null;
  const strings = ["key", "subject", "invariant", "entity", "message", "batchKey"] as const;
  const times = ["firstSeenAt", "lastSeenAt", "createdAt", "updatedAt"] as const;
  if (!strings.every((field) => typeof value[field] === "string")) return null;
  if (!times.every((field) => _isTime(value[field]))) return null;
  if (!_isCount(value.occurrenceCount)) return null;
  const runbook = _runbook(value.runbook);
  return {
    id,
    key: _text(value.key),
    subject: _text(value.subject),
    invariant: _text(value.invariant),
    entity: _text(value.entity),
    severity: severity as Severity,
    status: status as TicketStatus,
    held: value.held === true,
    flapping: value.flapping === true,
    silenced: value.silenced === true,
    message: _text(value.message),
    occurrenceCount: value.occurrenceCount as number,
    firstSeenAt: value.firstSeenAt as string,
    lastSeenAt: value.lastSeenAt as string,
    resolvedAt: _optionalTime(value.resolvedAt),
    resolvedBy: _optionalText(value.resolvedBy),
    acknowledgedAt: _optionalTime(value.acknowledgedAt),
    acknowledgedBy: _optionalText(value.acknowledgedBy),
    diagnosis: _optionalText(value.diagnosis),
    batchKey: _text(value.batchKey),
    previousTicketId: _isId(value.previousTicketId) ? value.previousTicketId : null,
    createdAt: value.createdAt as string,
    updatedAt: value.updatedAt as string,
    ...(runbook ? { runbook } : {}),
  };
}

/** A ticket event, or null when `value` is not one. */
export function parseEvent(value: unknown): EventJson | null {
  if (!_isRecord(value) || !_isId(value.id) || !_isTime(value.at)) return null;
  if (typeof value.actor !== "string" || typeof value.kind !== "string") return null;
  return {
    id: value.id,
    at: value.at,
    actor: _text(value.actor),
    kind: _text(value.kind),
    from: _optionalText(value.from),
    to: _optionalText(value.to),
    comment: _optionalText(value.comment),
  };
}

/** A ticket with values and events (`GET /api/v1/tickets/{id}`), or null. */
export function parseTicketDetail(value: unknown): TicketDetailJson | null {
  const ticket = parseTicket(value);
  if (!ticket || !_isRecord(value) || !Array.isArray(value.events)) return null;
  const events = value.events.map(parseEvent).filter((event): event is EventJson => event !== null);
  return {
    ...ticket,
    firstValues: _isRecord(value.firstValues) ? value.firstValues : {},
    lastValues: _isRecord(value.lastValues) ? value.lastValues : {},
    events,
  };
}

/** A page of the ticket list: the tickets that parse, and the next cursor. */
export function parseTicketPage(value: unknown): { tickets: TicketJson[]; next: string | null } | null {
  if (!_isRecord(value) || !Array.isArray(value.tickets)) return null;
  const tickets = value.tickets.map(parseTicket).filter((t): t is TicketJson => t !== null);
  const next = typeof value.next === "string" && value.next.length <= 1000 ? value.next : null;
  return { tickets, next };
}

/** The monitor's state (`GET /api/v1/status`), or null. */
export function parseStatus(value: unknown): StatusJson | null {
  if (!_isRecord(value) || !Array.isArray(value.subjects) || !_isRecord(value.counts)) return null;
  const subjects = value.subjects.map(_subject).filter((s): s is SubjectStatusJson => s !== null);
  return {
    subjects,
    counts: { byStatus: _counts(value.counts.byStatus), bySeverity: _counts(value.counts.bySeverity) },
    generatedAt: typeof value.generatedAt === "number" ? value.generatedAt : Date.now(),
  };
}

/** One item of the live feed (the `data` of an SSE `ticket` event), or null. */
export function parseFeedItem(value: unknown): FeedItem | null {
  if (!_isRecord(value)) return null;
  const event = parseEvent(value.event);
  const ticket = parseTicket(value.ticket);
  return event && ticket ? { event, ticket } : null;
}

/** `text` cut to {@link MAX_TEXT} characters. */
export function capText(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// --- Internal helpers ---

function _isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function _isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

function _isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function _isTime(value: unknown): value is string {
  return typeof value === "string" && value.length <= 40 && !Number.isNaN(Date.parse(value));
}

function _text(value: unknown): string {
  return capText(String(value));
}

function _optionalText(value: unknown): string | null {
  return typeof value === "string" ? capText(value) : null;
}

function _optionalTime(value: unknown): string | null {
  return _isTime(value) ? value : null;
}

function _runbook(value: unknown): RunbookJson | null {
  if (!_isRecord(value) || typeof value.hint !== "string") return null;
  const url = typeof value.url === "string" && /^https?:\/\//i.test(value.url) ? value.url : undefined;
  return { hint: capText(value.hint, 500), ...(url ? { url: capText(url, 2000) } : {}) };
}

function _subject(value: unknown): SubjectStatusJson | null {
  if (!_isRecord(value) || typeof value.name !== "string") return null;
  const unknown = Array.isArray(value.unknown) ? value.unknown.map(_unknown) : [];
  return {
    name: _text(value.name),
    kind: typeof value.kind === "string" ? _text(value.kind) : "",
    lastCycleAt: typeof value.lastCycleAt === "number" ? value.lastCycleAt : null,
    nextCycleAt: typeof value.nextCycleAt === "number" ? value.nextCycleAt : null,
    unknown: unknown.filter((u): u is UnknownJson => u !== null),
  };
}

function _unknown(value: unknown): UnknownJson | null {
  if (!_isRecord(value) || typeof value.key !== "string") return null;
  return { key: _text(value.key), reason: typeof value.reason === "string" ? _text(value.reason) : "" };
}

function _counts(value: unknown): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!_isRecord(value)) return counts;
  for (const [name, count] of Object.entries(value)) if (_isCount(count)) counts[name] = count;
  return counts;
}
