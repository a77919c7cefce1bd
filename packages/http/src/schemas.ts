import {
  MAX_TICKET_PAGE,
  MAX_TICKET_SEARCH_LENGTH,
  SEVERITIES,
  type Severity,
  TICKET_STATUSES,
  type TicketStatus,
} from "@operator/core";
import { z } from "zod";

/** Longest subject or invariant name a filter accepts. */
const MAX_NAME = 200;
/** Longest `by` of an action. */
export const MAX_ACTOR_LENGTH = 100;
/** Longest comment of an action. */
export const MAX_COMMENT_LENGTH = 2000;
/** Longest diagnosis. */
export const MAX_DIAGNOSIS_LENGTH = 10_000;

/** Status filter words besides the statuses themselves. */
const STATUS_WORDS = ["unresolved", "all"] as const;

/** A comma-separated list of values from `allowed` (the CLI's `--status a,b` rule and message). */
function listOf<T extends string>(allowed: readonly T[], name: string) {
  return z.string().transform((value, ctx) => {
    const out: T[] = [];
    for (const part of value.split(",").map((p) => p.trim())) {
      if (!(allowed as readonly string[]).includes(part)) {
        ctx.addIssue({
          code: "custom",
          message: `Invalid ${name} "${part}" (expected one of: ${allowed.join(", ")})`,
        });
        return z.NEVER;
      }
      if (!out.includes(part as T)) out.push(part as T);
    }
    return out;
  });
}

function flag(name: string) {
  return z.string().transform((value, ctx) => {
    if (value === "true") return true;
    if (value === "false") return false;
    ctx.addIssue({ code: "custom", message: `Invalid ${name} "${value}" (expected true or false)` });
    return z.NEVER;
  });
}

function name(what: string) {
  return z
    .string()
    .min(1, `Invalid ${what}: empty`)
    .max(MAX_NAME, `Invalid ${what}: at most ${MAX_NAME} characters`);
}

/** The cursor of the next page: the id the page ended at, as base64url of `t<id>`. */
export function encodeCursor(before: number): string {
  return Buffer.from(`t${before}`, "utf8").toString("base64url");
}

const cursor = z.string().transform((value, ctx) => {
  const decoded = /^[A-Za-z0-9_-]{1,24}$/.test(value) ? Buffer.from(value, "base64url").toString("utf8") : "";
  const match = /^t([1-9][0-9]{0,15})$/.exec(decoded);
  const id = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(id)) {
    ctx.addIssue({
      code: "custom",
      message: `Invalid cursor "${value.slice(0, 40)}" (pass a "next" value back as is)`,
    });
    return z.NEVER;
  }
  return id;
});

/** Query parameters of `GET /tickets`; unknown parameters are refused. */
export const ticketListQuery = z
  .object({
    status: listOf<TicketStatus | (typeof STATUS_WORDS)[number]>(
      [...TICKET_STATUSES, ...STATUS_WORDS],
      "status",
    )
      .optional()
      .describe(
        "Comma-separated statuses, `unresolved` (open, acknowledged, diagnosed) or `all`. Default: unresolved.",
      ),
    subject: name("subject").optional().describe("Only tickets of this subject."),
    invariant: name("invariant").optional().describe("Only tickets of this invariant."),
    severity: listOf<Severity>(SEVERITIES, "severity").optional().describe("Comma-separated severities."),
    held: flag("held").optional().describe("`true`: only held tickets; `false`: only tickets not held."),
    silenced: flag("silenced")
      .optional()
      .describe("`true`: only tickets a silence covers; `false`: only tickets none covers."),
    q: z
      .string()
      .max(MAX_TICKET_SEARCH_LENGTH, `Invalid q: at most ${MAX_TICKET_SEARCH_LENGTH} characters`)
      .optional()
      .describe("Case-insensitive (ASCII) substring of the ticket's key or message."),
    limit: z
      .string()
      .transform((value, ctx) => {
        const n = Number(value);
        if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > MAX_TICKET_PAGE) {
          ctx.addIssue({
            code: "custom",
            message: `Invalid limit "${value.slice(0, 40)}" (expected a whole number, from 1 to ${MAX_TICKET_PAGE})`,
          });
          return z.NEVER;
        }
        return n;
      })
      .optional()
      .describe(`Page size, 1-${MAX_TICKET_PAGE}. Default: 50.`),
    cursor: cursor.optional().describe("The `next` of the previous page."),
  })
  .strict();

/** Path parameter `{id}`: a ticket id. */
export const ticketIdParam = z.string().transform((value, ctx) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    ctx.addIssue({
      code: "custom",
      message: `Invalid ticket id "${value.slice(0, 40)}" (expected a whole number, 1 or more)`,
    });
    return z.NEVER;
  }
  return n;
});

/** Body of `POST /tickets/{id}/{action}`; unknown fields are refused. */
export const actionBody = z
  .object({
    by: z
      .string()
      .trim()
      .min(1, "by needs a name")
      .max(MAX_ACTOR_LENGTH, `by: at most ${MAX_ACTOR_LENGTH} characters`)
      .regex(/^[^\p{Cc}\u2028\u2029]*$/u, "by: no control characters or line breaks")
      .optional()
      .describe("Who acts. Default: the name of the token."),
    comment: z
      .string()
      .max(MAX_COMMENT_LENGTH, `comment: at most ${MAX_COMMENT_LENGTH} characters`)
      .optional()
      .describe("A comment recorded with the event."),
    text: z
      .string()
      .max(MAX_DIAGNOSIS_LENGTH, `text: at most ${MAX_DIAGNOSIS_LENGTH} characters`)
      .optional()
      .describe("The diagnosis (required by `diagnose`, refused elsewhere)."),
  })
  .strict();

/** `GET /events` query: where to resume (same as the `Last-Event-ID` header). */
export const eventsQuery = z
  .object({
    lastEventId: z
      .string()
      .regex(/^\d{1,15}$/, "Invalid lastEventId (expected the id of the last event received, a whole number)")
      .optional()
      .describe("Resume after this event id (what `Last-Event-ID` does for an EventSource)."),
  })
  .strict();

// --- Response shapes (documentation and tests) ---

const time = z.string().describe("ISO 8601 time, UTC");
const nullableTime = time.nullable();

/** One ticket, exactly as `operator tickets list --json` prints it. */
export const ticketJson = z
  .object({
    id: z.number().int(),
    key: z.string(),
    subject: z.string(),
    invariant: z.string(),
    entity: z.string(),
    severity: z.enum(SEVERITIES as readonly [Severity, ...Severity[]]),
    status: z.enum(TICKET_STATUSES as readonly [TicketStatus, ...TicketStatus[]]),
    held: z.boolean(),
    flapping: z.boolean(),
    silenced: z.boolean(),
    message: z.string(),
    occurrenceCount: z.number().int(),
    firstSeenAt: time,
    lastSeenAt: time,
    resolvedAt: nullableTime,
    resolvedBy: z.string().nullable(),
    acknowledgedAt: nullableTime,
    acknowledgedBy: z.string().nullable(),
    diagnosis: z.string().nullable(),
    batchKey: z.string(),
    previousTicketId: z.number().int().nullable(),
    createdAt: time,
    updatedAt: time,
    runbook: z
      .object({ hint: z.string(), url: z.string().optional() })
      .nullable()
      .describe("What to check first, from the invariant; null without one"),
  })
  .strict()
  .meta({ id: "Ticket" });

/** One ticket event. */
export const eventJson = z
  .object({
    id: z.number().int(),
    at: time,
    actor: z.string(),
    kind: z.string(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    comment: z.string().nullable(),
  })
  .meta({ id: "TicketEvent" });

/** `GET /tickets` answer. */
export const ticketListJson = z.object({
  tickets: z.array(ticketJson),
  next: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page."),
});

/** `GET /tickets/{id}`: exactly `operator tickets show --json`. */
export const ticketDetailJson = ticketJson
  .extend({ firstValues: z.unknown(), lastValues: z.unknown(), events: z.array(eventJson) })
  .meta({ id: "TicketDetail" });

/** One server-sent event's `data`. */
export const feedItemJson = z.object({ event: eventJson, ticket: ticketJson }).meta({ id: "FeedItem" });

/** `GET /status` answer. */
export const statusJson = z.object({
  subjects: z.array(
    z.object({
      name: z.string(),
      kind: z
        .string()
        .nullable()
        .describe("The subject's plugin kind (`tikv`, `etcd`); null when not known."),
      lastCycleAt: z
        .number()
        .int()
        .nullable()
        .describe("Epoch ms the last cycle ended; null when none is known."),
      nextCycleAt: z
        .number()
        .int()
        .nullable()
        .describe("Epoch ms the next cycle is due; null when not known."),
      unknown: z
        .array(z.object({ key: z.string(), reason: z.string() }))
        .describe("Results of the last cycle that could not be evaluated."),
    }),
  ),
  counts: z.object({
    byStatus: z.record(z.string(), z.number().int()).describe("Every ticket, by status."),
    bySeverity: z.record(z.string(), z.number().int()).describe("Unresolved tickets, by severity."),
  }),
  generatedAt: z.number().int(),
});

/** An error answer (RFC 9457). */
export const problemJson = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    field: z.string().optional().describe("The request field at fault."),
  })
  .meta({ id: "Problem" });
